//! The paging parameters of a list, checked at the edge into the page an operation is asked
//! for (`operations::page`).

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::operations::page::{DEFAULT_LIMIT, MAX_LIMIT, PageRequest, parse_cursor};

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
    pub fn checked(&self) -> Result<PageRequest, ApiError> {
        page(self.limit, self.cursor.as_deref())
    }
}

/// The page a client asked for, checked.
pub fn page(limit: Option<u32>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let limit = match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => i64::from(n),
        _ => {
            return Err(ApiError::invalid_parameter(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
    };
    let after = cursor
        .map(|c| {
            parse_cursor(c).ok_or_else(|| {
                ApiError::invalid_parameter("cursor", "is not a cursor this service handed out")
            })
        })
        .transpose()?;
    Ok(PageRequest { limit, after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::ProblemCode;

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(page(None, None).unwrap(), PageRequest { limit: 50, after: None });
        assert_eq!(page(Some(200), None).unwrap().limit, 200);
        for bad in [Some(0), Some(201)] {
            assert_eq!(page(bad, None).unwrap_err().code(), ProblemCode::InvalidParameter);
        }
        assert_eq!(page(None, Some("nope")).unwrap_err().field_errors()[0].field, "cursor");
    }
}
