//! Claims in the paragraphs, recomputed from the tables. A paragraph is about the table
//! that follows it under the same heading (its criterion, or the total for a ranking
//! table). Sentences are split into clauses; in each, unit names (the registry's names,
//! aliases and their short forms), numbers with what follows them ("điểm", "%", "bậc"),
//! level names and a few key phrases ("cao nhất", "thấp nhất", "chênh lệch", "đều tăng",
//! "có cùng", counts) make claims that are checked against the document's own values.

use crate::context::Ctx;
use crate::facts::Facts;
use crate::finding::{Finding, Location, Severity};
use crate::model::{Block, Num, Paragraph};
use crate::recognize::{Role, caption_number};
use crate::text::{is_word_char, norm, round, ulps, year as year4};
use chiso_domain::Decimal;
use chiso_domain::lineage::Declared;
use chiso_domain::unit::{LineageKind, UnitId};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy)]
struct Subject {
    fw: usize,
    crit: Option<usize>,
    year: i32,
}

/// A heading: marked so by the document, or a short numbered line ("2.1. …", "b) …", "IV. …").
pub fn is_heading(p: &Paragraph) -> bool {
    if p.heading.is_some() {
        return true;
    }
    let t = p.text.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return false;
    }
    let numbered = {
        let head: String = t.chars().take_while(|c| !c.is_whitespace()).collect();
        let roman =
            head.trim_end_matches('.').chars().all(|c| "IVXLC".contains(c)) && head.ends_with('.') && head.len() > 1;
        let arabic =
            head.trim_end_matches('.').split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                && head.ends_with('.');
        let letter =
            head.chars().count() == 2 && head.ends_with(')') && head.chars().next().is_some_and(char::is_alphabetic);
        roman || arabic || letter
    };
    if !numbered {
        return false;
    }
    let body = t.split_once(char::is_whitespace).map_or("", |(_, b)| b);
    !body.trim_end_matches('.').contains(". ") && !norm(body).contains(" điểm")
}

/// Each paragraph with a subject: the next recognized table, if no heading comes between.
fn subjects(ctx: &Ctx, headings: &[bool]) -> Vec<(usize, Subject, usize)> {
    let mut out = Vec::new();
    let blocks = &ctx.doc.blocks;
    // The table each block is followed by before any heading, from the end backwards.
    let mut next_table: Vec<Option<usize>> = vec![None; blocks.len() + 1];
    for k in (0..blocks.len()).rev() {
        next_table[k] = match &blocks[k] {
            Block::Table(_) => Some(k),
            Block::Paragraph(_) if headings[k] => None,
            Block::Paragraph(_) => next_table[k + 1],
        };
    }
    for (b, block) in blocks.iter().enumerate() {
        let Block::Paragraph(p) = block else { continue };
        if p.text.is_empty() || headings[b] || caption_number(&p.text).is_some() {
            continue;
        }
        let Some(k) = next_table[b + 1] else { continue };
        let Some(ti) = ctx.tables.iter().position(|t| t.block == k) else { continue };
        let Some(s) = table_subject(ctx, ti) else { continue };
        out.push((b, s, ti));
    }
    out
}

/// What a table is about: the total when it prints one for its year, else its first criterion.
fn table_subject(ctx: &Ctx, ti: usize) -> Option<Subject> {
    let t = &ctx.tables[ti];
    let crit = if ctx.column_of(ti, Role::Total(t.year)).is_some() {
        None
    } else {
        Some(t.columns.iter().find_map(|c| match c.role {
            Role::Crit(i, y) if y == t.year => Some(i),
            _ => None,
        })?)
    };
    Some(Subject { fw: t.framework, crit, year: t.year })
}

/// The units a table's paragraphs or its notes declare scored by a not-applicable policy
/// ("… được tính điểm … do nội dung không áp dụng đối với đơn vị", "… không so sánh với các
/// cơ quan khác ở tiêu chí này"): its superlatives are said among the other units. Read from
/// the paragraphs about the table and the lines under it, up to the next heading or table.
fn not_applicable(
    ctx: &Ctx,
    facts: &Facts,
    headings: &[bool],
    subjects: &[(usize, Subject, usize)],
) -> BTreeMap<usize, BTreeSet<UnitId>> {
    let mut out: BTreeMap<usize, BTreeSet<UnitId>> = BTreeMap::new();
    let blocks = &ctx.doc.blocks;
    let mut matchers = BTreeMap::new();
    for ti in 0..ctx.tables.len() {
        let Some(s) = table_subject(ctx, ti) else { continue };
        let mut texts: Vec<&str> = subjects
            .iter()
            .filter(|(_, _, t)| *t == ti)
            .filter_map(|(b, _, _)| match &blocks[*b] {
                Block::Paragraph(p) => Some(p.text.as_str()),
                Block::Table(_) => None,
            })
            .collect();
        for k in ctx.tables[ti].block + 1..blocks.len() {
            match &blocks[k] {
                Block::Paragraph(p) if headings[k] || caption_number(&p.text).is_some() => break,
                Block::Paragraph(p) => texts.push(&p.text),
                Block::Table(_) => break,
            }
        }
        for text in texts {
            for (sentence, _) in clauses(text) {
                if !has(&sentence, &NOT_APPLICABLE) {
                    continue;
                }
                for (_, _, kind) in Matcher::of(&mut matchers, ctx, facts, s).find(&sentence) {
                    if let Kind::Unit(u) = kind {
                        out.entry(ti).or_default().insert(u.clone());
                    }
                }
            }
        }
    }
    out
}

fn heading_above(ctx: &Ctx, headings: &[bool], b: usize) -> Option<String> {
    (0..b).rev().find(|&k| headings[k]).and_then(|k| match &ctx.doc.blocks[k] {
        Block::Paragraph(p) => Some(p.text.clone()),
        Block::Table(_) => None,
    })
}

#[derive(Debug, Clone)]
enum Kind {
    Unit(UnitId),
    Crit(usize),
    Level(usize),
}

/// Printed forms of the units, criteria and levels of a framework, longest first.
struct Matcher {
    forms: Vec<(String, Kind)>,
}

const ADMIN_PREFIXES: [&str; 7] = ["sở ", "huyện ", "quận ", "thị xã ", "xã ", "phường ", "thị trấn "];

impl Matcher {
    /// The matcher of `s`'s framework and year, made once (it lists every unit of the kind:
    /// thousands of names at national size, asked for each table and paragraph).
    fn of<'m>(made: &'m mut BTreeMap<(usize, i32), Matcher>, ctx: &Ctx, facts: &Facts, s: Subject) -> &'m Matcher {
        made.entry((s.fw, s.year)).or_insert_with(|| Matcher::new(ctx, facts, s))
    }

    fn new(ctx: &Ctx, facts: &Facts, s: Subject) -> Matcher {
        let fw = &ctx.frameworks[s.fw];
        let mut units: BTreeMap<String, BTreeSet<UnitId>> = BTreeMap::new();
        let of_kind: Vec<_> = ctx.registry.units().iter().filter(|u| u.kind == fw.unit_kind).collect();
        let alive: Vec<_> = of_kind
            .iter()
            .filter(|u| u.active_in(s.year) || facts.names.contains_key(&u.id) && s.year == 0)
            .copied()
            .collect();
        let alive = if alive.is_empty() { of_kind.clone() } else { alive };
        for u in &alive {
            for f in std::iter::once(&u.name).chain(&u.aliases) {
                let n = norm(f);
                let mut add = |k: String| {
                    units.entry(k).or_default().insert(u.id.clone());
                };
                add(format!("ubnd {n}"));
                add(format!("ủy ban nhân dân {n}"));
                if let Some(core) = ADMIN_PREFIXES.iter().find_map(|p| n.strip_prefix(p))
                    && core.split(' ').count() >= 2
                {
                    add(core.to_string());
                }
                add(n);
            }
        }
        // "UBND Thành phố" when one unit alone is a city (town, district of a city).
        for p in ["thành phố ", "thị xã ", "quận "] {
            let with: Vec<_> = alive.iter().filter(|u| norm(&u.name).starts_with(p)).collect();
            if with.len() == 1 {
                units.entry(format!("ubnd {}", p.trim())).or_default().insert(with[0].id.clone());
            }
        }
        let mut forms: Vec<(String, Kind)> = units
            .into_iter()
            .filter(|(_, ids)| ids.len() == 1)
            .filter_map(|(f, ids)| ids.into_iter().next().map(|id| (f, Kind::Unit(id))))
            .collect();
        for (i, c) in fw.criteria.iter().enumerate() {
            for f in std::iter::once(&c.name).chain(&c.short_name).chain(&c.aliases) {
                let caps = f.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) && f.chars().count() >= 3;
                if f.split_whitespace().count() >= 2 || caps {
                    forms.push((norm(f), Kind::Crit(i)));
                }
            }
        }
        for (i, l) in fw.levels.iter().enumerate() {
            forms.push((norm(&l.name), Kind::Level(i)));
        }
        forms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Matcher { forms }
    }

    /// Every name in `s`, the longest first where names overlap, in text order.
    fn find(&self, s: &str) -> Vec<(usize, usize, &Kind)> {
        let mut taken: Vec<(usize, usize, &Kind)> = Vec::new();
        for (f, k) in &self.forms {
            for (a, b) in crate::text::find_words(s, f) {
                if !taken.iter().any(|(x, y, _)| a < *y && *x < b) {
                    taken.push((a, b, k));
                }
            }
        }
        taken.sort_by_key(|(a, _, _)| *a);
        taken
    }
}

