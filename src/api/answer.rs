//! The HTTP answers of an operation's result: a body, with the `ETag` of a versioned
//! resource and the `Location` of a new one; a file under its name; a printable page.

use actix_web::HttpResponse;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use serde::Serialize;

use super::BASE_PATH;
use super::extract::etag;
use crate::render::{Format, Paper};

/// The content security policy of the service's own pages: their inline style and nothing
/// else — no scripts, nothing loaded from elsewhere, not framed.
pub const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                               base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `200 OK` with the `ETag` of the version the body shows.
pub fn versioned<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// `201 Created` at `path` (below the API's base path), with the `ETag` of a versioned
/// resource.
pub fn created<T: Serialize>(body: &T, path: &str, version: Option<i32>) -> HttpResponse {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("{BASE_PATH}{path}")));
    if let Some(version) = version {
        response.insert_header((header::ETAG, etag(version)));
    }
    response.json(body)
}

/// Offers a file under its safe name: ASCII for old clients, UTF-8 (RFC 5987) for the rest.
pub fn named(disposition: DispositionType, filename: &str) -> ContentDisposition {
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    ContentDisposition {
        disposition,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: filename.as_bytes().to_vec(),
            }),
        ],
    }
}

/// `200 OK` with a rendered document, shown in the browser under its name.
pub fn rendered(paper: Paper) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, paper.format.content_type()))
        .insert_header(named(DispositionType::Inline, &paper.filename))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if paper.format == Format::Html {
        response
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"));
    }
    response.body(paper.content)
}
