//! Parsing request values into checked domain values ("parse, don't validate"): once a value
//! has one of these types, its length and form are known to be right.

use std::fmt;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};

use serde::Serialize;
use utoipa::ToSchema;

/// One thing wrong with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON path into the request body or the query parameter's name.
    #[schema(example = "complainant.name")]
    pub field: String,
    #[schema(example = "is required for a complaint from outside the firm")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Everything wrong with a request, reported together so that a form can show all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        ValidationErrors(vec![e])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))
    }
}

impl ValidationErrors {
    /// The errors of a part of a request, named as fields of `prefix` (`assessments[0].follow_up`).
    pub fn within(self, prefix: &str) -> ValidationErrors {
        let errors = self.0.into_iter();
        ValidationErrors(
            errors.map(|e| FieldError::new(format!("{prefix}.{}", e.field), e.message)).collect(),
        )
    }

    fn gather(parts: impl IntoIterator<Item = Option<ValidationErrors>>) -> ValidationErrors {
        ValidationErrors(parts.into_iter().flatten().flat_map(|e| e.0).collect())
    }
}

/// The one way to check several fields at once: every value when all checks pass, or every
/// error, in order. `(title, due_on).all_valid()?` — a failed check leaves no value behind to
/// be missed, so there is no "impossible" case to handle.
pub trait AllValid {
    type Values;
    fn all_valid(self) -> Result<Self::Values, ValidationErrors>;
}

macro_rules! all_valid_for_tuples {
    ($($value:ident: $t:ident, $e:ident);+) => {
        impl<$($t, $e: Into<ValidationErrors>),+> AllValid for ($(Result<$t, $e>,)+) {
            type Values = ($($t,)+);

            fn all_valid(self) -> Result<Self::Values, ValidationErrors> {
                let ($($value,)+) = self;
                match ($($value,)+) {
                    ($(Ok($value),)+) => Ok(($($value,)+)),
                    ($($value,)+) => {
                        Err(ValidationErrors::gather([$($value.err().map(Into::into)),+]))
                    }
                }
            }
        }
    };
}

all_valid_for_tuples!(a: A, EA; b: B, EB);
all_valid_for_tuples!(a: A, EA; b: B, EB; c: C, EC);
all_valid_for_tuples!(a: A, EA; b: B, EB; c: C, EC; d: D, ED);
all_valid_for_tuples!(a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE);
all_valid_for_tuples!(a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE; f: F, EF);
all_valid_for_tuples!(a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE; f: F, EF; g: G, EG);
all_valid_for_tuples!(a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE; f: F, EF; g: G, EG; h: H, EH);
all_valid_for_tuples!(
    a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE; f: F, EF; g: G, EG; h: H, EH; i: I, EI
);
all_valid_for_tuples!(
    a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE; f: F, EF; g: G, EG; h: H, EH; i: I, EI;
    j: J, EJ
);
all_valid_for_tuples!(
    a: A, EA; b: B, EB; c: C, EC; d: D, ED; e: E, EE; f: F, EF; g: G, EG; h: H, EH; i: I, EI;
    j: J, EJ; k: K, EK
);

/// Checks of a list's items, each its own.
impl<T, E: Into<ValidationErrors>> AllValid for Vec<Result<T, E>> {
    type Values = Vec<T>;

    fn all_valid(self) -> Result<Vec<T>, ValidationErrors> {
        let (values, errors): (Vec<_>, Vec<_>) = self.into_iter().partition(Result::is_ok);
        if errors.is_empty() {
            Ok(values.into_iter().flatten().collect())
        } else {
            Err(ValidationErrors::gather(errors.into_iter().map(|e| e.err().map(Into::into))))
        }
    }
}

/// A rule between fields, as a check: `ensure(from <= to, "to", "is before from")`.
pub fn ensure(holds: bool, field: &str, message: &str) -> Result<(), FieldError> {
    if holds { Ok(()) } else { Err(FieldError::new(field, message)) }
}