#[derive(Debug, Clone)]
enum Tok {
    Unit(UnitId),
    Crit(usize),
    Level(usize),
    Points(Num),
    Percent(Num),
    Rank(Decimal, Option<i32>),
    RankOf(Decimal, Decimal),
    Steps(Decimal),
    Count(Decimal),
    From(Num, Option<i32>),
    To(Num, Option<i32>),
}

#[derive(Debug, Clone)]
struct T {
    start: usize,
    end: usize,
    tok: Tok,
    text: String,
}

/// A number at `s[i..]`: digits, at most one `,`/`.` followed by digits.
fn read_number(s: &str, i: usize) -> Option<(usize, Num)> {
    let b = s.as_bytes();
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if j + 1 < b.len() && (b[j] == b',' || b[j] == b'.') && b[j + 1].is_ascii_digit() {
        let mut k = j + 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        // "2019,2020": two years, not a number.
        let (int, frac) = (&s[i..j], &s[j + 1..k]);
        if !(int.len() == 4 && frac.len() == 4 && year4(int).is_some()) {
            j = k;
        }
    }
    let text = &s[i..j];
    if text.len() > 30 {
        return None;
    }
    crate::text::parse_num(text).map(|n| (j, n))
}

/// " năm 2019" right after a number: the year it belongs to, and where the phrase ends.
fn year_after(s: &str, j: usize) -> (Option<i32>, usize) {
    let rest = &s[j..];
    if let Some(r) = rest.strip_prefix(" năm ")
        && let Some(y) = r.get(..4).and_then(year4)
        && r[4..].chars().next().is_none_or(|c| !c.is_ascii_digit())
    {
        return (Some(y), j + " năm ".len() + 4);
    }
    (None, j)
}

/// What a count counts: "01 cơ quan", "09 đơn vị", "05 sở", …
const COUNTED: [&str; 13] = [
    "cơ quan",
    "đơn vị",
    "sở",
    "huyện",
    "ban",
    "ngành",
    "địa phương",
    "xã",
    "phường",
    "quận",
    "tỉnh",
    "thành phố",
    "ubnd",
];

fn scan(s: &str, m: &Matcher) -> Vec<T> {
    let names = m.find(s);
    let mut out = Vec::new();
    let mut i = 0;
    let mut next_name = 0;
    while i < s.len() {
        let Some(c) = s[i..].chars().next() else { break };
        if let Some(&(a, b, kind)) = names.get(next_name)
            && a <= i
        {
            let tok = match kind {
                Kind::Unit(u) => Tok::Unit(u.clone()),
                Kind::Crit(k) => Tok::Crit(*k),
                Kind::Level(k) => Tok::Level(*k),
            };
            out.push(T { start: a, end: b, tok, text: s[a..b].to_string() });
            next_name += 1;
            i = b.max(i);
            continue;
        }
        let prev = s[..i].chars().next_back();
        let word_start = prev.is_none_or(|p| !is_word_char(p));
        if word_start
            && c.is_ascii_digit()
            && let Some((j, num)) = read_number(s, i)
        {
            let before = &s[..i];
            let after = &s[j..];
            let text = s[i..j].to_string();
            let mut end = j;
            let tok = if before.ends_with('(') && after.starts_with('/') {
                match read_number(s, j + 1) {
                    Some((k, of)) if s[k..].starts_with(')') => {
                        end = k + 1;
                        Some(Tok::RankOf(num.value, of.value))
                    }
                    _ => None,
                }
            } else if before.ends_with("thứ ") || before.ends_with("hạng ") {
                let (y, e) = year_after(s, j);
                end = e;
                Some(Tok::Rank(num.value, y))
            } else if before.ends_with("từ ") {
                let (y, e) = year_after(s, j);
                end = e;
                Some(Tok::From(num, y))
            } else if before.ends_with("lên ") || before.ends_with("xuống ") {
                let (y, e) = year_after(s, j);
                end = e;
                if s[end..].starts_with(" điểm") {
                    end += " điểm".len();
                }
                Some(Tok::To(num, y))
            } else if after.trim_start().starts_with('%') {
                end = j + after.find('%').map_or(0, |p| p + 1);
                Some(Tok::Percent(num))
            } else if after.starts_with(" điểm") {
                Some(Tok::Points(num))
            } else if after.starts_with(" bậc") {
                Some(Tok::Steps(num.value))
            } else if num.decimals == 0 && year4(&text).is_none() && after.starts_with(' ') {
                let counted = COUNTED.iter().any(|w| after[1..].starts_with(w));
                counted.then_some(Tok::Count(num.value))
            } else {
                None
            };
            if let Some(tok) = tok {
                out.push(T { start: i, end, tok, text });
            }
            i = end.max(j);
            continue;
        }
        i += c.len_utf8();
    }
    out
}

/// Sentences of a paragraph, each split into clauses; all normalized.
fn clauses(text: &str) -> Vec<(String, Vec<String>)> {
    let mut sentences = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        if c == '.' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current);
    }
    const STARTS: [&str; 9] = [
        "đơn vị có ",
        "các đơn vị ",
        "cơ quan có ",
        "các cơ quan ",
        "trong đó",
        "các sở ",
        "nhóm các ",
        "đơn vị ",
        "có 0",
    ];
    sentences
        .into_iter()
        .map(|s| {
            let n = norm(&s);
            let mut parts = Vec::new();
            for piece in n.split(';') {
                let mut rest = piece;
                'outer: loop {
                    let mut from = 0;
                    while let Some(p) = rest[from..].find(", ") {
                        let at = from + p;
                        if STARTS.iter().any(|st| rest[at + 2..].starts_with(st)) {
                            parts.push(rest[..at].trim().to_string());
                            rest = &rest[at + 2..];
                            continue 'outer;
                        }
                        from = at + 2;
                    }
                    parts.push(rest.trim().to_string());
                    break;
                }
            }
            (n, parts.into_iter().filter(|p| !p.is_empty()).collect())
        })
        .collect()
}

struct Group {
    units: Vec<UnitId>,
    start: usize,
    end: usize,
    attrs: Vec<usize>,
}

/// Units named together ("A, B và C") form a group; the tokens up to the next group
/// describe it. Tokens before the first group describe every group.
fn groups(s: &str, toks: &[T]) -> (Vec<usize>, Vec<Group>) {
    let mut pre = Vec::new();
    let mut gs: Vec<Group> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match &t.tok {
            Tok::Unit(u) => {
                if let Some(g) = gs.last_mut() {
                    let gap = &s[g.end.min(t.start)..t.start];
                    let joined = gap
                        .split(|c: char| c.is_whitespace() || ",;:&-–()".contains(c))
                        .all(|w| w.is_empty() || w == "và" || w == "cùng");
                    if joined && g.attrs.is_empty() {
                        g.units.push(u.clone());
                        g.end = t.end;
                        continue;
                    }
                }
                gs.push(Group { units: vec![u.clone()], start: t.start, end: t.end, attrs: Vec::new() });
            }
            _ => match gs.last_mut() {
                Some(g) => g.attrs.push(i),
                None => pre.push(i),
            },
        }
    }
    (pre, gs)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    Rounding,
    Error,
}

fn judge(claimed: Num, exact: Decimal, mode: chiso_domain::RoundingMode) -> Verdict {
    let r = round(exact, claimed.decimals, mode);
    let d = ulps(claimed.value, r, claimed.decimals);
    if d.is_zero() {
        Verdict::Ok
    } else if d <= Decimal::ONE {
        Verdict::Rounding
    } else {
        Verdict::Error
    }
}

fn severity(v: Verdict) -> Severity {
    if v == Verdict::Rounding { Severity::Rounding } else { Severity::Error }
}

