//! Lists: `{"items": [...], "next_cursor": ...}` with keyset pagination, so that page 1,000
//! costs what page 1 costs. The cursor is opaque to clients.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
const CURSOR_VERSION: &str = "k1";

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    #[schema(example = "azE6MTIz")]
    pub next_cursor: Option<String>,
}

/// The paging parameters of a list without filters of its own.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The checked page size and the position to continue after.
    pub fn checked(&self) -> Result<(i64, Option<i64>), ApiError> {
        Ok((limit(self.limit)?, parse_cursor(self.cursor.as_deref())?))
    }
}

/// The page size a client asked for, checked.
pub fn limit(requested: Option<u32>) -> Result<i64, ApiError> {
    match requested.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(i64::from(n)),
        _ => {
            Err(ApiError::invalid_parameter("limit", format!("must be between 1 and {MAX_LIMIT}")))
        }
    }
}

/// Encodes the position after the last item of a page, by its id: the list knows whether
/// its next page holds the ids below (newest first) or above (oldest first).
pub fn cursor_after(last_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}:{last_id}"))
}

pub fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(cursor) = cursor else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(&format!("{CURSOR_VERSION}:"))?.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid_parameter("cursor", "is not a cursor this service handed out")
        })
}

/// Cuts a page from rows fetched with `limit + 1`: the extra row only says there is more.
pub fn page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    id: impl Fn(&R) -> i64,
    view: impl FnMut(R) -> T,
) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more { rows.last().map(|r| cursor_after(id(r))) } else { None };
    Page { items: rows.into_iter().map(view).collect(), next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        assert_eq!(parse_cursor(Some(&cursor_after(42))).unwrap(), Some(42));
        assert_eq!(parse_cursor(None).unwrap(), None);
        for bad in
            ["", "!!", "azE6", &URL_SAFE_NO_PAD.encode("k1:abc"), &URL_SAFE_NO_PAD.encode("x:1")]
        {
            assert_eq!(
                parse_cursor(Some(bad)).unwrap_err().code(),
                crate::domain::codes::ProblemCode::InvalidParameter,
                "{bad}"
            );
        }
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(200)).unwrap(), 200);
        assert!(limit(Some(0)).is_err() && limit(Some(201)).is_err());
    }

    #[test]
    fn a_page_knows_whether_more_follows() {
        let full = page(vec![9, 8, 7], 2, |r| *r, |r| r);
        assert_eq!(full.items, [9, 8]);
        assert_eq!(parse_cursor(full.next_cursor.as_deref()).unwrap(), Some(8));
        let last = page(vec![9, 8], 2, |r| *r, |r| r);
        assert_eq!(last.next_cursor, None);
    }
}
