//! Letters to the client and their templates. The regulation asks for two: when a complaint
//! cannot be solved at once, the client is told it is being handled and when we come back
//! (`acknowledgement`); the solution is always confirmed in writing (`confirmation`), with
//! where the client can turn if not satisfied. Each organisation may word them itself; the
//! Dutch defaults below follow the regulation.
//!
//! A template is text with `{{ placeholder }}`s (minijinja syntax). It is checked when saved:
//! a placeholder the register does not fill is refused, naming it, and the template is
//! filled once with a sample of every placeholder, so one that would fail only when filled
//! (`{{ complainant.name }}` — a name has no parts —, an unknown filter) is refused then, not
//! when a letter is written. Filling is strict, so a letter never goes out with a hole in it.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};

use super::codes::ProblemCode;
use super::complaint::Complainant;
use super::lifecycle::Refused;
use super::organisation::DisputeBody;
use super::validation::FieldError;

vocabulary! {
    /// Which letter.
    pub enum LetterKind {
        /// The complaint is being handled; when we come back to the client.
        Acknowledgement,
        /// The solution, in writing, and where the client can turn if not satisfied.
        Confirmation,
    }
}

/// Every placeholder a letter fills, with what it holds.
pub const PLACEHOLDERS: [(&str, &str); 10] = [
    ("organisation", "the organisation's name"),
    ("reference", "the complaint's reference, e.g. KL-2026-0007"),
    ("complainant", "the complainant's name"),
    ("date", "the letter's date"),
    ("received_on", "the day the complaint was received"),
    (
        "follow_up_on",
        "the day we come back to the client (the promised follow-up, else the response term)",
    ),
    ("handler", "the dienstverlener handling the complaint"),
    ("decision", "the solution or decision (empty before there is one)"),
    ("regulation_url", "where the klachtenregeling can be read"),
    ("dispute_body", "where the client can turn if not satisfied"),
];

/// Where a client can turn when the organisation names no dispute body.
pub const NO_DISPUTE_BODY: &str = "de instantie die in onze klachtenregeling wordt genoemd";

/// The most a template may hold.
pub const MAX_TEMPLATE_CHARS: usize = 20_000;

const ACKNOWLEDGEMENT: &str = "\
Geachte {{ complainant }},

Op {{ received_on }} hebben wij uw klacht ontvangen. Wij hebben deze geregistreerd onder \
kenmerk {{ reference }}. Met deze brief bevestigen wij dat uw klacht in behandeling is bij \
{{ handler }}.

Wij doen er alles aan om samen met u zo snel mogelijk tot een oplossing te komen. Uiterlijk \
op {{ follow_up_on }} komen wij bij u terug op uw klacht.

Wij hanteren een interne klachtenregeling. U kunt deze nalezen op {{ regulation_url }}; op \
uw verzoek sturen wij u een exemplaar toe.

Met vriendelijke groet,

{{ organisation }}";

const CONFIRMATION: &str = "\
Geachte {{ complainant }},

Naar aanleiding van uw klacht van {{ received_on }} (kenmerk {{ reference }}) bevestigen wij \
u hierbij schriftelijk de oplossing:

{{ decision }}

Bent u niet tevreden over de afhandeling van uw klacht, dan kunt u zich wenden tot \
{{ dispute_body }}. Onze klachtenregeling kunt u nalezen op {{ regulation_url }}.

Met vriendelijke groet,

{{ organisation }}";

impl LetterKind {
    /// The Dutch default text.
    pub fn default_template(self) -> &'static str {
        match self {
            LetterKind::Acknowledgement => ACKNOWLEDGEMENT,
            LetterKind::Confirmation => CONFIRMATION,
        }
    }

    /// The letter's subject line.
    pub fn subject(self) -> &'static str {
        match self {
            LetterKind::Acknowledgement => "Uw klacht is in behandeling",
            LetterKind::Confirmation => "Schriftelijke bevestiging van de oplossing van uw klacht",
        }
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Letters are plain text laid out as PDF: nothing to escape for HTML.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// A template as saved: it parses, stays within the size limit, uses no placeholder the
/// register does not fill, and fills with a sample of each.
pub fn check_template(body: &str) -> Result<(), FieldError> {
    if body.trim().is_empty() {
        return Err(FieldError::new("body", "a letter needs text"));
    }
    if body.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(FieldError::new("body", format!("at most {MAX_TEMPLATE_CHARS} characters")));
    }
    let env = environment();
    let template = env
        .template_from_str(body)
        .map_err(|e| FieldError::new("body", format!("the template does not parse: {e}")))?;
    let known: Vec<&str> = PLACEHOLDERS.iter().map(|(name, _)| *name).collect();
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !known.contains(&name.as_str()))
        .collect();
    unknown.sort();
    if !unknown.is_empty() {
        return Err(FieldError::new(
            "body",
            format!(
                "unknown placeholder{} {}; known: {}",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.iter().map(|u| format!("'{u}'")).collect::<Vec<_>>().join(", "),
                known.join(", ")
            ),
        ));
    }
    // Every placeholder holds text: what fails with samples fails with any letter's values.
    fill(body, &samples())
        .map(drop)
        .map_err(|e| FieldError::new("body", format!("the template cannot be filled: {e}")))
}

