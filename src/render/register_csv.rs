//! The register as CSV (`GET /complaints` with `Accept: text/csv`), written a page at a
//! time so the whole register never sits in memory; every cell neutralised against
//! formulas (`csv_cells`).

use super::csv_cells::SafeWriter;
use super::register_row::cells;
use crate::domain::register::{Column, Language};
use crate::operations::complaints::RegisterEntry;

/// The header row.
pub fn header(language: Language) -> Result<Vec<u8>, csv::Error> {
    let mut writer = SafeWriter::new();
    writer.write(Column::all().iter().map(|c| c.header(language)))?;
    writer.finish()
}

/// The rows of one page of the register.
pub fn rows(page: &[RegisterEntry]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = SafeWriter::new();
    for entry in page {
        writer.write(cells(entry).iter().map(|cell| cell.to_text()))?;
    }
    writer.finish()
}
