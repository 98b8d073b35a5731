//! Lists: `{"items": [...], "next_cursor": ...}` with keyset pagination, so that page 1,000
//! costs what page 1 costs. The cursor is opaque to clients: it encodes the id of the last
//! item of a page, and the list knows whether its next page holds the ids below (newest
//! first) or above (oldest first).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;

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

impl<T> Page<T> {
    /// A list that is always one page.
    pub fn whole(items: Vec<T>) -> Page<T> {
        Page { items, next_cursor: None }
    }
}

/// Which page a caller asks for: its size (1 to [`MAX_LIMIT`]) and the id it continues after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<i64>,
}

impl PageRequest {
    /// Every row at once, for an answer that must be whole (a subject-access request).
    pub const EVERYTHING: PageRequest = PageRequest { limit: i64::MAX - 1, after: None };

    /// How many rows to fetch: one more than the page holds, to know whether more follow.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the page from rows fetched with [`fetch`](Self::fetch).
    pub fn cut<R, T>(
        &self,
        mut rows: Vec<R>,
        id: impl Fn(&R) -> i64,
        view: impl FnMut(R) -> T,
    ) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(usize::try_from(self.limit).unwrap_or(0));
        let next_cursor = if more { rows.last().map(|r| cursor_after(id(r))) } else { None };
        Page { items: rows.into_iter().map(view).collect(), next_cursor }
    }
}

/// The cursor of the position after the item with this id.
pub fn cursor_after(last_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}:{last_id}"))
}

/// The position a cursor this service handed out names; `None` for anything else.
pub fn parse_cursor(cursor: &str) -> Option<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(&format!("{CURSOR_VERSION}:"))?.parse::<i64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        assert_eq!(parse_cursor(&cursor_after(42)), Some(42));
        for bad in
            ["", "!!", "azE6", &URL_SAFE_NO_PAD.encode("k1:abc"), &URL_SAFE_NO_PAD.encode("x:1")]
        {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_knows_whether_more_follows() {
        let request = PageRequest { limit: 2, after: None };
        let full = request.cut(vec![9, 8, 7], |r| *r, |r| r);
        assert_eq!(full.items, [9, 8]);
        assert_eq!(full.next_cursor.as_deref().and_then(parse_cursor), Some(8));
        let last = request.cut(vec![9, 8], |r| *r, |r| r);
        assert_eq!(last.next_cursor, None);
        assert_eq!(request.fetch(), 3);
    }
}
