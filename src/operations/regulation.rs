//! The klachtenregeling as the firm hands it to clients: public, by the organisation's id,
//! and nothing else of the organisation.

use super::OperationError;
use crate::db::Db;
use crate::domain::letters::dispute_body;
use crate::render::regulation::{self, Regulation};
use crate::render::typeset::{Layout, Typesetter};
use crate::render::{Format, Paper};
use crate::store::organisations;

/// The regulation of the organisation `slug` names, as PDF or HTML; not found for an
/// unknown one.
pub async fn public(
    db: &Db,
    typesetter: &Typesetter,
    slug: String,
    format: Format,
) -> Result<Paper, OperationError> {
    let page: Regulation = db
        .read(move |conn| {
            let org = organisations::find_by_slug(conn, &slug)?
                .ok_or(OperationError::NotFound("organisation"))?;
            Ok::<_, OperationError>(regulation::regulation(
                &org.name,
                &org.regulation_text,
                &dispute_body(org.dispute_body().as_ref()),
            ))
        })
        .await?;
    let content = match format {
        Format::Pdf => typesetter.pdf(Layout::Regulation, &page).await?,
        Format::Html => regulation::html(&page).into_string().into_bytes(),
    };
    Ok(Paper {
        format,
        filename: format!("Klachtenregeling {}.{}", page.organisation, format.extension()),
        content,
    })
}
