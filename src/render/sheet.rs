//! A printable sheet: a title, sections of labelled values and ticked boxes, and signature
//! lines. The registration form is one; the same data is laid out as PDF (by
//! `typst/form.typ`) and as A4 HTML (here, through maud, which escapes every value).

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    pub title: String,
    pub organisation: String,
    pub reference: String,
    /// Said under the title, e.g. that the sheet is anonymised.
    pub note: Option<String>,
    pub sections: Vec<Section>,
    pub signatures: Vec<SignatureLine>,
    /// When it was printed.
    pub printed: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub heading: String,
    pub boxes: Vec<Tick>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub label: String,
    pub ticked: bool,
}

/// A signature: signed (name, when) or a line still to be signed by whom it names.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureLine {
    /// In what capacity: "Betrokken dienstverlener", "Klachtencoördinator".
    pub capacity: String,
    /// Who signed or must sign; `None` on an anonymised sheet.
    pub name: Option<String>,
    /// When it was signed; `None` while it is still to be signed.
    pub signed_at: Option<String>,
}

impl Section {
    pub fn new(heading: &str) -> Section {
        Section { heading: heading.to_owned(), boxes: Vec::new(), rows: Vec::new() }
    }

    pub fn row(mut self, label: &str, value: impl Into<String>) -> Section {
        self.rows.push(Row { label: label.to_owned(), value: value.into() });
        self
    }

    pub fn tick(mut self, label: String, ticked: bool) -> Section {
        self.boxes.push(Tick { label, ticked });
        self
    }
}

const STYLE: &str = "
@page { size: A4; margin: 18mm; }
body { font-family: 'Libertinus Serif', Georgia, serif; color: #111; margin: 0 auto; max-width: 174mm; font-size: 10.5pt; }
h1 { font-size: 16pt; margin: 0 0 1mm; }
p.meta { color: #444; margin: 0 0 4mm; }
h2 { font-size: 11.5pt; margin: 5mm 0 1.5mm; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: normal; color: #444; width: 38%; vertical-align: top; padding: 0.8mm 2mm 0.8mm 0; }
td { vertical-align: top; padding: 0.8mm 0; white-space: pre-wrap; }
ul.boxes { list-style: none; padding: 0; margin: 0 0 1.5mm; }
.box { display: inline-block; width: 3.2mm; height: 3.2mm; border: 1px solid #111; text-align: center; line-height: 3.2mm; font-size: 8pt; margin-right: 2mm; }
.signatures { display: flex; gap: 10mm; margin-top: 8mm; break-inside: avoid; }
.signatures > div { flex: 1; }
.line { border-bottom: 1px solid #111; height: 14mm; margin-bottom: 1mm; }
footer { margin-top: 8mm; color: #666; font-size: 9pt; }
";

/// The sheet as one self-contained HTML page, printable on A4.
pub fn html(sheet: &Sheet) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                title { (sheet.title) " " (sheet.reference) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (sheet.title) }
                p.meta {
                    (sheet.organisation) " · " (sheet.reference)
                    @if let Some(note) = &sheet.note { " · " (note) }
                }
                @for section in &sheet.sections {
                    section {
                        h2 { (section.heading) }
                        @if !section.boxes.is_empty() {
                            ul.boxes {
                                @for tick in &section.boxes {
                                    li { span.box { @if tick.ticked { "X" } } (tick.label) }
                                }
                            }
                        }
                        @if !section.rows.is_empty() {
                            table { tbody { @for row in &section.rows {
                                tr { th { (row.label) } td { (row.value) } }
                            } } }
                        }
                    }
                }
                div.signatures {
                    @for signature in &sheet.signatures {
                        div {
                            strong { (signature.capacity) }
                            div.line {}
                            @match (&signature.name, &signature.signed_at) {
                                (Some(name), Some(at)) => { (name) ", getekend " (at) }
                                (None, Some(at)) => { "Getekend " (at) }
                                (Some(name), None) => { "Nog te tekenen door " (name) }
                                (None, None) => { "Nog te tekenen" }
                            }
                        }
                    }
                }
                footer { "Afgedrukt " (sheet.printed) " door klachtenregister." }
            }
        }
    }
}
