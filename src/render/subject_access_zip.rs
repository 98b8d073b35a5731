//! The answer to a subject-access request as one ZIP: `subject-access.json` (the JSON answer)
//! and every document under `documents/{reference}/{id}-{name}`, deflated.

use std::io::{Cursor, Write};

use chrono::{DateTime, Datelike, Timelike, Utc};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::operations::subject_access::Answer;

/// The name of the JSON answer inside the ZIP.
pub const ANSWER: &str = "subject-access.json";

/// The ZIP of an answer; its entries dated when the answer was put together.
pub fn to_zip(answer: &Answer) -> Result<Vec<u8>, zip::result::ZipError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(dos_time(answer.document.answered_at));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(ANSWER, options)?;
    let json = serde_json::to_vec_pretty(&answer.document).map_err(std::io::Error::other)?;
    zip.write_all(&json)?;
    for file in &answer.files {
        zip.start_file(
            entry_name(&file.complaint_reference, file.document_id, &file.filename),
            options,
        )?;
        zip.write_all(&file.content)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A document's place in the ZIP: one folder per complaint, the id keeping equal names apart.
/// Stored names are already cleaned (`domain::documents::sanitize_filename`); a separator is
/// replaced all the same, so that no entry can leave its folder when unpacked.
fn entry_name(reference: &str, id: i64, filename: &str) -> String {
    let clean = |s: &str| s.replace(['/', '\\'], "_");
    format!("documents/{}/{id}-{}", clean(reference), clean(filename))
}

/// ZIP dates have two-second steps and start in 1980.
fn dos_time(at: DateTime<Utc>) -> zip::DateTime {
    let [month, day, hour, minute, second] =
        [at.month(), at.day(), at.hour(), at.minute(), at.second()].map(|v| v as u8);
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(year, month, day, hour, minute, second).ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_in_their_folder() {
        assert_eq!(
            entry_name("KL-2026-0007", 12, "brief.pdf"),
            "documents/KL-2026-0007/12-brief.pdf"
        );
        assert_eq!(
            entry_name("KL/..", 3, "../../etc/passwd"),
            "documents/KL_../3-.._.._etc_passwd"
        );
    }
}
