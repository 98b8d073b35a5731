//! Letters to the client and their templates. The regulation asks for two: when a complaint
//! cannot be solved at once, the client is told it is being handled and when we come back
//! (`acknowledgement`); the solution is always confirmed in writing (`confirmation`), with
//! where the client can turn if not satisfied. Each organisation may word them itself; the
//! Dutch defaults below follow the regulation.
//!
//! A template is text with `{{ placeholder }}`s (minijinja syntax). It is checked when saved:
//! a placeholder the register does not fill is refused, naming it, so a letter never goes out
//! with a hole in it — and filling is strict, so one that slipped through fails loudly.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};

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

/// A template as saved: it parses, stays within the size limit and uses no placeholder the
/// register does not fill.
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
    match unknown.first() {
        None => Ok(()),
        Some(_) => Err(FieldError::new(
            "body",
            format!(
                "unknown placeholder{} {}; known: {}",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.iter().map(|u| format!("'{u}'")).collect::<Vec<_>>().join(", "),
                known.join(", ")
            ),
        )),
    }
}

/// The letter's text: the template with every placeholder filled.
pub fn fill(body: &str, values: &BTreeMap<&'static str, String>) -> Result<String, String> {
    environment().render_str(body, values.clone()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        PLACEHOLDERS.iter().map(|(name, _)| (*name, format!("<{name}>"))).collect()
    }

    #[test]
    fn the_defaults_use_only_known_placeholders_and_fill() {
        for kind in [LetterKind::Acknowledgement, LetterKind::Confirmation] {
            check_template(kind.default_template()).unwrap();
            let letter = fill(kind.default_template(), &values()).unwrap();
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
    fn values_are_text_not_template() {
        let mut values = values();
        values.insert("complainant", "{{ organisation }} <script>".to_owned());
        let letter = fill("{{ complainant }}", &values).unwrap();
        assert_eq!(letter, "{{ organisation }} <script>");
    }
}
