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

/// The hex SHA-256 of a document's content, as the dossier records it.
pub fn sha256_hex(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect()
}

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
    let allowed = ALLOWED
        .iter()
        .find(|allowed| **allowed == detected)
        .copied()
        .ok_or_else(|| format!("content of type {detected}"))?;
    // Mail carries HTML parts by nature; it is offered as `message/rfc822`, which no browser
    // renders. Anything else with markup in it (an SVG, an HTML page named .txt, a PDF
    // header followed by HTML) would be a page with scripts to someone's browser or viewer.
    if !matches!(allowed, "message/rfc822" | "application/vnd.ms-outlook")
        && let Some(tag) = markup(content)
    {
        return Err(format!("HTML or SVG content ({tag}…)"));
    }
    Ok(allowed)
}

/// The tags that make content a web page or an image with scripts, wherever they are.
const MARKUP: [&str; 8] =
    ["<html", "<!doctype html", "<svg", "<script", "<body", "<iframe", "<object", "<embed"];

/// The first markup tag anywhere in the content, compared without regard to case.
fn markup(content: &[u8]) -> Option<&'static str> {
    content.iter().enumerate().filter(|(_, b)| **b == b'<').find_map(|(at, _)| {
        MARKUP.iter().copied().find(|tag| {
            content.get(at..at + tag.len()).is_some_and(|b| b.eq_ignore_ascii_case(tag.as_bytes()))
        })
    })
}

/// Extensions of programs and scripts a double click runs. A dossier has no use for them;
/// an upload so named is refused whatever its content.
const EXECUTABLE: [&str; 34] = [
    "exe",
    "com",
    "scr",
    "pif",
    "cpl",
    "msi",
    "msp",
    "dll",
    "bat",
    "cmd",
    "hta",
    "js",
    "jse",
    "mjs",
    "vbs",
    "vbe",
    "wsf",
    "wsh",
    "ws",
    "ps1",
    "psm1",
    "psd1",
    "sh",
    "bash",
    "py",
    "pl",
    "rb",
    "jar",
    "lnk",
    "reg",
    "inf",
    "scf",
    "url",
    "application",
];

/// Whether the name ends in the extension of a program or script.
pub fn is_executable(filename: &str) -> bool {
    filename
        .rsplit_once('.')
        .is_some_and(|(_, e)| EXECUTABLE.contains(&e.trim().to_ascii_lowercase().as_str()))
}

/// The extensions a type is kept under; the first is appended to a name without one.
fn extensions(content_type: &str) -> &'static [&'static str] {
    match content_type {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg", "jfif"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "image/tiff" => &["tif", "tiff"],
        "image/bmp" => &["bmp"],
        "message/rfc822" => &["eml"],
        "application/vnd.ms-outlook" => &["msg"],
        "application/msword" => &["doc"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.ms-excel" => &["xls"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.ms-powerpoint" => &["ppt"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        _ => &["txt"],
    }
}

/// The name a document is kept and offered under: its safe name, with the extension of the
/// type its content was found to have appended unless it already ends in one (`scan.png`
/// holding a PDF becomes `scan.png.pdf`), so that what opens it is what the content is.
pub fn stored_name(safe_name: &str, content_type: &str) -> String {
    let known = extensions(content_type);
    let matches = safe_name.rsplit_once('.').is_some_and(|(stem, e)| {
        !stem.is_empty() && known.contains(&e.to_ascii_lowercase().as_str())
    });
    if matches {
        return safe_name.to_owned();
    }
    let suffix = format!(".{}", known[0]);
    let stem: String = safe_name.chars().take(FILENAME_MAX - suffix.len()).collect();
    format!("{stem}{suffix}")
}

/// Invisible formatting characters (Unicode category Cf): bidirectional overrides and
/// isolates that make `invoice\u{202E}fdp.exe` read as `invoiceexe.pdf`, zero-width
/// characters, byte order marks, tag characters.
fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
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
/// control or invisible formatting characters, quotes or characters that mean something to
/// a file system, at most 200 characters, never empty, never hidden.
pub fn sanitize_filename(raw: Option<&str>) -> String {
    let base = raw.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_format_character(*c))
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
        assert_eq!(sanitize_filename(Some("invoice\u{202E}fdp.exe")), "invoicefdp.exe");
        assert_eq!(
            sanitize_filename(Some("\u{FEFF}br\u{200B}ief\u{2066}.pdf\u{E0041}")),
            "brief.pdf"
        );
        assert_eq!(sanitize_filename(Some("\u{200D}\u{FEFF}")), "document");
    }

    #[test]
    fn markup_is_refused_wherever_it_is() {
        let svg = b"<?xml version=\"1.0\"?>\n<SVG xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></SVG>";
        // Refused as XML or as markup, whichever is found first.
        assert!(detect(svg, "img.svg").is_err());
        assert!(detect(svg, "img.txt").is_err());
        let poly = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n<!DOCTYPE html><html><body onload=x()>";
        assert!(detect(poly, "poly.pdf").unwrap_err().contains("HTML or SVG"));
        assert!(detect(b"Zie <b>hier</b> en a < b.\n", "notitie.txt").is_ok());
        let mail = b"From: j@example.nl\r\nSubject: Klacht\r\nContent-Type: text/html\r\n\r\n<html><body>Geachte heer</body></html>\r\n";
        assert_eq!(detect(mail, "klacht.eml"), Ok("message/rfc822"));
    }

    #[test]
    fn names_end_in_what_the_content_is() {
        assert_eq!(stored_name("brief.pdf", "application/pdf"), "brief.pdf");
        assert_eq!(stored_name("foto.JPEG", "image/jpeg"), "foto.JPEG");
        assert_eq!(stored_name("scan.png", "application/pdf"), "scan.png.pdf");
        assert_eq!(stored_name("notitie", "text/plain"), "notitie.txt");
        assert_eq!(stored_name("document", "application/pdf"), "document.pdf");
        assert_eq!(stored_name(".pdf", "application/pdf"), ".pdf.pdf");
        assert_eq!(
            stored_name(&"a".repeat(FILENAME_MAX), "text/plain").chars().count(),
            FILENAME_MAX
        );
        for name in ["x.hta", "run.bat", "invoicefdp.exe", "a.PS1", "b.js ", "c.vbs", "d.cmd"] {
            assert!(is_executable(name), "{name}");
        }
        assert!(!is_executable("brief.pdf") && !is_executable("exe"));
    }
}
