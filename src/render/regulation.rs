//! The klachtenregeling as handed to clients: the organisation's text, the coordinator's role
//! and where a client can turn when not satisfied. The same data is laid out as PDF (by
//! `typst/regulation.typ`) and as an HTML page (here, through maud, which escapes every
//! value).

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Regulation {
    pub title: String,
    pub organisation: String,
    /// The organisation's text, a paragraph per line.
    pub paragraphs: Vec<String>,
    pub sections: Vec<Part>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

const COORDINATOR: &str = "Komt u met uw eigen dienstverlener niet tot een oplossing, dan kunt u \
    uw klacht voorleggen aan onze klachtencoördinator. De klachtencoördinator is nooit de \
    dienstverlener tegen wie de klacht is gericht; gaat uw klacht over de klachtencoördinator, \
    dan behandelt diens plaatsvervanger haar. De klachtencoördinator registreert en \
    classificeert de klacht, ziet toe op een behoorlijke behandeling en bevestigt de oplossing \
    altijd schriftelijk.";

const NO_TEXT: &str = "De organisatie heeft de tekst van haar klachtenregeling hier nog niet \
    gepubliceerd. Vraagt u uw dienstverlener om een exemplaar.";

/// The page of `organisation` with its regulation text; `dispute_body` is where a client can
/// turn when not satisfied.
pub fn regulation(organisation: &str, text: &str, dispute_body: &str) -> Regulation {
    let mut paragraphs: Vec<String> =
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    if paragraphs.is_empty() {
        paragraphs.push(NO_TEXT.to_owned());
    }
    Regulation {
        title: "Klachtenregeling".to_owned(),
        organisation: organisation.to_owned(),
        paragraphs,
        sections: vec![
            Part {
                heading: "De klachtencoördinator".to_owned(),
                paragraphs: vec![COORDINATOR.to_owned()],
            },
            Part {
                heading: "Niet tevreden?".to_owned(),
                paragraphs: vec![format!(
                    "Bent u na afhandeling van uw klacht niet tevreden, dan kunt u zich wenden tot \
                     {dispute_body}."
                )],
            },
        ],
    }
}

const STYLE: &str = "
body { font-family: 'Libertinus Serif', Georgia, serif; color: #111; margin: 2em auto; max-width: 42em; padding: 0 1em; font-size: 11pt; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0; }
p.meta { color: #555; margin-top: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; }
";

/// The regulation as a self-contained HTML page for the firm's website.
pub fn html(page: &Regulation) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) " — " (page.organisation) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (page.title) }
                p.meta { (page.organisation) }
                @for paragraph in &page.paragraphs { p { (paragraph) } }
                @for part in &page.sections {
                    h2 { (part.heading) }
                    @for paragraph in &part.paragraphs { p { (paragraph) } }
                }
            }
        }
    }
}
