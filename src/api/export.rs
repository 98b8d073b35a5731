//! The register as a spreadsheet, answered as it is read (`GET /complaints` with `Accept:
//! text/csv` or the XLSX media type): CSV streamed a page at a time, XLSX written on the
//! blocking pool into a temporary file and streamed from there. The first page is read
//! before the answer starts, so that a refusal or an absent database is still a problem
//! response; a failure after that can only cut the transfer short.

use std::io;
use std::pin::pin;

use actix_web::HttpResponse;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::{self, Bytes};
use chrono::NaiveDate;
use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use tokio::sync::mpsc;
use tokio_util::io::ReaderStream;

use super::negotiate::XLSX;
use crate::domain::register::Language;
use crate::error::ApiError;
use crate::operations::OperationError;
use crate::operations::complaints::RegisterEntry;
use crate::render::{register_csv, register_xlsx};

/// An XLSX workbook, as the contract describes it (the body is streamed, never this type).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct Workbook(Vec<u8>);

/// Spreadsheets open a CSV as UTF-8 (`Cliënt`, `Geëscaleerd`) only after this mark.
const BYTE_ORDER_MARK: &str = "\u{feff}";

/// `attachment; filename="klachtenregister-2026-12-02.csv"`: a name of our own making, ASCII
/// only, whatever the register holds.
fn attachment(today: NaiveDate, extension: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!(
            "klachtenregister-{today}.{extension}"
        ))],
    }
}

fn csv_failed(_: csv::Error) -> ApiError {
    ApiError::internal()
}

/// The register as CSV, streamed page by page.
pub async fn csv(
    pages: impl Stream<Item = Result<Vec<RegisterEntry>, OperationError>> + 'static,
    language: Language,
    today: NaiveDate,
) -> Result<HttpResponse, ApiError> {
    let mut pages = Box::pin(pages);
    let first = pages.try_next().await?.unwrap_or_default();
    let mut head = BYTE_ORDER_MARK.as_bytes().to_vec();
    head.extend(register_csv::header(language).map_err(csv_failed)?);
    head.extend(register_csv::rows(&first).map_err(csv_failed)?);
    let rest = pages.map(|page| {
        let rows = register_csv::rows(&page.map_err(io::Error::other)?);
        rows.map(Bytes::from).map_err(io::Error::other)
    });
    let body = stream::once(async { Ok::<_, io::Error>(Bytes::from(head)) }).chain(rest);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header(attachment(today, "csv"))
        .streaming(body))
}

/// The register as an XLSX workbook: the pages are read here and written on the blocking
/// pool as they come; the finished file is then streamed.
pub async fn xlsx(
    pages: impl Stream<Item = Result<Vec<RegisterEntry>, OperationError>> + 'static,
    language: Language,
    today: NaiveDate,
) -> Result<HttpResponse, ApiError> {
    // One page in flight: reading runs ahead of writing by no more than that.
    let (sender, receiver) = mpsc::channel(1);
    let written = web::block(move || register_xlsx::write(receiver, language));
    let fed = async move {
        let mut pages = pin!(pages);
        while let Some(page) = pages.try_next().await? {
            if sender.send(page).await.is_err() {
                break;
            }
        }
        Ok::<_, OperationError>(())
    };
    let (fed, written) = tokio::join!(fed, written);
    fed?;
    let file = written.map_err(|_| ApiError::internal())?.map_err(|_| ApiError::internal())?;
    let length = file.metadata().map_err(|_| ApiError::internal())?.len();
    let body = ReaderStream::new(tokio::fs::File::from_std(file));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_LENGTH, length))
        .insert_header(attachment(today, "xlsx"))
        .streaming(body))
}