/// A sample value of every placeholder: its name in angle brackets.
fn samples() -> BTreeMap<&'static str, String> {
    PLACEHOLDERS.iter().map(|(name, _)| (*name, format!("<{name}>"))).collect()
}

/// The letter's text: the template with every placeholder filled.
pub fn fill(body: &str, values: &BTreeMap<&'static str, String>) -> Result<String, String> {
    environment().render_str(body, values.clone()).map_err(|e| e.to_string())
}

/// Whom a letter goes to: the complainant. A report that names none (an employee's) gets no
/// letter.
pub fn addressee(complainant: Option<&Complainant>) -> Result<&Complainant, Refused> {
    complainant.ok_or_else(|| {
        Refused::new(
            ProblemCode::ComplainantRequired,
            "a letter goes to the complainant, and this report names none",
        )
    })
}

/// The confirmation confirms the decision: it is not written before there is one.
pub fn check_decided(kind: LetterKind, decided: bool) -> Result<(), Refused> {
    if kind == LetterKind::Confirmation && !decided {
        return Err(Refused::new(
            ProblemCode::DecisionRequired,
            "the confirmation confirms the decision: record it first",
        ));
    }
    Ok(())
}

/// The address block above a letter: the complainant's name, then their postal address.
pub fn address_block(complainant: &Complainant) -> Vec<String> {
    let address = complainant.address.iter().flat_map(|a| a.lines());
    std::iter::once(complainant.name.clone()).chain(address).collect()
}

/// Where a client can turn when not satisfied, as a letter and the public regulation name
/// it: the organisation's dispute body with its address and website, or the regulation.
pub fn dispute_body(body: Option<&DisputeBody>) -> String {
    let Some(body) = body else { return NO_DISPUTE_BODY.to_owned() };
    let address = body.address.iter().flat_map(|a| a.lines().map(str::trim));
    std::iter::once(body.name.as_str())
        .chain(address)
        .chain(body.url.as_deref())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_use_only_known_placeholders_and_fill() {
        for kind in [LetterKind::Acknowledgement, LetterKind::Confirmation] {
            check_template(kind.default_template()).unwrap();
            let letter = fill(kind.default_template(), &samples()).unwrap();
            assert!(letter.contains("<reference>") && letter.contains("<complainant>"), "{letter}");
        }
    }

    #[test]
    fn an_unknown_placeholder_is_named() {
        let error = check_template("Geachte {{ klant }}, {{ reference }} {{ iban }}").unwrap_err();
        assert!(error.message.contains("'iban', 'klant'"), "{}", error.message);
    }

    #[test]
    fn a_template_that_does_not_parse_is_refused() {
        assert!(check_template("Geachte {{ complainant ").is_err());
        assert!(check_template("   ").is_err());
    }

    #[test]
    fn a_template_that_would_fail_when_filled_is_refused_on_save() {
        for (template, problem) in [
            ("Geachte {{ complainant.name }},", "undefined value"),
            ("{{ reference | klantnummer }}", "unknown filter"),
            ("{{ reference + 1 }}", "cannot be filled"),
            ("{% for x in reference %}{{ x.y }}{% endfor %}", "cannot be filled"),
        ] {
            let error = check_template(template).unwrap_err();
            assert_eq!(error.field, "body");
            assert!(error.message.contains(problem), "{template}: {}", error.message);
        }
    }

    #[test]
    fn letters_go_to_a_complainant_and_confirm_a_decision() {
        assert_eq!(addressee(None).unwrap_err().code, ProblemCode::ComplainantRequired);
        let refused = check_decided(LetterKind::Confirmation, false).unwrap_err();
        assert_eq!(refused.code, ProblemCode::DecisionRequired);
        assert!(check_decided(LetterKind::Acknowledgement, false).is_ok());
        assert!(check_decided(LetterKind::Confirmation, true).is_ok());
    }

    #[test]
    fn the_dispute_body_is_named_with_its_address_and_website() {
        assert_eq!(dispute_body(None), NO_DISPUTE_BODY);
        let kifid = DisputeBody {
            name: "Kifid".into(),
            address: Some("Postbus 93257\n2509 AG  Den Haag".into()),
            url: Some("https://www.kifid.nl".into()),
        };
        assert_eq!(
            dispute_body(Some(&kifid)),
            "Kifid, Postbus 93257, 2509 AG  Den Haag, https://www.kifid.nl"
        );
        let named = DisputeBody { name: "De Geschillencommissie".into(), address: None, url: None };
        assert_eq!(dispute_body(Some(&named)), "De Geschillencommissie");
    }

    #[test]
    fn values_are_text_not_template() {
        let mut values = samples();
        values.insert("complainant", "{{ organisation }} <script>".to_owned());
        let letter = fill("{{ complainant }}", &values).unwrap();
        assert_eq!(letter, "{{ organisation }} <script>");
    }
}