/// What one clause is checked against.
struct Scope<'c, 'a> {
    ctx: &'c Ctx<'a>,
    facts: &'c Facts,
    s: Subject,
    prev: Option<i32>,
    loc: Location,
    /// Units the document declares scored by a not-applicable policy on this criterion.
    excluded: &'c BTreeSet<UnitId>,
    /// The sentence limits comparisons with last year to the comparable units.
    scoped: bool,
    /// Units the sentence itself leaves out ("không tính A, B do sáp nhập").
    left_out: &'c BTreeSet<UnitId>,
}

impl Scope<'_, '_> {
    fn exact(&self, u: &UnitId, year: i32) -> Option<Decimal> {
        self.facts.exact(self.ctx, self.s.fw, u, self.s.crit, year)
    }

    fn printed(&self, u: &UnitId, year: i32) -> Option<Num> {
        self.facts.printed(self.s.fw, u, self.s.crit, year)
    }

    /// Every unit with data in a year and its value recomputed from the parts, leaving out
    /// the units declared scored by a not-applicable policy.
    fn values(&self, year: i32) -> Vec<(UnitId, Decimal)> {
        self.values_with(year, false)
    }

    fn values_with(&self, year: i32, with_excluded: bool) -> Vec<(UnitId, Decimal)> {
        self.facts
            .units_with_data(self.s.fw, year)
            .into_iter()
            .filter(|u| with_excluded || !self.excluded.contains(u))
            .filter_map(|u| Some((u.clone(), self.exact(&u, year)?)))
            .collect()
    }

    /// A unit formed (by a merger or a split) after `since`: not the same unit as then.
    fn merged(&self, u: &UnitId, since: i32) -> bool {
        self.ctx.registry.changes_into(u, since, self.s.year).iter().any(|l| l.kind != LineageKind::Renamed)
    }

    /// Whether the lineage declares how the unit is compared with `since` (itself, a
    /// predecessor it continues, or its predecessors combined): the rule of
    /// `chiso_domain::compare`, the one the reports and the platform count by.
    fn declared(&self, u: &UnitId, since: i32) -> bool {
        self.ctx.registry.comparison_since(u, since, self.s.year).is_some_and(|d| d != Declared::None)
    }

    /// Whether a unit belongs to the comparison with `since` the sentence makes: a declared
    /// comparison, unless the sentence leaves the unit out.
    fn comparable(&self, u: &UnitId, since: i32) -> bool {
        !self.scoped || (self.declared(u, since) && !self.left_out.contains(u))
    }

    /// Each comparable unit's change since `p` (value now − value then).
    fn changes(&self, p: i32, with_excluded: bool) -> Vec<(UnitId, Decimal)> {
        self.values_with(self.s.year, with_excluded)
            .into_iter()
            .filter(|(u, _)| self.comparable(u, p))
            .filter_map(|(u, now)| Some((u.clone(), now - self.exact(&u, p)?)))
            .collect()
    }

    /// The units ranked in `p` and now that the comparison takes in.
    fn rank_group(&self, p: i32, with_excluded: bool) -> Vec<UnitId> {
        let y = self.s.year;
        self.facts
            .units_with_data(self.s.fw, y)
            .into_iter()
            .filter(|u| with_excluded || !self.excluded.contains(u))
            .filter(|u| self.comparable(u, p) && self.rank(u, p).is_some() && self.rank(u, y).is_some())
            .collect()
    }

    /// The rank a move is counted with: the printed rank, or, when the sentence compares
    /// only the comparable units, the rank among them (competition ranking of the printed ranks).
    fn move_rank(&self, u: &UnitId, year: i32, p: i32) -> Option<Decimal> {
        if !self.scoped {
            return self.rank(u, year);
        }
        let group = self.rank_group(p, false);
        if !group.contains(u) {
            return None;
        }
        // A member compared with its predecessors combined has no rank printed for last
        // year: the group is then ranked by its totals that year, as the engine ranks it.
        if !group.iter().all(|v| self.facts.ranks.contains_key(&(self.s.fw, v.clone(), year))) {
            let total = |v: &UnitId| self.facts.exact(self.ctx, self.s.fw, v, None, year);
            let mine = total(u)?;
            let above = group.iter().filter(|v| total(v).is_some_and(|t| t > mine)).count();
            return Some(Decimal::ONE + Decimal::from(above));
        }
        let mine = self.rank(u, year)?;
        // Ranks printed among the group itself (every unit compared) are the group's ranks.
        let n = Decimal::from(group.len());
        if group.iter().all(|v| self.rank(v, year).is_some_and(|r| r <= n)) {
            return Some(mine);
        }
        let above = group.iter().filter(|v| self.rank(v, year).is_some_and(|r| r < mine)).count();
        Some(Decimal::ONE + Decimal::from(above))
    }

    /// " (không tính A, được tính điểm theo quy định không áp dụng)" when units are left out.
    fn left_out(&self) -> (String, String) {
        self.scope_note(None, false)
    }

    /// What a comparison leaves out, in one parenthesis: the units formed by a merger since
    /// `since` (when the sentence compares only comparable units) and, unless
    /// `with_excluded`, those scored by a not-applicable policy.
    fn scope_note(&self, since: Option<i32>, with_excluded: bool) -> (String, String) {
        let (mut vi, mut en) = (Vec::new(), Vec::new());
        if let Some(p) = since.filter(|_| self.scoped) {
            let now = self.facts.units_with_data(self.s.fw, self.s.year);
            let undeclared: Vec<UnitId> = now.iter().filter(|u| !self.declared(u, p)).cloned().collect();
            if !undeclared.is_empty() {
                vi.push(format!("không tính {}, không có cách so sánh được khai báo", self.names(&undeclared)));
                en.push(format!("leaving out {}, with no declared comparison", self.names(&undeclared)));
            }
            let left: Vec<UnitId> = now.iter().filter(|u| self.left_out.contains(*u)).cloned().collect();
            if !left.is_empty() {
                vi.push(format!("không tính {} do sáp nhập", self.names(&left)));
                en.push(format!("leaving out {}, formed by a merger", self.names(&left)));
            }
        }
        if !with_excluded && !self.excluded.is_empty() {
            let names: Vec<UnitId> = self.excluded.iter().cloned().collect();
            vi.push(format!(
                "không tính {}, được tính điểm theo quy định khi nội dung không áp dụng",
                self.names(&names)
            ));
            en.push(format!("leaving out {}, scored by the not-applicable rule", self.names(&names)));
        }
        if vi.is_empty() {
            return (String::new(), String::new());
        }
        (format!(" ({})", vi.join("; ")), format!(" ({})", en.join("; ")))
    }

    fn name(&self, u: &UnitId) -> String {
        self.facts.name(u)
    }

    fn names(&self, us: &[UnitId]) -> String {
        us.iter().map(|u| self.name(u)).collect::<Vec<_>>().join(", ")
    }

    fn mode(&self) -> chiso_domain::RoundingMode {
        self.ctx.frameworks[self.s.fw].rounding.mode
    }

    fn max(&self) -> Decimal {
        let fw = &self.ctx.frameworks[self.s.fw];
        match self.s.crit {
            Some(c) => fw.criterion(c).max,
            None => fw.total_max(),
        }
    }

    /// "tổng điểm" or "điểm <criterion>", to go inside a Vietnamese sentence.
    fn what(&self) -> String {
        match self.s.crit {
            None => "tổng điểm".into(),
            Some(c) => format!("điểm {}", self.ctx.frameworks[self.s.fw].criterion(c).label()),
        }
    }

    /// "the total" or "<criterion> points".
    fn what_en(&self) -> String {
        match self.s.crit {
            None => "total".into(),
            Some(c) => format!("{} points", self.ctx.frameworks[self.s.fw].criterion(c).label()),
        }
    }

    fn finding(&self, v: Verdict, check: &'static str) -> Finding {
        Finding::new(severity(v), check, self.loc.clone())
    }

    /// The rank of a unit in a year: as printed in the document, else by competition
    /// ranking of the recomputed totals.
    fn rank(&self, u: &UnitId, year: i32) -> Option<Decimal> {
        if let Some(r) = self.facts.ranks.get(&(self.s.fw, u.clone(), year)) {
            return Some(*r);
        }
        let totals: Vec<(UnitId, Decimal)> = self
            .facts
            .units_with_data(self.s.fw, year)
            .into_iter()
            .filter_map(|x| Some((x.clone(), self.facts.exact(self.ctx, self.s.fw, &x, None, year)?)))
            .collect();
        let mine = totals.iter().find(|(x, _)| x == u)?.1;
        Some(Decimal::ONE + Decimal::from(totals.iter().filter(|(_, t)| *t > mine).count()))
    }

    fn level(&self, u: &UnitId, year: i32) -> Option<Option<usize>> {
        let t = self.facts.exact(self.ctx, self.s.fw, u, None, year)?;
        Some(self.ctx.frameworks[self.s.fw].level_for(t))
    }
}

