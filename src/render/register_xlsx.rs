//! The register as an XLSX workbook (`GET /complaints` with the XLSX media type): a header
//! row, frozen and with filters on; moments as date-and-time cells (UTC); text as text, which
//! a spreadsheet never evaluates. The worksheet is written in `rust_xlsxwriter`'s constant
//! memory mode, row by row as the pages arrive, and the workbook into a temporary file, so
//! the register's length costs disk, not memory. Runs on the blocking pool.

use std::io::{Seek, SeekFrom};

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use tokio::sync::mpsc::Receiver;

use super::register_row::{Cell, cells};
use crate::domain::register::{CellKind, Column, Language};
use crate::operations::complaints::RegisterEntry;

const MOMENT_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";
const SHEET_NAME: &str = "Klachtenregister";

/// Writes the pages received into a workbook and returns its file, read from the start.
/// Blocks on `pages`: call it on the blocking pool. Ends when the sender is dropped.
pub fn write(
    mut pages: Receiver<Vec<RegisterEntry>>,
    language: Language,
) -> Result<std::fs::File, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let moment = Format::new().set_num_format(MOMENT_FORMAT);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(SHEET_NAME)?;
    for (i, column) in Column::all().iter().enumerate() {
        let col = u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
        let width = match column.kind() {
            CellKind::Moment => 19,
            CellKind::Text => 16,
        };
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(0, col, column.header(language), &header)?;
    }
    let mut row: u32 = 0;
    while let Some(page) = pages.blocking_recv() {
        for entry in &page {
            row += 1;
            for (col, cell) in (0u16..).zip(cells(entry)) {
                match cell {
                    Cell::Empty => {}
                    Cell::Text(text) => {
                        sheet.write_string(row, col, text)?;
                    }
                    Cell::Moment(at) => {
                        sheet.write_datetime_with_format(row, col, at.naive_utc(), &moment)?;
                    }
                }
            }
        }
    }
    let last_column = u16::try_from(Column::all().len() - 1).unwrap_or(0);
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, row, last_column)?;
    let mut file = tempfile::tempfile()?;
    workbook.save_to_writer(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}
