//! The register as a table (DESIGN.md §11): the columns of its CSV and XLSX export, defined
//! once, so that the export writes and the import reads the same set — in Dutch by default,
//! in English when asked.

use strum::VariantArray;

/// The language of a table's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Dutch,
    English,
}

impl Language {
    /// The language an `Accept-Language` header prefers: English only when it rates `en`
    /// above `nl` (q-values honoured); Dutch, the register's own language, otherwise.
    pub fn preferred(accept_language: Option<&str>) -> Language {
        let Some(header) = accept_language else { return Language::Dutch };
        let quality = |wanted: &str| {
            header
                .split(',')
                .filter_map(|range| {
                    let mut parts = range.split(';');
                    let tag = parts.next()?.trim().to_ascii_lowercase();
                    let primary = tag.split('-').next().unwrap_or("");
                    (primary == wanted).then(|| {
                        parts
                            .filter_map(|p| p.trim().strip_prefix("q="))
                            .find_map(|q| q.trim().parse::<f32>().ok())
                            .unwrap_or(1.0)
                    })
                })
                .fold(0.0_f32, f32::max)
        };
        if quality("en") > quality("nl") { Language::English } else { Language::Dutch }
    }
}

/// What a column holds, and so how a spreadsheet cell of it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    Text,
    /// A moment (UTC): a date and time cell in XLSX, ISO 8601 in CSV.
    Moment,
}

/// A column of the register, in the order the export writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray)]
pub enum Column {
    Reference,
    Kind,
    Status,
    ReceivedAt,
    ReportedBy,
    ComplainantName,
    ComplainantEmail,
    ComplainantPhone,
    ComplainantStreet,
    ComplainantPostalCode,
    ComplainantCity,
    ComplainantCountry,
    ClientId,
    ClientName,
    MatterReference,
    Description,
    Handler,
    Subject,
    Channel,
    Categories,
    ResponseDueAt,
    FirstResponseAt,
    TermOutcome,
    EscalatedAt,
    Resolution,
    Judgement,
    Decision,
    DecidedAt,
    DecidedBy,
    WrittenConfirmationAt,
    RootCause,
    AnonymizeInMeeting,
    ClosedAt,
    Satisfaction,
}

impl Column {
    /// Every column, in the export's order.
    pub fn all() -> &'static [Column] {
        Column::VARIANTS
    }

    /// The header in each language: Dutch, English.
    fn headers(self) -> (&'static str, &'static str) {
        match self {
            Column::Reference => ("Kenmerk", "Reference"),
            Column::Kind => ("Soort", "Kind"),
            Column::Status => ("Status", "Status"),
            Column::ReceivedAt => ("Ontvangen", "Received"),
            Column::ReportedBy => ("Gemeld door", "Reported by"),
            Column::ComplainantName => ("Klager", "Complainant"),
            Column::ComplainantEmail => ("E-mail klager", "Complainant e-mail"),
            Column::ComplainantPhone => ("Telefoon klager", "Complainant phone"),
            Column::ComplainantStreet => ("Adres klager", "Complainant street"),
            Column::ComplainantPostalCode => ("Postcode klager", "Complainant postal code"),
            Column::ComplainantCity => ("Woonplaats klager", "Complainant city"),
            Column::ComplainantCountry => ("Land klager", "Complainant country"),
            Column::ClientId => ("Cliëntnummer", "Client id"),
            Column::ClientName => ("Cliënt", "Client"),
            Column::MatterReference => ("Zaak", "Matter"),
            Column::Description => ("Omschrijving", "Description"),
            Column::Handler => ("Behandelaar", "Handler"),
            Column::Subject => ("Betreft", "Subject"),
            Column::Channel => ("Wijze van indiening", "Channel"),
            Column::Categories => ("Categorieën", "Categories"),
            Column::ResponseDueAt => ("Reactie uiterlijk", "Response due"),
            Column::FirstResponseAt => ("Eerste reactie", "First response"),
            Column::TermOutcome => ("Reactietermijn", "Response term"),
            Column::EscalatedAt => ("Geëscaleerd", "Escalated"),
            Column::Resolution => ("Uitkomst", "Resolution"),
            Column::Judgement => ("Oordeel", "Judgement"),
            Column::Decision => ("Besluit", "Decision"),
            Column::DecidedAt => ("Besloten", "Decided"),
            Column::DecidedBy => ("Besloten door", "Decided by"),
            Column::WrittenConfirmationAt => ("Schriftelijk bevestigd", "Confirmed in writing"),
            Column::RootCause => ("Oorzaak", "Root cause"),
            Column::AnonymizeInMeeting => ("Anoniem bespreken", "Anonymise in meeting"),
            Column::ClosedAt => ("Afgesloten", "Closed"),
            Column::Satisfaction => ("Tevredenheid cliënt", "Client satisfaction"),
        }
    }

    /// The column's header in `language`.
    pub fn header(self, language: Language) -> &'static str {
        let (nl, en) = self.headers();
        match language {
            Language::Dutch => nl,
            Language::English => en,
        }
    }

    /// The column a header names, in either language, whatever its case and surrounding
    /// blanks.
    pub fn named(header: &str) -> Option<Column> {
        let header = header.trim();
        Column::all().iter().copied().find(|c| {
            let (nl, en) = c.headers();
            nl.eq_ignore_ascii_case(header) || en.eq_ignore_ascii_case(header)
        })
    }

    pub fn kind(self) -> CellKind {
        match self {
            Column::ReceivedAt
            | Column::ResponseDueAt
            | Column::FirstResponseAt
            | Column::EscalatedAt
            | Column::DecidedAt
            | Column::WrittenConfirmationAt
            | Column::ClosedAt => CellKind::Moment,
            _ => CellKind::Text,
        }
    }
}

/// The separator of the categories in their one cell: `conduct;financial`.
pub const LIST_SEPARATOR: char = ';';

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn headers_are_unique_and_name_their_column() {
        for language in [Language::Dutch, Language::English] {
            let headers: HashSet<&str> = Column::all().iter().map(|c| c.header(language)).collect();
            assert_eq!(headers.len(), Column::all().len(), "{language:?}");
        }
        for column in Column::all() {
            assert_eq!(Column::named(column.header(Language::Dutch)), Some(*column));
            assert_eq!(
                Column::named(&format!(" {} ", column.header(Language::English))),
                Some(*column)
            );
        }
        assert_eq!(Column::named("kenmerk"), Some(Column::Reference));
        assert_eq!(Column::named("Iets anders"), None);
    }

    #[test]
    fn english_only_when_preferred() {
        for (header, language) in [
            (None, Language::Dutch),
            (Some("en"), Language::English),
            (Some("en-GB,en;q=0.9"), Language::English),
            (Some("nl-NL,nl;q=0.9,en;q=0.8"), Language::Dutch),
            (Some("nl;q=0.5, en"), Language::English),
            (Some("de"), Language::Dutch),
            (Some("en;q=0"), Language::Dutch),
        ] {
            assert_eq!(Language::preferred(header), language, "{header:?}");
        }
    }
}
