//! Who does something: a user with a role and, for reporters, the units they report for.

use crate::{Error, Result};
use chiso_store::{Role, UserRow};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// As stored, and as the audit trail names them.
    pub username: String,
    pub role: Role,
    /// Unit codes; only reporters are bound to units.
    pub units: Vec<String>,
}

impl Actor {
    pub fn of(row: &UserRow) -> Actor {
        Actor { username: row.username.clone(), role: row.role, units: row.units.clone() }
    }

    /// The command line: whoever runs `chiso` on the server's machine administers it.
    pub fn cli() -> Actor {
        Actor { username: "cli".into(), role: Role::Admin, units: Vec::new() }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// `Forbidden` unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<()> {
        if roles.contains(&self.role) { Ok(()) } else { Err(Error::forbidden()) }
    }

    /// May this actor see this unit's submission? Reporters only their own units.
    pub fn can_read_unit(&self, unit: &str) -> bool {
        match self.role {
            Role::Reporter => self.units.iter().any(|u| u == unit),
            Role::Admin | Role::Assessor | Role::Viewer => true,
        }
    }

    /// May this actor write this unit's submission? Only its reporters.
    pub fn can_write_unit(&self, unit: &str) -> bool {
        self.role == Role::Reporter && self.units.iter().any(|u| u == unit)
    }
}
