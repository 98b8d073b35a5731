//! Rendering for people rather than programs: the printable report of the office meeting,
//! the overview as CSV, the register as CSV and XLSX, and the paperwork of the regulation —
//! the registration form, the letters to the client and the regulation itself — as PDF
//! (laid out by Typst, `typeset`) and as printable HTML; and the answer to a subject-access
//! request as a ZIP.

pub mod csv_cells;
pub mod dutch;
pub mod form;
pub mod letter;
pub mod overview_csv;
pub mod register_csv;
pub mod register_row;
pub mod register_xlsx;
pub mod regulation;
pub mod report;
pub mod sheet;
pub mod subject_access_zip;
pub mod typeset;

/// The two forms paperwork comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Html => "text/html",
        }
    }

    /// The form `media_type` (one of the two `media_type`s) names.
    pub fn of(media_type: &str) -> Format {
        if media_type == "text/html" { Format::Html } else { Format::Pdf }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }
}

/// A rendered document: its form, its bytes and the name it is offered under.
pub struct Paper {
    pub format: Format,
    pub content: Vec<u8>,
    pub filename: String,
}
