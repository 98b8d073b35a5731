//! The HTTP answers of an operation's result: a body, with the `ETag` of a versioned
//! resource and the `Location` of a new one.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;

use super::BASE_PATH;
use super::extract::etag;

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
