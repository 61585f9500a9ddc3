//! Bound parameters of the multi-row statements (imports, the audit log's appends, restores).
//!
//! PostgreSQL numbers them (`$1, $2, …`). On SQLite they are anonymous (`?`): sqlx asks
//! SQLite for the name of every parameter it binds, and SQLite finds a numbered
//! parameter's name by walking the statement's list of names, so binding a statement of
//! n numbered parameters costs n²/2 steps. A national import (540,000 answers and as many
//! audit events in statements of about 1,100 parameters) spent most of its time there; an
//! anonymous parameter has no name to look up. A statement numbered here is numbered
//! throughout (sqlx counts anonymous parameters on their own, so the two never mix).

use crate::Backend;

pub(crate) struct Params {
    backend: Backend,
    next: usize,
}

impl Params {
    pub(crate) fn new(backend: Backend) -> Params {
        Params { backend, next: 1 }
    }

    /// The next parameter.
    pub(crate) fn one(&mut self) -> String {
        let mut out = String::new();
        self.push(&mut out);
        out
    }

    /// The next `n` parameters, separated by commas.
    pub(crate) fn list(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n * 4);
        self.push_list(&mut out, n);
        out
    }

    /// `n` rows of `width` parameters each: `(…), (…)`. Written into one string (a national
    /// import's statement has some six thousand parameters, made a thousand times).
    pub(crate) fn rows(&mut self, width: usize, n: usize) -> String {
        let mut out = String::with_capacity(n * (width * 4 + 4));
        for row in 0..n {
            if row > 0 {
                out.push_str(", ");
            }
            out.push('(');
            self.push_list(&mut out, width);
            out.push(')');
        }
        out
    }

    fn push_list(&mut self, out: &mut String, n: usize) {
        for k in 0..n {
            if k > 0 {
                out.push_str(", ");
            }
            self.push(out);
        }
    }

    fn push(&mut self, out: &mut String) {
        use std::fmt::Write;
        let n = self.next;
        self.next += 1;
        match self.backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => write!(out, "${n}").expect("in memory"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_on_postgres_anonymous_on_sqlite() {
        let mut p = Params::new(Backend::Postgres);
        assert_eq!(p.one(), "$1");
        assert_eq!(p.rows(2, 2), "($2, $3), ($4, $5)");
        assert_eq!(p.list(2), "$6, $7");
        let mut s = Params::new(Backend::Sqlite);
        assert_eq!(s.one(), "?");
        assert_eq!(s.rows(2, 2), "(?, ?), (?, ?)");
    }
}
