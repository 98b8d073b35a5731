//! Whom a subject-access request (AVG art. 15) is about, and which complaints hold data about
//! them: complaints where they are the complainant or the client.
//!
//! Matching is deliberately exact, so that the answer holds no one else's data:
//! - an e-mail address matches the complainant's, ignoring case and surrounding spaces;
//! - a name matches the complainant's or the client's name, ignoring case, surrounding spaces
//!   and runs of spaces inside (`"j.  DE vries"` finds `"J. de Vries"`) — nothing fuzzier:
//!   `"J. de Vries"` does not find `"Jan de Vries"`; ask again with each spelling;
//! - a client id matches the client's id in the practice-management system exactly.

use serde_json::Value;

use super::complaint::NAME_MAX;
use super::validation::{Email, ExternalId, FieldError, Text, ValidationErrors};

/// The one term a request searches by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// Lower-cased.
    Email(String),
    /// Lower-cased, its spaces normalised.
    Name(String),
    ClientId(String),
}

/// The fields of a complaint a search looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Held<'a> {
    pub complainant_name: Option<&'a str>,
    pub complainant_email: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub client_name: Option<&'a str>,
}

const FIELDS: [&str; 3] = ["email", "name", "client_id"];
const EXACTLY_ONE: &str = "give exactly one of email, name or client_id";

impl Search {
    /// The request's terms, of which exactly one must be given.
    pub fn parse(
        email: Option<&str>,
        name: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<Search, ValidationErrors> {
        let given: Vec<&str> = FIELDS
            .into_iter()
            .zip([email, name, client_id])
            .filter_map(|(field, value)| value.map(|_| field))
            .collect();
        let search = match (email, name, client_id) {
            (Some(email), None, None) => {
                Email::parse("email", email).map(|e| Search::Email(e.as_str().to_lowercase()))
            }
            (None, Some(name), None) => {
                Text::parse("name", name, NAME_MAX).map(|n| Search::Name(normalised(n.as_str())))
            }
            (None, None, Some(id)) => ExternalId::parse("client_id", id.trim())
                .map(|id| Search::ClientId(id.as_str().into())),
            _ => {
                let named = if given.is_empty() { FIELDS.to_vec() } else { given };
                return Err(ValidationErrors(
                    named.into_iter().map(|f| FieldError::new(f, EXACTLY_ONE)).collect(),
                ));
            }
        };
        search.map_err(ValidationErrors::from)
    }

    /// The field searched by, as the request named it.
    pub fn field(&self) -> &'static str {
        match self {
            Search::Email(_) => "email",
            Search::Name(_) => "name",
            Search::ClientId(_) => "client_id",
        }
    }

    /// The term as it is compared (and committed to).
    pub fn term(&self) -> &str {
        match self {
            Search::Email(term) | Search::Name(term) | Search::ClientId(term) => term,
        }
    }

    /// Does the complaint hold data about whom this search is for?
    pub fn matches(&self, held: &Held) -> bool {
        let name = |n: Option<&str>, term: &str| n.is_some_and(|n| normalised(n) == term);
        match self {
            Search::Email(term) => {
                held.complainant_email.is_some_and(|e| e.trim().to_lowercase() == *term)
            }
            Search::Name(term) => name(held.complainant_name, term) || name(held.client_name, term),
            Search::ClientId(term) => held.client_id.is_some_and(|id| id == term),
        }
    }
}

/// Where a request's event lists the complaints it handed out. Their ids are not personal and
/// stay in the chain; they tell which erasures take the request's term along (DESIGN.md §9):
/// the term names the person each of those complaints is about, so it is erased with the
/// first of them to be erased. A request that handed out nothing concerns no complaint: its
/// term is kept as long as a finished complaint would be, the retention term.
pub const HANDED_OUT: &str = "complaints";

/// The complaints a request's event data says were handed out.
pub fn handed_out(data: &Value) -> Vec<i64> {
    let ids = data.get(HANDED_OUT).and_then(Value::as_array);
    ids.map(|ids| ids.iter().filter_map(Value::as_i64).collect()).unwrap_or_default()
}

/// A name as compared: lower case, single spaces, none around.
fn normalised(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELD: Held = Held {
        complainant_name: Some("J. de Vries"),
        complainant_email: Some("J.deVries@Example.nl"),
        client_id: Some("REL-10442"),
        client_name: Some("De Vries Holding B.V."),
    };

    fn fields(errors: ValidationErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn exactly_one_term_is_given() {
        assert_eq!(fields(Search::parse(None, None, None).unwrap_err()), FIELDS);
        let two = Search::parse(Some("a@b.nl"), None, Some("REL-1")).unwrap_err();
        assert_eq!(fields(two), ["email", "client_id"]);
        assert_eq!(fields(Search::parse(Some("geen adres"), None, None).unwrap_err()), ["email"]);
        assert_eq!(fields(Search::parse(None, Some("  "), None).unwrap_err()), ["name"]);
        assert_eq!(fields(Search::parse(None, None, Some("REL 1")).unwrap_err()), ["client_id"]);
    }

    #[test]
    fn an_email_matches_the_complainants_whatever_its_case() {
        let search = Search::parse(Some(" j.devries@EXAMPLE.nl "), None, None).unwrap();
        assert_eq!(search.term(), "j.devries@example.nl");
        assert!(search.matches(&HELD));
        assert!(!Search::Email("devries@example.nl".into()).matches(&HELD));
        assert!(!search.matches(&Held::default()));
    }

    #[test]
    fn a_name_matches_the_complainant_or_the_client_exactly_but_for_case_and_spaces() {
        let search = |name: &str| Search::parse(None, Some(name), None).unwrap();
        assert!(search("j.  DE vries ").matches(&HELD));
        assert!(search("de vries holding b.v.").matches(&HELD));
        assert!(search("ÉLLA").matches(&Held { client_name: Some("élla"), ..HELD }));
        assert!(!search("Jan de Vries").matches(&HELD));
        assert!(!search("de Vries").matches(&HELD));
    }

    #[test]
    fn a_client_id_matches_exactly() {
        let search = Search::parse(None, None, Some(" REL-10442 ")).unwrap();
        assert_eq!(search.field(), "client_id");
        assert!(search.matches(&HELD));
        assert!(!Search::ClientId("rel-10442".into()).matches(&HELD));
    }
}
