//! A letter to the client, as the PDF layout `typst/letter.typ` takes it.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub organisation: String,
    pub date: String,
    /// The address block: the complainant's name, then their address lines.
    pub recipient: Vec<String>,
    pub reference: String,
    pub subject: String,
    pub paragraphs: Vec<String>,
}

/// A letter's text cut into paragraphs at its blank lines; single line breaks stay.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_part_paragraphs() {
        assert_eq!(
            paragraphs("Geachte heer,\r\n\r\nRegel 1\nRegel 2\n\n\n  \nGroet"),
            ["Geachte heer,", "Regel 1\nRegel 2", "Groet"]
        );
    }
}
