//! The organisation's settings for its complaint procedure: the response term, who
//! coordinates, who deputises, the regulation text handed to clients, and how long finished
//! complaints are kept, and how long before a term its handler is warned.

use super::erasure::check_retention;
use super::roles::{Role, Roles};
use super::validation::{AllValid, FieldError, Text, ValidationErrors, ensure};

pub const NAME_MAX: usize = 200;
pub const REGULATION_MAX: usize = 50_000;
pub const TERM_DAYS: std::ops::RangeInclusive<i32> = 1..=90;
/// How long before a term its handler is warned, unless the organisation says otherwise.
pub const DEFAULT_DUE_SOON_HOURS: i32 = 24;
/// An hour's warning at least; a week's at most, the regulation's whole response term.
pub const DUE_SOON_HOURS: std::ops::RangeInclusive<i32> = 1..=168;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub response_term_days: i32,
    pub coordinator_id: Option<i64>,
    pub deputy_coordinator_id: Option<i64>,
    pub regulation_text: String,
    /// Months after which a finished complaint is erased; `None`: kept, for the reason
    /// `retention_reason` records.
    pub retention_months: Option<i32>,
    pub retention_reason: Option<String>,
    /// Hours before a term that its handler is warned (`complaint.response_due_soon`).
    pub due_soon_hours: i32,
}

/// A staff member named as coordinator or deputy, as far as the service knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// The setting is not being changed: it keeps this value.
    Current(Option<i64>),
    Nobody,
    /// An id the service has never seen a token for.
    Unknown,
    Known {
        id: i64,
        roles: Roles,
    },
}

fn check_coordinator(field: &str, named: Named) -> Result<Option<i64>, FieldError> {
    match named {
        Named::Current(id) => Ok(id),
        Named::Nobody => Ok(None),
        Named::Unknown => Err(FieldError::new(
            field,
            "is not known here yet: they sign in once, with the klachtencoordinator role",
        )),
        Named::Known { id, roles } if roles.has(Role::Klachtencoordinator) => Ok(Some(id)),
        Named::Known { .. } => {
            Err(FieldError::new(field, "does not hold the klachtencoordinator role"))
        }
    }
}

/// A retention term as a patch leaves it: months or none, and the reason for none.
pub type Retention<'a> = (Option<i32>, Option<&'a str>);

/// Checks new settings: both coordinators hold the coordinator role and are two people, the
/// term is 1 to 90 days, the retention term at least a year or none with a reason, the
/// warning 1 to 168 hours before a term.
pub fn check_settings(
    name: &str,
    response_term_days: i32,
    (coordinator, deputy): (Named, Named),
    regulation_text: &str,
    (retention_months, retention_reason): Retention<'_>,
    due_soon_hours: i32,
) -> Result<Settings, ValidationErrors> {
    let coordinator = check_coordinator("coordinator_id", coordinator);
    let deputy = check_coordinator("deputy_coordinator_id", deputy);
    let two_people = !matches!((&coordinator, &deputy), (Ok(Some(c)), Ok(Some(d))) if c == d);
    let (name, (), coordinator_id, deputy_id, (), regulation_text, retention, ()) = (
        Text::parse("name", name, NAME_MAX),
        ensure(
            TERM_DAYS.contains(&response_term_days),
            "response_term_days",
            "must be between 1 and 90 days",
        ),
        coordinator,
        deputy,
        ensure(
            two_people,
            "deputy_coordinator_id",
            "must be someone other than the coordinator: the deputy takes complaints about them",
        ),
        Text::parse_may_be_empty("regulation_text", regulation_text, REGULATION_MAX),
        check_retention(retention_months, retention_reason),
        ensure(
            DUE_SOON_HOURS.contains(&due_soon_hours),
            "due_soon_hours",
            "must be between 1 and 168 hours",
        ),
    )
        .all_valid()?;
    let (retention_months, retention_reason) = retention;
    Ok(Settings {
        name: name.into_string(),
        response_term_days,
        coordinator_id,
        deputy_coordinator_id: deputy_id,
        regulation_text: regulation_text.into_string(),
        retention_months,
        retention_reason,
        due_soon_hours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_YEARS: Retention<'static> = (Some(24), None);
    const DAY: i32 = 24;

    fn coordinator(id: i64) -> Named {
        Named::Known { id, roles: Roles::default().with(Role::Klachtencoordinator) }
    }

    fn fields(result: Result<Settings, ValidationErrors>) -> Vec<String> {
        result.unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn settings_name_two_coordinators() {
        let ok = check_settings(
            " Kantoor ",
            7,
            (coordinator(1), coordinator(2)),
            "Regeling",
            TWO_YEARS,
            DAY,
        )
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.coordinator_id, ok.deputy_coordinator_id),
            ("Kantoor", Some(1), Some(2))
        );
        assert!(check_settings("K", 7, (Named::Nobody, Named::Nobody), "", TWO_YEARS, DAY).is_ok());
        assert_eq!(
            fields(check_settings("K", 7, (coordinator(1), coordinator(1)), "", TWO_YEARS, DAY)),
            ["deputy_coordinator_id"]
        );
        let dienstverlener =
            Named::Known { id: 3, roles: Roles::default().with(Role::Dienstverlener) };
        assert_eq!(
            fields(check_settings("K", 7, (dienstverlener, Named::Unknown), "", TWO_YEARS, DAY)),
            ["coordinator_id", "deputy_coordinator_id"]
        );
        assert_eq!(
            fields(check_settings("", 0, (Named::Nobody, Named::Nobody), "", TWO_YEARS, DAY)),
            ["name", "response_term_days"]
        );
        assert_eq!(
            fields(check_settings("K", 91, (Named::Nobody, Named::Nobody), "", TWO_YEARS, DAY)),
            ["response_term_days"]
        );
    }

    #[test]
    fn the_warning_comes_an_hour_to_a_week_before_a_term() {
        let nobody = (Named::Nobody, Named::Nobody);
        for hours in [1, 24, 168] {
            let ok = check_settings("K", 7, nobody, "", TWO_YEARS, hours).unwrap();
            assert_eq!(ok.due_soon_hours, hours);
        }
        for hours in [0, -1, 169] {
            assert_eq!(
                fields(check_settings("K", 7, nobody, "", TWO_YEARS, hours)),
                ["due_soon_hours"]
            );
        }
    }
}
