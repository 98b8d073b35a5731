//! The organisation's settings for its complaint procedure: the response term, who
//! coordinates, who deputises, the regulation text handed to clients, the external dispute
//! body a client can turn to, how long finished complaints are kept, and how long before a term
//! its handler is warned.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::erasure::check_retention;
use super::roles::{Role, Roles};
use super::validation::{AllValid, FieldError, Text, ValidationErrors, ensure};

pub const NAME_MAX: usize = 200;
pub const REGULATION_MAX: usize = 50_000;
pub const TERM_DAYS: std::ops::RangeInclusive<i32> = 1..=90;
pub const DISPUTE_ADDRESS_MAX: usize = 500;
pub const DISPUTE_URL_MAX: usize = 2_000;

/// Where a client can turn when not satisfied with how the firm handled the complaint (the
/// Bar's model regulation asks the firm to name it): an external body such as Kifid or the
/// Geschillencommissie. The confirmation letter and the public regulation name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    #[schema(example = "Klachteninstituut Financiële Dienstverlening (Kifid)", max_length = 200)]
    pub name: String,
    /// Its postal address, a line per line of the envelope.
    #[schema(example = "Postbus 93257\n2509 AG  Den Haag", max_length = 500)]
    #[serde(default)]
    pub address: Option<String>,
    /// Its website: an `http(s)` address.
    #[schema(example = "https://www.kifid.nl", max_length = 2000)]
    #[serde(default)]
    pub url: Option<String>,
}

impl DisputeBody {
    /// Checks every part, reporting fields under `dispute_body`: texts trimmed and bounded
    /// (a blank address or website is none), the website an http(s) address.
    pub fn check(&self) -> Result<DisputeBody, ValidationErrors> {
        let (name, address, url) = (
            Text::parse("dispute_body.name", &self.name, NAME_MAX),
            Text::parse_optional(
                "dispute_body.address",
                self.address.as_deref(),
                DISPUTE_ADDRESS_MAX,
            ),
            Text::parse_optional("dispute_body.url", self.url.as_deref(), DISPUTE_URL_MAX)
                .and_then(|url| url.map(check_website).transpose()),
        )
            .all_valid()?;
        Ok(DisputeBody { name: name.into_string(), address: address.map(Text::into_string), url })
    }
}

/// A website a client is sent to: http or https, a host, no user or password, one line.
fn check_website(url: Text) -> Result<String, FieldError> {
    let refused = || {
        FieldError::new(
            "dispute_body.url",
            "must be an http(s) address such as https://www.kifid.nl",
        )
    };
    let parsed = url::Url::parse(url.as_str()).map_err(|_| refused())?;
    let plain = matches!(parsed.scheme(), "http" | "https")
        && parsed.host().is_some()
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && !url.as_str().contains(char::is_whitespace);
    if plain { Ok(url.into_string()) } else { Err(refused()) }
}
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
    /// Where a client can turn when not satisfied; `None`: the regulation says.
    pub dispute_body: Option<DisputeBody>,
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
/// dispute body named with a well-formed address and website, a warning 1 to 168 hours before a
/// term.
pub fn check_settings(
    name: &str,
    response_term_days: i32,
    (coordinator, deputy): (Named, Named),
    (regulation_text, dispute_body): (&str, Option<&DisputeBody>),
    (retention_months, retention_reason): Retention<'_>,
    due_soon_hours: i32,
) -> Result<Settings, ValidationErrors> {
    let coordinator = check_coordinator("coordinator_id", coordinator);
    let deputy = check_coordinator("deputy_coordinator_id", deputy);
    let two_people = !matches!((&coordinator, &deputy), (Ok(Some(c)), Ok(Some(d))) if c == d);
    let (name, (), coordinator_id, deputy_id, (), regulation_text, retention, dispute_body, ()) = (
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
        dispute_body.map(DisputeBody::check).transpose(),
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
        dispute_body,
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
            ("Regeling", None),
            TWO_YEARS,
            DAY,
        )
        .unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.coordinator_id, ok.deputy_coordinator_id),
            ("Kantoor", Some(1), Some(2))
        );
        assert!(
            check_settings("K", 7, (Named::Nobody, Named::Nobody), ("", None), TWO_YEARS, DAY)
                .is_ok()
        );
        assert_eq!(
            fields(check_settings(
                "K",
                7,
                (coordinator(1), coordinator(1)),
                ("", None),
                TWO_YEARS,
                DAY
            )),
            ["deputy_coordinator_id"]
        );
        let dienstverlener =
            Named::Known { id: 3, roles: Roles::default().with(Role::Dienstverlener) };
        assert_eq!(
            fields(check_settings(
                "K",
                7,
                (dienstverlener, Named::Unknown),
                ("", None),
                TWO_YEARS,
                DAY
            )),
            ["coordinator_id", "deputy_coordinator_id"]
        );
        assert_eq!(
            fields(check_settings(
                "",
                0,
                (Named::Nobody, Named::Nobody),
                ("", None),
                TWO_YEARS,
                DAY
            )),
            ["name", "response_term_days"]
        );
        assert_eq!(
            fields(check_settings(
                "K",
                91,
                (Named::Nobody, Named::Nobody),
                ("", None),
                TWO_YEARS,
                DAY
            )),
            ["response_term_days"]
        );
    }

    #[test]
    fn a_dispute_body_is_named_with_a_website_of_http_or_https() {
        let body = |address: Option<&str>, url: Option<&str>| DisputeBody {
            name: " Kifid ".into(),
            address: address.map(Into::into),
            url: url.map(Into::into),
        };
        let checked =
            body(Some(" Postbus 93257\n2509 AG Den Haag "), Some("https://www.kifid.nl/"))
                .check()
                .unwrap();
        assert_eq!(checked.name, "Kifid");
        assert_eq!(checked.address.as_deref(), Some("Postbus 93257\n2509 AG Den Haag"));
        assert_eq!(checked.url.as_deref(), Some("https://www.kifid.nl/"));
        assert_eq!(body(Some(" "), Some("")).check().unwrap(), body(None, None).check().unwrap());
        for url in [
            "javascript:alert(1)",
            "ftp://kifid.nl",
            "www.kifid.nl",
            "https://user:pw@kifid.nl",
            "https://kifid.nl/a b",
        ] {
            let err = body(None, Some(url)).check().unwrap_err();
            assert_eq!(fields(Err(err)), ["dispute_body.url"], "{url}");
        }
        let nameless = DisputeBody { name: " ".into(), ..body(Some(&"x".repeat(501)), None) };
        assert_eq!(
            fields(Err(nameless.check().unwrap_err())),
            ["dispute_body.name", "dispute_body.address"]
        );
        let settings = |b: &DisputeBody| {
            check_settings("K", 7, (Named::Nobody, Named::Nobody), ("", Some(b)), TWO_YEARS, DAY)
        };
        assert_eq!(settings(&body(None, None)).unwrap().dispute_body.unwrap().name, "Kifid");
        assert_eq!(fields(settings(&body(None, Some("kifid")))), ["dispute_body.url"]);
    }

    #[test]
    fn the_warning_comes_an_hour_to_a_week_before_a_term() {
        let nobody = (Named::Nobody, Named::Nobody);
        for hours in [1, 24, 168] {
            let ok = check_settings("K", 7, nobody, ("", None), TWO_YEARS, hours).unwrap();
            assert_eq!(ok.due_soon_hours, hours);
        }
        for hours in [0, -1, 169] {
            assert_eq!(
                fields(check_settings("K", 7, nobody, ("", None), TWO_YEARS, hours)),
                ["due_soon_hours"]
            );
        }
    }
}