fn upper(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn has(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

fn first_pos(s: &str, words: &[&str]) -> Option<usize> {
    words.iter().filter_map(|w| s.find(w)).min()
}

const RISE_MOST: [&str; 3] = ["tăng nhiều nhất", "tăng mạnh nhất", "tăng cao nhất"];
const FALL_MOST: [&str; 3] = ["giảm nhiều nhất", "giảm mạnh nhất", "giảm sâu nhất"];
const RANK_RISE_MOST: [&str; 2] = ["bước tiến lớn nhất", "tăng nhiều bậc nhất"];
const RANK_FALL_MOST: [&str; 2] = ["giảm nhiều bậc nhất", "tụt nhiều bậc nhất"];
const HIGH: [&str; 5] = ["cao nhất", "thứ nhất", "đứng đầu", "dẫn đầu", "đạt điểm tối đa"];
const LOW: [&str; 3] = ["thấp nhất", "cuối bảng", "cuối cùng"];
const NO_DATA: [&str; 2] = ["không cung cấp số liệu", "không có số liệu"];
const BELOW: [&str; 2] = ["không được xếp hạng", "không xếp hạng"];
const NOT_APPLICABLE: [&str; 2] = ["không áp dụng", "không thuộc phạm vi áp dụng"];
/// Phrases that limit a comparison with last year to the units that can be compared
/// (by a declared comparison, less any the sentence leaves out).
const COMPARABLE: [&str; 3] = ["so sánh được", "do sáp nhập", "cả hai năm"];
/// After "trong 19 cơ quan": the comparable group the counts of the clause are taken in.
const GROUP_OF: [&str; 4] =
    ["so sánh được", "có số liệu cả hai năm", "có thứ hạng so sánh được", "có số liệu so sánh được"];

/// The units a sentence leaves out of its comparison "(không tính A, B và C do sáp nhập)".
fn left_out_for_merger(sentence: &str, m: &Matcher) -> BTreeSet<UnitId> {
    let Some(end) = sentence.find("do sáp nhập") else { return BTreeSet::new() };
    let Some(start) = sentence[..end].rfind("không tính") else { return BTreeSet::new() };
    m.find(&sentence[start..end])
        .into_iter()
        .filter_map(|(_, _, k)| match k {
            Kind::Unit(u) => Some(u.clone()),
            _ => None,
        })
        .collect()
}

/// Checks one clause; `sentence` gives context ("so với năm 2019").
fn clause(sc: &Scope, text: &str, m: &Matcher) -> Vec<Finding> {
    let mut out = Vec::new();
    let toks = scan(text, m);
    let (pre, gs) = groups(text, &toks);
    let y = sc.s.year;
    let mode = sc.mode();
    let blank =
        |s: &str, words: &[&str]| words.iter().fold(s.to_string(), |acc, w| acc.replace(w, &"_".repeat(w.len())));
    let plain = blank(text, &RISE_MOST);
    let plain = blank(&plain, &FALL_MOST);
    let high_at = first_pos(&plain, &HIGH).filter(|&p| !plain[..p].ends_with("% "));
    let low_at = first_pos(&plain, &LOW);
    let gap = has(text, &["chênh lệch"]);

    // The gap between the highest and the lowest.
    if gap
        && let Some(t) = toks.iter().find(|t| matches!(t.tok, Tok::Points(_)))
        && let Tok::Points(claimed) = t.tok
    {
        let vals = sc.values(y);
        if let (Some(hi), Some(lo)) = (vals.iter().map(|v| v.1).max(), vals.iter().map(|v| v.1).min()) {
            let expected = hi - lo;
            let v = judge(claimed, expected, mode);
            if v != Verdict::Ok {
                let printed_vals: Vec<Decimal> =
                    vals.iter().filter_map(|(u, _)| sc.printed(u, y)).map(|n| n.value).collect();
                let printed_gap = printed_vals.iter().max().zip(printed_vals.iter().min()).map(|(a, b)| *a - *b);
                let tops: Vec<UnitId> = vals.iter().filter(|x| x.1 == hi).map(|x| x.0.clone()).collect();
                let bottoms: Vec<UnitId> = vals.iter().filter(|x| x.1 == lo).map(|x| x.0.clone()).collect();
                let e = sc.ctx.fmt(expected, claimed.decimals);
                let (hi_t, lo_t) = (sc.ctx.fmt(hi, claimed.decimals), sc.ctx.fmt(lo, claimed.decimals));
                let from_printed = printed_gap.is_some_and(|g| judge(claimed, g, mode) == Verdict::Ok);
                let (nv, ne) = if from_printed {
                    (
                        " (khớp với điểm in trong bảng, nhưng các phần cộng lại cho kết quả khác)",
                        " (it matches the printed values, but their parts add up differently)",
                    )
                } else {
                    ("", "")
                };
                let (xv, xe) = sc.left_out();
                out.push(sc.finding(v, "narrative-gap").printed(t.text.clone()).expected(e.clone()).say(
                    format!(
                        "Chênh lệch {} giữa cao nhất {} ({hi_t}) và thấp nhất {} ({lo_t}){xv} là {e}, không phải {}{nv}",
                        sc.what(),
                        sc.names(&tops),
                        sc.names(&bottoms),
                        t.text
                    ),
                    format!(
                        "The {} gap between the highest, {} ({hi_t}), and the lowest, {} ({lo_t}){xe}, is {e}, not {}{ne}",
                        sc.what_en(),
                        sc.names(&tops),
                        sc.names(&bottoms),
                        t.text
                    ),
                ));
            }
        }
    }

    let any_value = gs.iter().any(|g| g.attrs.iter().any(|&i| matches!(toks[i].tok, Tok::Points(_))));
    // Units named anywhere in the clause: a tie is complete if they are all named, in one list or several.
    let clause_units: Vec<UnitId> = gs.iter().flat_map(|g| g.units.iter().cloned()).collect();
    let vals = sc.values(y);
    for g in &gs {
        let attrs: Vec<&T> = g.attrs.iter().map(|&i| &toks[i]).collect();
        let all: Vec<&T> = pre.iter().map(|&i| &toks[i]).chain(attrs.iter().copied()).collect();
        let value = attrs.iter().find_map(|t| match t.tok {
            Tok::Points(n) => Some((n, t.text.clone())),
            _ => None,
        });
        let group_text = text.get(g.start..attrs.last().map_or(g.end, |t| t.end)).unwrap_or("");
        let in_no_data = has(group_text, &NO_DATA)
            || pre.iter().any(|&i| matches!(toks[i].tok, Tok::Count(_))) && has(text, &NO_DATA) && value.is_none();

        // A unit named twice in one list.
        let mut seen: Vec<&UnitId> = Vec::new();
        for u in &g.units {
            if seen.contains(&u) {
                out.push(Finding::new(Severity::Warning, "narrative-duplicate", sc.loc.clone()).unit(sc.name(u)).say(
                    format!("{} được nêu hai lần trong cùng một danh sách", sc.name(u)),
                    format!("{} is named twice in the same list", sc.name(u)),
                ));
            } else {
                seen.push(u);
            }
        }
        let units: Vec<UnitId> = seen.into_iter().cloned().collect();

        // "(không tính A, B và C do sáp nhập)": each was formed by a merger since last year.
        if let Some(p) = sc.prev
            && text[..g.start].trim_end().trim_end_matches('(').trim_end().ends_with("không tính")
            && text[g.end..].trim_start().starts_with("do sáp nhập")
        {
            for u in units.iter().filter(|u| !sc.merged(u, p)) {
                out.push(Finding::new(Severity::Error, "narrative-count", sc.loc.clone()).unit(sc.name(u)).say(
                    format!("{} không phải đơn vị hình thành do sáp nhập sau năm {p}", sc.name(u)),
                    format!("{} was not formed by a merger after {p}", sc.name(u)),
                ));
            }
        }

        if in_no_data {
            let none = sc.facts.no_data.get(&(sc.s.fw, y)).cloned().unwrap_or_default();
            for u in units.iter().filter(|u| !none.contains(u)) {
                out.push(Finding::new(Severity::Error, "narrative-count", sc.loc.clone()).unit(sc.name(u)).say(
                    format!("Bảng không ghi {} là đơn vị không cung cấp số liệu", sc.name(u)),
                    format!("The tables do not show {} as a unit that sent no data", sc.name(u)),
                ));
            }
            continue;
        }

        // Each unit's own values: the value, changes, ranks, level.
        let change = attrs.iter().find_map(|t| match t.tok {
            Tok::From(n, fy) => Some((n, fy, t.text.clone())),
            _ => None,
        });
        let change_to = attrs.iter().find_map(|t| match t.tok {
            Tok::To(n, ty) => Some((n, ty, t.text.clone())),
            _ => None,
        });
        for u in &units {
            let Some(exact) = sc.exact(u, y) else { continue };
            if let Some((n, text)) = &value {
                let v = judge(*n, exact, mode);
                if v != Verdict::Ok {
                    let e = sc.ctx.fmt(exact, n.decimals);
                    let printed_ok = sc.printed(u, y).is_some_and(|p| judge(*n, p.value, mode) == Verdict::Ok);
                    let (vi, en) = if printed_ok {
                        (
                            format!(
                                "{} của {}: đoạn văn ghi {text} như trong bảng, nhưng các phần của nó cộng lại được {e}",
                                upper(&sc.what()),
                                sc.name(u)
                            ),
                            format!(
                                "{}'s {}: the text says {text}, as the table prints it, but its parts add up to {e}",
                                sc.name(u),
                                sc.what_en()
                            ),
                        )
                    } else {
                        (
                            format!(
                                "{} của {} theo các bảng là {e}, đoạn văn ghi {text}",
                                upper(&sc.what()),
                                sc.name(u)
                            ),
                            format!("{}'s {} is {e} in the tables; the text says {text}", sc.name(u), sc.what_en()),
                        )
                    };
                    out.push(
                        sc.finding(v, "narrative-value")
                            .unit(sc.name(u))
                            .printed(text.clone())
                            .expected(e.clone())
                            .say(vi, en),
                    );
                }
            }
            let from_year = |fy: Option<i32>| fy.or(sc.prev);
            if let Some((from, fy, ftext)) = &change
                && let Some(fy) = from_year(*fy)
                && let Some(before) = sc.exact(u, fy)
            {
                let v = judge(*from, before, mode);
                if v != Verdict::Ok {
                    let e = sc.ctx.fmt(before, from.decimals);
                    out.push(
                        sc.finding(v, "narrative-value")
                            .unit(sc.name(u))
                            .printed(ftext.clone())
                            .expected(e.clone())
                            .say(
                                format!("Năm {fy}, {} của {} là {e}, không phải {ftext}", sc.what(), sc.name(u)),
                                format!("In {fy}, {}'s {} was {e}, not {ftext}", sc.name(u), sc.what_en()),
                            ),
                    );
                }
            }
            if let Some((to, ty, ttext)) = &change_to {
                let ty = ty.unwrap_or(y);
                if let Some(now) = sc.exact(u, ty) {
                    let v = judge(*to, now, mode);
                    if v != Verdict::Ok {
                        let e = sc.ctx.fmt(now, to.decimals);
                        out.push(
                            sc.finding(v, "narrative-value")
                                .unit(sc.name(u))
                                .printed(ttext.clone())
                                .expected(e.clone())
                                .say(
                                    format!("Năm {ty}, {} của {} là {e}, không phải {ttext}", sc.what(), sc.name(u)),
                                    format!("In {ty}, {}'s {} was {e}, not {ttext}", sc.name(u), sc.what_en()),
                                ),
                        );
                    }
                }
            }
            for t in &attrs {
                match t.tok {
                    Tok::Rank(r, ry) => {
                        let ry = ry.unwrap_or(y);
                        if let Some(actual) = sc.rank(u, ry)
                            && actual != r
                        {
                            out.push(
                                Finding::new(Severity::Error, "narrative-rank", sc.loc.clone())
                                    .unit(sc.name(u))
                                    .printed(t.text.clone())
                                    .expected(actual.to_string())
                                    .say(
                                        format!("Năm {ry}, {} xếp thứ {actual}, không phải {}", sc.name(u), t.text),
                                        format!("In {ry}, {} ranked {actual}, not {}", sc.name(u), t.text),
                                    ),
                            );
                        }
                    }
                    Tok::RankOf(r, of) => {
                        let ranked = Decimal::from(
                            sc.facts.units_with_data(sc.s.fw, y).iter().filter(|x| sc.rank(x, y).is_some()).count(),
                        );
                        let actual = sc.rank(u, y);
                        if actual.is_some_and(|a| a != r) || ranked != of {
                            let e = format!("{}/{ranked}", actual.map_or("?".into(), |a| a.to_string()));
                            out.push(
                                Finding::new(Severity::Error, "narrative-rank", sc.loc.clone())
                                    .unit(sc.name(u))
                                    .printed(format!("{r}/{of}"))
                                    .expected(e.clone())
                                    .say(
                                        format!("{} xếp thứ {e} trong bảng, không phải {r}/{of}", sc.name(u)),
                                        format!("{} ranks {e} in the tables, not {r}/{of}", sc.name(u)),
                                    ),
                            );
                        }
                    }
                    Tok::Level(l) if sc.s.crit.is_none() => {
                        if let Some(actual) = sc.level(u, y)
                            && actual != Some(l)
                        {
                            let fw = &sc.ctx.frameworks[sc.s.fw];
                            let e = actual.map_or("KXH".to_string(), |i| fw.levels[i].name.clone());
                            out.push(
                                Finding::new(Severity::Error, "narrative-level", sc.loc.clone())
                                    .unit(sc.name(u))
                                    .printed(fw.levels[l].name.clone())
                                    .expected(e.clone())
                                    .say(
                                        format!(
                                            "Với tổng điểm trong bảng, {} đạt {e}, không phải {}",
                                            sc.name(u),
                                            fw.levels[l].name
                                        ),
                                        format!("By its total, {} is at {e}, not {}", sc.name(u), fw.levels[l].name),
                                    ),
                            );
                        }
                    }
                    _ => {}
                }
            }
            // "tăng 13 bậc": the change of rank from last year.
            if let Some(steps) = all.iter().find_map(|t| match t.tok {
                Tok::Steps(n) => Some((n, t.start)),
                _ => None,
            }) && let Some(p) = sc.prev
                && let (Some(before), Some(now)) = (sc.move_rank(u, p, p), sc.move_rank(u, y, p))
            {
                let up = text[..steps.1].rfind("tăng").map_or(0, |x| x + 1)
                    > text[..steps.1].rfind("giảm").map_or(0, |x| x + 1);
                let claimed = if up { steps.0 } else { -steps.0 };
                if before - now != claimed {
                    let (wv, we) = if sc.scoped {
                        let n = sc.rank_group(p, false).len();
                        (
                            format!(" (thứ hạng trong {n} đơn vị so sánh được)"),
                            format!(" (ranks among the {n} comparable units)"),
                        )
                    } else {
                        (String::new(), String::new())
                    };
                    out.push(Finding::new(Severity::Error, "narrative-rank", sc.loc.clone()).unit(sc.name(u)).printed(steps.0.to_string()).expected((before - now).abs().to_string()).say(
                        format!("{} từ hạng {before} năm {p} đến hạng {now} năm {y}{wv}: thay đổi {} bậc, không phải {}", sc.name(u), (before - now).abs(), steps.0),
                        format!("{} went from rank {before} in {p} to {now} in {y}{we}: {} places, not {}", sc.name(u), (before - now).abs(), steps.0),
                    ));
                }
            }
        }

        // Percent of the maximum, of the value the clause gives (else the unit's value).
        if let Some(pt) = attrs.iter().find(|t| matches!(t.tok, Tok::Percent(_)))
            && let Tok::Percent(p) = pt.tok
        {
            let base = value.as_ref().map(|(n, _)| n.value).or_else(|| match units.as_slice() {
                [u] => sc.exact(u, y),
                _ => None,
            });
            if let Some(base) = base
                && !sc.max().is_zero()
            {
                let exact = base * Decimal::ONE_HUNDRED / sc.max();
                let v = judge(p, exact, mode);
                if v != Verdict::Ok {
                    let e = sc.ctx.fmt(round(exact, p.decimals, mode), p.decimals);
                    let b = sc.ctx.fmt(base, value.as_ref().map_or(2, |(n, _)| n.decimals));
                    let mx = sc.ctx.fmt(sc.max(), 0);
                    out.push(
                        sc.finding(v, "narrative-percent")
                            .unit(sc.names(&units))
                            .printed(format!("{}%", pt.text))
                            .expected(format!("{e}%"))
                            .say(
                                format!("{b} trên {mx} điểm tối đa là {e}%, không phải {}%", pt.text),
                                format!("{b} of a maximum of {mx} is {e}%, not {}%", pt.text),
                            ),
                    );
                }
            }
        }

        // Highest or lowest: the value, the units, every unit tied at it.
        let g_pos = g.start;
        let nearest = |at: Option<usize>| at.map(|p| p.abs_diff(g_pos));
        let extreme = match (nearest(high_at), nearest(low_at)) {
            (Some(h), Some(l)) => Some(h <= l),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        };
        if let Some(high) = extreme
            && (value.is_some() || !any_value)
            && change.is_none()
            && !vals.is_empty()
        {
            let ext = if high { vals.iter().map(|v| v.1).max() } else { vals.iter().map(|v| v.1).min() };
            let Some(ext) = ext else { continue };
            let holders: Vec<UnitId> = vals.iter().filter(|v| v.1 == ext).map(|v| v.0.clone()).collect();
            let (word_vi, word_en) = if high { ("cao nhất", "highest") } else { ("thấp nhất", "lowest") };
            let d = value.as_ref().map_or(sc.ctx.frameworks[sc.s.fw].rounding.decimals, |(n, _)| n.decimals);
            let ext_text = sc.ctx.fmt(ext, d);
            let (xv, xe) = sc.left_out();
            let value_ok = match &value {
                Some((n, text)) => {
                    let v = judge(*n, ext, mode);
                    let named_right = !units.is_empty() && units.iter().all(|u| holders.contains(u));
                    if v != Verdict::Ok && !named_right {
                        out.push(
                            sc.finding(v, "narrative-extreme")
                                .unit(sc.names(&units))
                                .printed(text.clone())
                                .expected(ext_text.clone())
                                .say(
                                    format!(
                                        "{} {word_vi} là {ext_text} ({}){xv}, không phải {text}",
                                        upper(&sc.what()),
                                        sc.names(&holders)
                                    ),
                                    format!(
                                        "The {word_en} {} is {ext_text} ({}){xe}, not {text}",
                                        sc.what_en(),
                                        sc.names(&holders)
                                    ),
                                ),
                        );
                    }
                    v == Verdict::Ok
                }
                None => {
                    for u in units.iter().filter(|u| !holders.contains(u)) {
                        if let Some(x) = sc.exact(u, y) {
                            out.push(
                                Finding::new(Severity::Error, "narrative-extreme", sc.loc.clone())
                                    .unit(sc.name(u))
                                    .printed(sc.name(u))
                                    .expected(sc.names(&holders))
                                    .say(
                                        format!(
                                            "{} ({}) không phải đơn vị có {} {word_vi}: {} ({ext_text}){xv}",
                                            sc.name(u),
                                            sc.ctx.fmt(x, d),
                                            sc.what(),
                                            sc.names(&holders)
                                        ),
                                        format!(
                                            "{} ({}) does not have the {word_en} {}: {} ({ext_text}){xe}",
                                            sc.name(u),
                                            sc.ctx.fmt(x, d),
                                            sc.what_en(),
                                            sc.names(&holders)
                                        ),
                                    ),
                            );
                        }
                    }
                    true
                }
            };
            if value_ok && units.iter().any(|u| holders.contains(u)) {
                let missing: Vec<UnitId> = holders.iter().filter(|h| !clause_units.contains(h)).cloned().collect();
                if !missing.is_empty() {
                    out.push(
                        Finding::new(Severity::Warning, "narrative-tie", sc.loc.clone())
                            .unit(sc.names(&missing))
                            .printed(sc.names(&units))
                            .expected(sc.names(&holders))
                            .say(
                                format!(
                                    "Còn {} cũng có {} {word_vi} ({ext_text}) nhưng không được nêu",
                                    sc.names(&missing),
                                    sc.what()
                                ),
                                format!(
                                    "{} also {} the {word_en} {} ({ext_text}) but {} not named",
                                    sc.names(&missing),
                                    if missing.len() == 1 { "has" } else { "have" },
                                    sc.what_en(),
                                    if missing.len() == 1 { "is" } else { "are" }
                                ),
                            ),
                    );
                }
            }
        } else if let Some((n, _)) = &value
            && (has(text, &["có cùng", "cùng đạt", "đều đạt"])
                || pre.iter().any(|&i| matches!(toks[i].tok, Tok::Count(_))))
            && units.len() > 1
        {
            // Units named as tied at a value: everyone at that value should be named.
            let holders: Vec<UnitId> =
                vals.iter().filter(|v| judge(*n, v.1, mode) == Verdict::Ok).map(|v| v.0.clone()).collect();
            let missing: Vec<UnitId> = holders.iter().filter(|h| !clause_units.contains(h)).cloned().collect();
            if !missing.is_empty() && units.iter().any(|u| holders.contains(u)) {
                let t = sc.ctx.fmt(n.value, n.decimals);
                out.push(
                    Finding::new(Severity::Warning, "narrative-tie", sc.loc.clone())
                        .unit(sc.names(&missing))
                        .printed(sc.names(&units))
                        .expected(sc.names(&holders))
                        .say(
                            format!("Còn {} cũng đạt {t} điểm nhưng không được nêu", sc.names(&missing)),
                            format!(
                                "{} also scored {t} but {} not named",
                                sc.names(&missing),
                                if missing.len() == 1 { "is" } else { "are" }
                            ),
                        ),
                );
            }
        }

        // "Có 09 đơn vị có cùng …": the number of units at the value (or the extreme).
        if let Some(ct) = pre.iter().map(|&i| &toks[i]).find(|t| matches!(t.tok, Tok::Count(_)))
            && let Tok::Count(count) = ct.tok
            && !has(text.get(ct.end..g.start).unwrap_or(""), &["đạt mức", "mức i", "không được", "tăng", "giảm"])
        {
            let target = value.as_ref().map(|(n, _)| *n).or_else(|| {
                let ext = match extreme? {
                    true => vals.iter().map(|v| v.1).max()?,
                    false => vals.iter().map(|v| v.1).min()?,
                };
                Some(Num { value: ext, decimals: sc.ctx.frameworks[sc.s.fw].rounding.decimals })
            });
            if let Some(target) = target {
                let at = vals.iter().filter(|v| judge(target, v.1, mode) == Verdict::Ok).count();
                if Decimal::from(at) != count {
                    out.push(
                        Finding::new(Severity::Error, "narrative-count", sc.loc.clone())
                            .printed(ct.text.clone())
                            .expected(format!("{at:02}"))
                            .say(
                                format!(
                                    "Có {at} đơn vị đạt {} điểm, không phải {}",
                                    sc.ctx.fmt(target.value, target.decimals),
                                    ct.text
                                ),
                                format!(
                                    "{at} units have {}, not {}",
                                    sc.ctx.fmt(target.value, target.decimals),
                                    ct.text
                                ),
                            ),
                    );
                }
            }
        }

        // The largest rise or fall (of points, or of rank) is this unit's, and every unit
        // with the same change is named.
        let most = if has(text, &RISE_MOST) {
            Some((true, false))
        } else if has(text, &FALL_MOST) {
            Some((false, false))
        } else if has(text, &RANK_RISE_MOST) {
            Some((true, true))
        } else if has(text, &RANK_FALL_MOST) {
            Some((false, true))
        } else {
            None
        };
        if let Some((rise, by_rank)) = most
            && let Some(p) = change.as_ref().and_then(|c| c.1).or(sc.prev)
        {
            let deltas: Vec<(UnitId, Decimal)> = vals
                .iter()
                .filter(|(u, _)| sc.comparable(u, p))
                .filter_map(|(u, now)| {
                    if by_rank {
                        Some((u.clone(), sc.move_rank(u, p, p)? - sc.move_rank(u, y, p)?))
                    } else {
                        Some((u.clone(), *now - sc.exact(u, p)?))
                    }
                })
                .collect();
            let best = if rise { deltas.iter().map(|d| d.1).max() } else { deltas.iter().map(|d| d.1).min() };
            if let Some(best) = best {
                let holders: Vec<UnitId> = deltas.iter().filter(|d| d.1 == best).map(|d| d.0.clone()).collect();
                let (w_vi, w_en) = match (rise, by_rank) {
                    (true, false) => ("tăng điểm nhiều nhất", "rose most"),
                    (false, false) => ("giảm điểm nhiều nhất", "fell most"),
                    (true, true) => ("tăng hạng nhiều nhất", "rose most in rank"),
                    (false, true) => ("giảm hạng nhiều nhất", "fell most in rank"),
                };
                let amount = if by_rank {
                    best.abs().to_string()
                } else {
                    sc.ctx.fmt(best.abs(), sc.ctx.frameworks[sc.s.fw].rounding.decimals)
                };
                for u in units.iter().filter(|u| !holders.contains(u)) {
                    out.push(
                        Finding::new(Severity::Error, "narrative-change", sc.loc.clone())
                            .unit(sc.name(u))
                            .printed(sc.name(u))
                            .expected(sc.names(&holders))
                            .say(
                                format!(
                                    "Đơn vị {w_vi} ({amount}) là {}, không phải {}",
                                    sc.names(&holders),
                                    sc.name(u)
                                ),
                                format!(
                                    "The unit that {w_en} ({amount}) is {}, not {}",
                                    sc.names(&holders),
                                    sc.name(u)
                                ),
                            ),
                    );
                }
                let missing: Vec<UnitId> = holders.iter().filter(|h| !clause_units.contains(h)).cloned().collect();
                if !missing.is_empty() && units.iter().any(|u| holders.contains(u)) {
                    out.push(
                        Finding::new(Severity::Warning, "narrative-tie", sc.loc.clone())
                            .unit(sc.names(&missing))
                            .expected(sc.names(&holders))
                            .say(
                                format!("{} cũng {w_vi} ({amount}) nhưng không được nêu", sc.names(&missing)),
                                format!(
                                    "{} also {w_en} ({amount}) but {} not named",
                                    sc.names(&missing),
                                    if missing.len() == 1 { "is" } else { "are" }
                                ),
                            ),
                    );
                }
            }
        }
    }

    counts(sc, text, &toks, &mut out);
    let mut unique: Vec<Finding> = Vec::new();
    for f in out {
        if !unique.iter().any(|u| u.check == f.check && u.message(crate::Lang::En) == f.message(crate::Lang::En)) {
            unique.push(f);
        }
    }
    unique
}

/// Counts: "Có 01 cơ quan đạt Mức I; 04 …", "03 cơ quan không được xếp hạng …",
/// "01 đơn vị … không cung cấp số liệu", "16 cơ quan tăng và 04 cơ quan giảm",
/// "không có đơn vị nào đạt Mức IV", and "đều tăng"/"đều giảm"/"tất cả … đều đạt".
fn counts(sc: &Scope, text: &str, toks: &[T], out: &mut Vec<Finding>) {
    let y = sc.s.year;
    let fw = &sc.ctx.frameworks[sc.s.fw];
    let vals = sc.values(y);
    let count_toks: Vec<&T> = toks.iter().filter(|t| matches!(t.tok, Tok::Count(_))).collect();
    // Counts of a comparison with last year: the group's size and who rose, fell or stayed.
    let mut compared: Vec<(&T, Decimal, Compared)> = Vec::new();
    for (k, ct) in count_toks.iter().enumerate() {
        let Tok::Count(n) = ct.tok else { continue };
        let end = count_toks.get(k + 1).map_or(text.len(), |t| t.start);
        let pred = text.get(ct.end..end).unwrap_or("");
        let level = toks.iter().find_map(|t| match t.tok {
            Tok::Level(l) if t.start >= ct.end && t.start < end => Some(l),
            _ => None,
        });
        let trimmed = pred.trim_start();
        let group_of = COUNTED.iter().find_map(|w| trimmed.strip_prefix(w)).map(str::trim_start);
        if sc.prev.is_some()
            && let Some(rest) = group_of
            && GROUP_OF.iter().any(|g| rest.starts_with(g))
        {
            compared.push((ct, n, Compared::Group { ranks: rest.starts_with("có thứ hạng") }));
            continue;
        }
        let (actual, what_vi, what_en): (usize, String, String) = if has(pred, &NO_DATA) {
            (
                sc.facts.no_data.get(&(sc.s.fw, y)).map_or(0, Vec::len),
                "không cung cấp số liệu".into(),
                "sent no data".into(),
            )
        } else if sc.s.crit.is_none()
            && let Some(l) = level
        {
            let c = vals.iter().filter(|(u, _)| sc.level(u, y) == Some(Some(l))).count();
            (c, format!("đạt {}", fw.levels[l].name), format!("reached {}", fw.levels[l].name))
        } else if sc.s.crit.is_none() && has(pred, &BELOW) {
            let c = vals.iter().filter(|(u, _)| sc.level(u, y) == Some(None)).count();
            (c, "không được xếp hạng mức".into(), "below the lowest level".into())
        } else if sc.prev.is_some() && (has(pred, &["tăng", "giảm", "không đổi"])) && !has(pred, &["bậc", "nhất"])
        {
            let first = first_pos(pred, &["tăng", "giảm", "không đổi"]).unwrap_or(0);
            let w = &pred[first..];
            let way = if w.starts_with("tăng") {
                Ordering::Greater
            } else if w.starts_with("giảm") {
                Ordering::Less
            } else {
                Ordering::Equal
            };
            compared.push((ct, n, Compared::Change(way)));
            continue;
        } else {
            continue;
        };
        if Decimal::from(actual) != n {
            out.push(
                Finding::new(Severity::Error, "narrative-count", sc.loc.clone())
                    .printed(ct.text.clone())
                    .expected(format!("{actual:02}"))
                    .say(
                        format!("Theo các bảng, có {actual:02} đơn vị {what_vi}, không phải {}", ct.text),
                        format!("By the tables, {actual} units {what_en}, not {}", ct.text),
                    ),
            );
        }
    }
    if let Some(p) = sc.prev
        && !compared.is_empty()
    {
        out.extend(compared_counts(sc, p, &compared));
    }
    // "Không có đơn vị nào đạt … Mức IV".
    if sc.s.crit.is_none()
        && let Some(p) = text.find("không có")
        && text[p..].contains("nào")
        && let Some(l) = toks.iter().find_map(|t| match t.tok {
            Tok::Level(l) if t.start > p => Some(l),
            _ => None,
        })
    {
        let c = vals.iter().filter(|(u, _)| sc.level(u, y) == Some(Some(l))).count();
        if c > 0 {
            out.push(
                Finding::new(Severity::Error, "narrative-count", sc.loc.clone())
                    .printed("0")
                    .expected(format!("{c:02}"))
                    .say(
                        format!("Theo các bảng, có {c:02} đơn vị đạt {}", fw.levels[l].name),
                        format!("By the tables, {c} units reached {}", fw.levels[l].name),
                    ),
            );
        }
    }
    // "đều tăng / đều giảm so với năm …": every unit.
    let up = has(text, &["đều tăng"]);
    let down = has(text, &["đều giảm"]);
    if (up || down)
        && let Some(p) = sc.prev
    {
        let deltas: Vec<(UnitId, Decimal, Decimal)> = vals
            .iter()
            .filter(|(u, _)| sc.comparable(u, p))
            .filter_map(|(u, now)| Some((u.clone(), sc.exact(u, p)?, *now)))
            .collect();
        let wrong: Vec<&(UnitId, Decimal, Decimal)> =
            deltas.iter().filter(|(_, a, b)| if up { b <= a } else { b >= a }).collect();
        if !wrong.is_empty() {
            let d = fw.rounding.decimals;
            let list: Vec<String> = wrong
                .iter()
                .map(|(u, a, b)| format!("{} ({} → {})", sc.name(u), sc.ctx.fmt(*a, d), sc.ctx.fmt(*b, d)))
                .collect();
            let (w_vi, w_en) = if up { ("đều tăng", "all rose") } else { ("đều giảm", "all fell") };
            out.push(
                Finding::new(Severity::Error, "narrative-change", sc.loc.clone())
                    .printed(w_vi)
                    .expected(format!("{}/{}", deltas.len() - wrong.len(), deltas.len()))
                    .say(
                        format!("Không phải mọi đơn vị {w_vi} so với năm {p} ({}): {}", sc.what(), list.join("; ")),
                        format!("Not every unit {w_en} since {p} ({}): {}", sc.what_en(), list.join("; ")),
                    ),
            );
        }
    }
    if has(text, &["tất cả"])
        && has(text, &["đều đạt"])
        && let Some(t) = toks.iter().find(|t| matches!(t.tok, Tok::Points(_)))
        && let Tok::Points(n) = t.tok
    {
        let wrong: Vec<&(UnitId, Decimal)> =
            vals.iter().filter(|(_, v)| judge(n, *v, sc.mode()) != Verdict::Ok).collect();
        if !wrong.is_empty() {
            let d = n.decimals;
            let list: Vec<String> =
                wrong.iter().map(|(u, v)| format!("{} ({})", sc.name(u), sc.ctx.fmt(*v, d))).collect();
            out.push(Finding::new(Severity::Error, "narrative-value", sc.loc.clone()).printed(t.text.clone()).say(
                format!("Không phải mọi đơn vị đều đạt {} điểm: {}", t.text, list.join("; ")),
                format!("Not every unit has {}: {}", t.text, list.join("; ")),
            ));
        }
    }
}

/// A count in a comparison with last year.
#[derive(Debug, Clone, Copy)]
enum Compared {
    /// "trong 19 cơ quan so sánh được", "06 đơn vị có thứ hạng so sánh được".
    Group { ranks: bool },
    /// "11 cơ quan tăng điểm" (greater), "07 … giảm" (less), "02 … không đổi" (equal).
    Change(Ordering),
}

/// Checks the counts of one comparison with `p` together: the group they are taken in is
/// the comparable units (when the sentence says so, without those formed by a merger),
/// with or without the units the document declares scored by a not-applicable policy. The
/// sentence is right if one of these readings makes every count true; else the findings
/// are those of the reading the stated group size fits (or the first).
fn compared_counts(sc: &Scope, p: i32, claims: &[(&T, Decimal, Compared)]) -> Vec<Finding> {
    let y = sc.s.year;
    let readings: &[bool] = if sc.excluded.is_empty() { &[false] } else { &[false, true] };
    let mut results: Vec<(Vec<Finding>, bool)> = Vec::new();
    for &with in readings {
        let changes = sc.changes(p, with);
        let (xv, xe) = sc.scope_note(Some(p), with);
        let mut found = Vec::new();
        let mut group_ok = true;
        for &(ct, n, what) in claims {
            let (actual, vi, en) = match what {
                Compared::Group { ranks } => {
                    let actual = if ranks { sc.rank_group(p, with).len() } else { changes.len() };
                    let (wv, we) = if ranks { ("thứ hạng", "ranks") } else { ("số liệu", "figures") };
                    group_ok &= Decimal::from(actual) == n;
                    (
                        actual,
                        format!(
                            "Theo các bảng, có {actual:02} đơn vị có {wv} cả năm {p} và năm {y}{xv}, không phải {}",
                            ct.text
                        ),
                        format!("By the tables, {actual} units have {we} for both {p} and {y}{xe}, not {}", ct.text),
                    )
                }
                Compared::Change(way) => {
                    let actual = changes.iter().filter(|(_, d)| d.cmp(&Decimal::ZERO) == way).count();
                    let (wv, we) = match way {
                        Ordering::Greater => ("tăng", "rose"),
                        Ordering::Less => ("giảm", "fell"),
                        Ordering::Equal => ("không đổi", "were unchanged"),
                    };
                    let n_group = changes.len();
                    (
                        actual,
                        format!(
                            "Theo các bảng, trong {n_group:02} đơn vị so sánh được{xv}, có {actual:02} đơn vị {wv} ({}) \
                             so với năm {p}, không phải {}",
                            sc.what(),
                            ct.text
                        ),
                        format!(
                            "By the tables, of the {n_group} comparable units{xe}, {actual} {we} ({}) since {p}, not {}",
                            sc.what_en(),
                            ct.text
                        ),
                    )
                }
            };
            if Decimal::from(actual) != n {
                found.push(
                    Finding::new(Severity::Error, "narrative-count", sc.loc.clone())
                        .printed(ct.text.clone())
                        .expected(format!("{actual:02}"))
                        .say(vi, en),
                );
            }
        }
        results.push((found, group_ok));
    }
    let pick = results
        .iter()
        .position(|(f, _)| f.is_empty())
        .or_else(|| results.iter().position(|(_, group_ok)| *group_ok))
        .unwrap_or(0);
    results.swap_remove(pick).0
}

/// The criteria a clause names other than the paragraph's own (its groups and parts
/// aside), unless the words are part of the framework's own name.
fn other_criteria(sc: &Scope, text: &str, toks: &[T]) -> BTreeSet<usize> {
    let Some(subject) = sc.s.crit else { return BTreeSet::new() };
    let fw = &sc.ctx.frameworks[sc.s.fw];
    let related = |c: usize| {
        let mut a = Some(subject);
        while let Some(x) = a {
            if x == c {
                return true;
            }
            a = fw.criterion(x).parent;
        }
        let mut b = Some(c);
        while let Some(x) = b {
            if x == subject {
                return true;
            }
            b = fw.criterion(x).parent;
        }
        false
    };
    let fw_name = norm(&fw.name);
    toks.iter()
        .filter_map(|t| match t.tok {
            Tok::Crit(c) if !related(c) => {
                let before: Vec<&str> = text[..t.start].split_whitespace().collect();
                let phrase = format!("{} {}", before[before.len().saturating_sub(2)..].join(" "), t.text);
                (!fw_name.contains(phrase.trim())).then_some(c)
            }
            _ => None,
        })
        .collect()
}

pub fn check(ctx: &Ctx, facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    let headings: Vec<bool> = ctx
        .doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(p) => is_heading(p),
            Block::Table(_) => false,
        })
        .collect();
    let subjects = subjects(ctx, &headings);
    let excluded = not_applicable(ctx, facts, &headings, &subjects);
    let none = BTreeSet::new();
    let mut matchers = BTreeMap::new();
    for &(b, s, ti) in &subjects {
        let Block::Paragraph(p) = &ctx.doc.blocks[b] else { continue };
        let m = Matcher::of(&mut matchers, ctx, facts, s);
        let loc = Location {
            block: b,
            paragraph: Some(p.index),
            heading: heading_above(ctx, &headings, b),
            ..Default::default()
        };
        let latest_before = facts.units.keys().filter(|(f, yy)| *f == s.fw && *yy < s.year).map(|(_, yy)| *yy).max();
        let mut named: BTreeSet<usize> = BTreeSet::new();
        for (sentence, parts) in clauses(&p.text) {
            let prev = sentence
                .find("so với năm ")
                .and_then(|i| sentence.get(i + "so với năm ".len()..i + "so với năm ".len() + 4))
                .and_then(year4)
                .or(latest_before);
            let scoped = has(&sentence, &COMPARABLE);
            let mine = excluded.get(&ti).unwrap_or(&none);
            let left_out = left_out_for_merger(&sentence, m);
            let sc = Scope { ctx, facts, s, prev, loc: loc.clone(), excluded: mine, scoped, left_out: &left_out };
            for part in parts {
                let toks = scan(&part, m);
                let mut found = clause(&sc, &part, m);
                let others = other_criteria(&sc, &part, &toks);
                let has_claims = toks.iter().any(|t| matches!(t.tok, Tok::Unit(_) | Tok::Points(_)));
                if let Some(&other) = others.iter().next()
                    && has_claims
                {
                    let alt = Scope {
                        ctx,
                        facts,
                        s: Subject { crit: Some(other), ..s },
                        prev,
                        loc: loc.clone(),
                        excluded: &none,
                        scoped,
                        left_out: &left_out,
                    };
                    let alt_found = clause(&alt, &part, m);
                    let errors = |f: &[Finding]| f.iter().filter(|x| x.severity != Severity::Warning).count();
                    let (mine, theirs) = (errors(&found), errors(&alt_found));
                    if named.insert(other) {
                        let fw = &ctx.frameworks[s.fw];
                        let (said, meant) = (other, s.crit);
                        let said = fw.criterion(said).name.clone();
                        let meant = meant.map_or_else(|| "tổng điểm".to_string(), |c| fw.criterion(c).name.clone());
                        let (vi, en) = if theirs < mine {
                            (
                                format!("Đoạn văn thuộc mục về \"{meant}\" nhưng câu này nói về \"{said}\""),
                                format!(
                                    "The paragraph is in the section on \"{meant}\" but this sentence is about \"{said}\""
                                ),
                            )
                        } else {
                            (
                                format!(
                                    "Câu này gọi là \"{said}\" nhưng số liệu nêu ra là của \"{meant}\" (tiêu chí của mục này)"
                                ),
                                format!(
                                    "The sentence says \"{said}\" but its figures are those of \"{meant}\" (this section's criterion)"
                                ),
                            )
                        };
                        found.push(
                            Finding::new(Severity::Warning, "narrative-criterion", loc.clone())
                                .printed(said.clone())
                                .expected(meant.clone())
                                .say(vi, en),
                        );
                    }
                    if theirs < mine {
                        found.retain(|f| f.check == "narrative-criterion");
                        found.extend(alt_found);
                    }
                }
                out.extend(found);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_short_numbered_lines() {
        let p = |t: &str| Paragraph { text: t.into(), ..Default::default() };
        assert!(is_heading(&p("2.1. Nhóm tiêu chí Đánh giá điều kiện sẵn sàng")));
        assert!(is_heading(&p("b) Tiêu chí Ứng dụng CNTT trong hoạt động cơ quan nhà nước:")));
        assert!(is_heading(&p("IV. KẾT LUẬN")));
        assert!(!is_heading(&p(
            "Chênh lệch giữa đơn vị có điểm số cao nhất và đơn vị có điểm số thấp nhất là 6,0 điểm."
        )));
        assert!(!is_heading(&p("- Cột (8): Cung cấp thông tin")));
    }

    #[test]
    fn clauses_split_at_semicolons_and_new_subjects() {
        let c = clauses(
            "A cao nhất với 3,0 điểm (đạt 50% điểm tối đa), đơn vị có điểm thấp nhất là B; C. Chênh lệch là 2,0 điểm.",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].1.len(), 3, "{:?}", c[0].1);
    }
}
