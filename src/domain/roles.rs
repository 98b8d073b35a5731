//! The two roles of the regulation and the caller as the rules see them.

use strum::VariantArray as _;

vocabulary! {
    pub enum Role {
        /// The employee who gives the service and handles a complaint about it directly.
        Dienstverlener,
        /// Registers and classifies, is consulted on every step, signs, runs the improvement cycle.
        Klachtencoordinator,
    }
}

/// The set of roles a token carries. Unknown role names are ignored: an identity provider
/// often issues roles for other applications too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles {
    pub dienstverlener: bool,
    pub klachtencoordinator: bool,
}

impl Roles {
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Roles {
        names.into_iter().fold(Roles::default(), |roles, name| match name.parse::<Role>() {
            Ok(role) => roles.with(role),
            Err(_) => roles,
        })
    }

    pub fn with(mut self, role: Role) -> Roles {
        match role {
            Role::Dienstverlener => self.dienstverlener = true,
            Role::Klachtencoordinator => self.klachtencoordinator = true,
        }
        self
    }

    pub fn has(self, role: Role) -> bool {
        match role {
            Role::Dienstverlener => self.dienstverlener,
            Role::Klachtencoordinator => self.klachtencoordinator,
        }
    }

    pub fn is_empty(self) -> bool {
        !self.dienstverlener && !self.klachtencoordinator
    }

    pub fn to_vec(self) -> Vec<Role> {
        Role::VARIANTS.iter().copied().filter(|r| self.has(*r)).collect()
    }

    /// The stored form: role names separated by commas.
    pub fn to_stored(self) -> String {
        self.to_vec().iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn from_stored(stored: &str) -> Roles {
        Roles::from_names(stored.split(',').filter(|s| !s.is_empty()))
    }
}

/// A staff member as the register shows them: the identity provider's id and the name their
/// token last gave (none until they sign in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub subject: String,
    pub name: Option<String>,
}

/// The caller, reduced to what the rules need: who they are in this organisation and which
/// roles their token gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: i64,
    pub roles: Roles,
}

impl Actor {
    pub fn is_coordinator(&self) -> bool {
        self.roles.klachtencoordinator
    }

    pub fn is_dienstverlener(&self) -> bool {
        self.roles.dienstverlener
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_ignore_unknown_names_and_round_trip() {
        let roles = Roles::from_names(["klachtencoordinator", "admin", "dienstverlener"]);
        assert!(roles.dienstverlener && roles.klachtencoordinator);
        assert_eq!(roles.to_stored(), "dienstverlener,klachtencoordinator");
        assert_eq!(Roles::from_stored(&roles.to_stored()), roles);
        assert!(Roles::from_names(["admin"]).is_empty());
        assert_eq!(Roles::from_stored(""), Roles::default());
    }
}
