//! The files an existing register comes in, read into rows of text for `domain::import`: CSV
//! (comma or semicolon separated, as Dutch spreadsheets save it; a UTF-8 byte order mark
//! skipped; the export's formula guard undone) and XLSX (the first sheet, through calamine;
//! date cells as ISO date and time, which the import reads as UTC, as the export writes them).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::render::csv_cells::restored;

/// The rows of a file, the header row first; empty rows left out with their numbers kept.
pub struct Table {
    /// Each row with its number as a spreadsheet shows it (the header row is 1).
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A ZIP archive (an XLSX workbook is one) starts with these bytes.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Reads a CSV or an XLSX file, told apart by its content.
pub fn read(file: &[u8]) -> Result<Table, String> {
    let rows = if file.starts_with(ZIP_MAGIC) { xlsx(file)? } else { csv(file)? };
    let rows =
        (1..).zip(rows).filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty())).collect();
    Ok(Table { rows })
}

fn csv(file: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let text = std::str::from_utf8(file)
        .map_err(|_| "the file is neither XLSX nor UTF-8 text: save the CSV as UTF-8".to_owned())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("");
    let delimiter =
        if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| format!("the CSV cannot be read: {e}"))?;
            Ok(record.iter().map(|cell| restored(cell).to_owned()).collect())
        })
        .collect()
}

fn xlsx(file: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let unreadable = |e: calamine::XlsxError| format!("the XLSX cannot be read: {e}");
    let mut workbook = Xlsx::new(Cursor::new(file)).map_err(unreadable)?;
    let sheet = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "the XLSX has no sheet".to_owned())?
        .map_err(unreadable)?;
    Ok(sheet.rows().map(|row| row.iter().map(text).collect()).collect())
}

/// A cell as text, as the import reads values.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(at) => at
            .as_datetime()
            .map(|at| at.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
            .unwrap_or_default(),
    }
}
