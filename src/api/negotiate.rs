//! Content negotiation: which of the forms a resource offers the `Accept` header prefers.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::render::Format;

pub const JSON: &str = "application/json";
pub const CSV: &str = "text/csv";
pub const ZIP: &str = "application/zip";
/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The form of paperwork the client asked for in `Accept`: `default` unless it prefers the
/// other.
pub fn paper_format(request: &HttpRequest, default: Format) -> Format {
    let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let other = if default == Format::Pdf { Format::Html } else { Format::Pdf };
    Format::of(preferred(accept, &[default.media_type(), other.media_type()]))
}

/// The quality the `Accept` header gives `media` (`type/subtype`): that of the most specific
/// range matching it (`text/csv` over `text/*` over `*/*`), 0 when none does.
pub fn quality(accept: &str, media: &str) -> f32 {
    let (kind, _) = media.split_once('/').unwrap_or((media, ""));
    accept
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let name = parts.next()?.trim().to_ascii_lowercase();
            let specificity = match name.as_str() {
                "*/*" => 0,
                n if n == media => 2,
                n if n.strip_suffix("/*") == Some(kind) => 1,
                _ => return None,
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((specificity, q))
        })
        .max_by_key(|(specificity, _)| *specificity)
        .map_or(0.0, |(_, q)| q)
}

/// The offered media type the client rates highest; on a tie the one offered first, and the
/// first too when the client accepts none of them (a document is better than a refusal).
pub fn preferred<'a>(accept: Option<&str>, offered: &[&'a str]) -> &'a str {
    let Some(accept) = accept else { return offered[0] };
    let mut best = (offered[0], 0.0);
    for media in offered {
        let q = quality(accept, media);
        if q > best.1 {
            best = (media, q);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_rated_form_wins_and_the_first_by_default() {
        let offered = ["application/pdf", "text/html"];
        for (accept, wanted) in [
            (None, "application/pdf"),
            (Some("text/html"), "text/html"),
            (Some("text/html;q=0.5, application/pdf"), "application/pdf"),
            (Some("*/*"), "application/pdf"),
            (Some("text/*"), "text/html"),
            (Some("image/png"), "application/pdf"),
        ] {
            assert_eq!(preferred(accept, &offered), wanted, "{accept:?}");
        }
    }

    #[test]
    fn the_register_is_json_unless_a_spreadsheet_is_preferred() {
        let offered = [JSON, CSV, XLSX];
        for (accept, wanted) in [
            (None, JSON),
            (Some(XLSX), XLSX),
            (Some("text/csv"), CSV),
            (Some("application/*"), JSON),
            (Some("text/html"), JSON),
            (
                Some(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;q=0.5, text/csv",
                ),
                CSV,
            ),
        ] {
            assert_eq!(preferred(accept, &offered), wanted, "{accept:?}");
        }
    }
}