/// The years a date the register deals in lies in: one rule for every day it is given (a
/// due date, a meeting, a period, a filter). From 1990 because no register goes back
/// further — a complaint's receipt has the same bound — and an earlier year is a typing
/// error; one lower bound everywhere, so that every span of the register can be asked
/// about and counted alike. To 9999, the last year written with four digits.
pub const YEARS: RangeInclusive<i32> = 1990..=9999;

/// A day within [`YEARS`].
pub fn check_day(field: &str, day: NaiveDate) -> Result<NaiveDate, FieldError> {
    if YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(FieldError::new(
            field,
            format!("must be a date between the years {} and {}", YEARS.start(), YEARS.end()),
        ))
    }
}

/// A span of days, either end possibly open: each day within [`YEARS`], the first not after
/// the last. Names the first field at fault.
pub fn check_days(
    (from_field, from): (&str, Option<NaiveDate>),
    (to_field, to): (&str, Option<NaiveDate>),
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), FieldError> {
    let from = from.map(|d| check_day(from_field, d)).transpose()?;
    let to = to.map(|d| check_day(to_field, d)).transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        ensure(from <= to, to_field, &format!("is before {from_field}"))?;
    }
    Ok((from, to))
}

/// Trimmed text of 1 to `max` characters with no control characters other than line breaks
/// (`\n`, or `\r\n` as Windows writes them) and tabs: the one checked type every text of a
/// request becomes. NUL in particular never reaches a database (PostgreSQL refuses it in
/// text and would answer 500; SQLite would store it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(String);

impl Text {
    pub fn parse(field: &str, value: &str, max: usize) -> Result<Text, FieldError> {
        if value.trim().is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        Text::parse_may_be_empty(field, value, max)
    }

    /// Like [`Text::parse`] for a text that may be empty (the regulation's text, a note).
    pub fn parse_may_be_empty(field: &str, value: &str, max: usize) -> Result<Text, FieldError> {
        let trimmed = value.trim();
        let length = trimmed.chars().count();
        if length > max {
            return Err(FieldError::new(
                field,
                format!("is {length} characters long; at most {max} are allowed"),
            ));
        }
        if has_control_characters(trimmed) {
            return Err(FieldError::new(
                field,
                "contains control characters; only line breaks and tabs are allowed",
            ));
        }
        Ok(Text(trimmed.to_owned()))
    }

    /// Like [`Text::parse`] for a value that may be absent or blank, which both mean "none".
    pub fn parse_optional(
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Result<Option<Text>, FieldError> {
        match value.map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => Text::parse(field, v, max).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether `text` holds a control character other than a line break (`\n`, `\r\n`) or a tab.
fn has_control_characters(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control(),
        };
        if !allowed {
            return true;
        }
    }
    false
}

/// A single-line identifier issued elsewhere: an identity provider's subject, a
/// practice-management system's client id. No whitespace, at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalId(String);

impl ExternalId {
    pub const MAX: usize = 255;

