//! The klachtendossier's documents: which kinds it takes — judged by their content, not by
//! the name they came with — and what name they are kept under.

/// The media types a dossier takes: PDF, images, e-mail, Office documents, plain text.
pub const ALLOWED: [&str; 18] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/bmp",
    "message/rfc822",
    "application/vnd.ms-outlook",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/plain",
];

pub const FILENAME_MAX: usize = 200;

/// What the content is, by its own bytes. The name only tells an Outlook message from other
/// OLE compound files, which share one signature. `Err` carries what was found instead.
pub fn detect(content: &[u8], filename: &str) -> Result<&'static str, String> {
    let extension =
        filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let detected = match infer::get(content).map(|t| t.mime_type()) {
        Some("application/x-ole-storage") if extension == "msg" => "application/vnd.ms-outlook",
        Some(mime) => mime,
        None if looks_like_email(content) => "message/rfc822",
        None if is_plain_text(content) => "text/plain",
        None => return Err("content of an unrecognised binary type".to_owned()),
    };
    ALLOWED
        .iter()
        .find(|allowed| **allowed == detected)
        .copied()
        .ok_or_else(|| format!("content of type {detected}"))
}

/// Text: valid UTF-8 without NUL bytes or other control characters than layout.
fn is_plain_text(content: &[u8]) -> bool {
    std::str::from_utf8(content).is_ok_and(|text| {
        !text.is_empty()
            && text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
    })
}

/// An RFC 5322 message: text whose first lines are headers, among them ones every mail has.
fn looks_like_email(content: &[u8]) -> bool {
    if !is_plain_text(content) {
        return false;
    }
    let text = String::from_utf8_lossy(&content[..content.len().min(16 * 1024)]);
    let headers: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    let is_header = |line: &&str| {
        line.starts_with([' ', '\t'])
            || line.split_once(':').is_some_and(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    let names: Vec<String> = headers
        .iter()
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_ascii_lowercase()))
        .collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    headers.len() >= 2
        && headers.iter().all(is_header)
        && has("from")
        && (has("date") || has("subject"))
}

/// A safe name to keep and offer a document under: the last path component, without
/// control characters, quotes or characters that mean something to a file system, at most
/// 200 characters, never empty, never hidden.
pub fn sanitize_filename(raw: Option<&str>) -> String {
    let base = raw.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if "<>:\"|?*;%`$".contains(c) { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let name: String = cleaned.chars().take(FILENAME_MAX).collect();
    if name.is_empty() { "document".to_owned() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
    const PNG: &[u8] =
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];
    const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0];

    #[test]
    fn the_content_decides_not_the_name() {
        assert_eq!(detect(PDF, "brief.pdf"), Ok("application/pdf"));
        assert_eq!(detect(PNG, "brief.pdf"), Ok("image/png"));
        assert!(detect(EXE, "brief.pdf").unwrap_err().contains("portable-executable"));
        assert_eq!(detect(b"Geachte heer,\n\nUw klacht.\n", "notitie.txt"), Ok("text/plain"));
        assert!(detect(&[0, 159, 146, 150, 1, 2], "data.txt").is_err());
        assert!(detect(b"PK\x03\x04\x14\x00\x00\x00", "archief.zip").is_err());
    }

    #[test]
    fn mail_is_recognised_by_its_headers() {
        let mail = b"From: j@example.nl\r\nTo: kantoor@example.nl\r\nSubject: Klacht\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nGeachte heer,\r\n";
        assert_eq!(detect(mail, "klacht.eml"), Ok("message/rfc822"));
        assert_eq!(detect(b"From the desk of\nme\n", "x.eml"), Ok("text/plain"));
        assert_eq!(detect(OLE, "bericht.msg"), Ok("application/vnd.ms-outlook"));
        assert!(detect(OLE, "bericht.bin").is_err());
    }

    #[test]
    fn filenames_are_made_safe() {
        assert_eq!(sanitize_filename(Some("../../etc/passwd")), "passwd");
        assert_eq!(sanitize_filename(Some("C:\\Users\\x\\brief \"1\".pdf")), "brief _1_.pdf");
        assert_eq!(sanitize_filename(Some(".htaccess")), "htaccess");
        assert_eq!(sanitize_filename(Some("a\r\nb.txt")), "ab.txt");
        assert_eq!(sanitize_filename(Some("   ")), "document");
        assert_eq!(sanitize_filename(None), "document");
        assert_eq!(sanitize_filename(Some(&"é".repeat(300))).chars().count(), FILENAME_MAX);
        assert_eq!(sanitize_filename(Some("Klacht J. de Vries.pdf")), "Klacht J. de Vries.pdf");
    }
}