    pub fn parse(field: &str, value: &str) -> Result<ExternalId, FieldError> {
        if value.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if value.chars().count() > Self::MAX {
            return Err(FieldError::new(field, format!("is longer than {} characters", Self::MAX)));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new(field, "must not contain spaces or control characters"));
        }
        Ok(ExternalId(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address of plausible form: one `@`, a dot in the domain, no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> Result<Email, FieldError> {
        let v = value.trim();
        let plausible = v.len() <= 254
            && !v.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(v.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@')
                    && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'));
        if plausible {
            Ok(Email(v.to_owned()))
        } else {
            Err(FieldError::new(field, "is not an e-mail address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone number: digits with the usual separators, an optional leading `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, value: &str) -> Result<Phone, FieldError> {
        let v = value.trim();
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let allowed = v
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
        // The length as the contract documents it (`maxLength: 30`), separators included.
        if allowed && (6..=20).contains(&digits) && v.chars().count() <= 30 {
            Ok(Phone(v.to_owned()))
        } else {
            Err(FieldError::new(field, "is not a telephone number"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `url` points at this machine: the only place the register's data may be sent
/// unencrypted (a local relay or proxy, a test receiver).
pub fn is_this_machine(url: &url::Url) -> bool {
    match url.host() {
        // Schemes url does not know (smtp://) keep an IP address as an opaque host name.
        Some(url::Host::Domain(host)) => {
            host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::parse("f", "  hallo \n", 10).unwrap().as_str(), "hallo");
        assert_eq!(Text::parse("f", "   ", 10).unwrap_err().message, "must not be empty");
        let long = Text::parse("f", "ééééé", 4).unwrap_err();
        assert_eq!(long.field, "f");
        assert!(long.message.contains("5 characters"), "{}", long.message);
        assert!(Text::parse("f", "a\u{0007}b", 10).is_err());
        assert!(Text::parse("f", "regel 1\nregel 2\tmet tab\r\nregel 3", 40).is_ok());
        for control in ["a\u{0}b", "a\rb", "a\u{1b}[31mb", "a\u{7f}b", "a\u{85}b"] {
            assert!(Text::parse("f", control, 10).is_err(), "{control:?}");
            assert!(Text::parse_may_be_empty("f", control, 10).is_err(), "{control:?}");
        }
        assert_eq!(Text::parse_may_be_empty("f", "  ", 10).unwrap().as_str(), "");
        assert_eq!(Text::parse_optional("f", Some("  "), 5).unwrap(), None);
        assert_eq!(Text::parse_optional("f", None, 5).unwrap(), None);
    }

    #[test]
    fn external_ids_are_single_words() {
        assert!(ExternalId::parse("id", "auth0|12345").is_ok());
        assert!(ExternalId::parse("id", "").is_err());
        assert!(ExternalId::parse("id", "two words").is_err());
        assert!(ExternalId::parse("id", &"x".repeat(256)).is_err());
    }

    #[test]
    fn emails_and_phones_have_plausible_form() {
        assert!(Email::parse("e", "j.jansen@example.nl").is_ok());
        for bad in ["jansen", "a@b", "a@@b.nl", "a b@c.nl", "@c.nl", "a@.nl"] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
        assert!(Phone::parse("p", "+31 (0)20-123 4567").is_ok());
        for bad in ["12", "0612345678a", "06+12345678", "+"] {
            assert!(Phone::parse("p", bad).is_err(), "{bad}");
        }
    }

    fn fields(errors: ValidationErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_error_is_collected_and_every_value_kept() {
        let (a, b) =
            (Text::parse("a", "ok", 5), Email::parse("b", "j@example.nl")).all_valid().unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("ok", "j@example.nl"));
        let failed = (
            Text::parse("a", "ok", 5),
            Text::parse("b", "", 5),
            Email::parse("c", "x"),
            ensure(false, "d", "is wrong"),
        )
            .all_valid()
            .unwrap_err();
        assert_eq!(fields(failed), ["b", "c", "d"]);
        let nested = ValidationErrors::from(FieldError::new("title", "x")).within("follow_up");
        assert_eq!(fields(nested.clone()), ["follow_up.title"]);
        let list = vec![Ok(1), Err(nested), Ok(3)].all_valid().unwrap_err();
        assert_eq!(fields(list), ["follow_up.title"]);
        assert_eq!(vec![Ok::<_, FieldError>(1), Ok(2)].all_valid().unwrap(), [1, 2]);
    }

    #[test]
    fn days_lie_between_1990_and_9999_in_order() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(check_day("due_on", day(1990, 1, 1)).is_ok());
        assert_eq!(check_day("due_on", day(1989, 12, 31)).unwrap_err().field, "due_on");
        let (from, to) = (Some(day(2026, 1, 1)), Some(day(2026, 2, 1)));
        assert_eq!(check_days(("from", from), ("to", to)), Ok((from, to)));
        assert_eq!(check_days(("from", to), ("to", from)).unwrap_err().field, "to");
        assert_eq!(
            check_days(("from", Some(day(1900, 1, 1))), ("to", None)).unwrap_err().field,
            "from"
        );
        assert_eq!(check_days(("from", None), ("to", None)), Ok((None, None)));
    }
}
