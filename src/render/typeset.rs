//! PDFs laid out by Typst, used as a library. The fonts (Libertinus Serif and the other
//! fonts of `typst-assets`) and the layouts (`src/render/typst/*.typ`) are compiled into the
//! binary, so nothing is read from disk or downloaded. What a document shows reaches Typst
//! only as data: a virtual file `/data.json` that the layout reads with `json(…)`. A name
//! such as `#set page(…)` or `)]}` is therefore a string Typst places as text, never markup
//! it evaluates.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Semaphore;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

/// The layouts, by the name a document asks for. `common.typ` holds what they share.
const LAYOUTS: [(&str, &str); 4] = [
    ("/common.typ", include_str!("typst/common.typ")),
    ("/form.typ", include_str!("typst/form.typ")),
    ("/letter.typ", include_str!("typst/letter.typ")),
    ("/regulation.typ", include_str!("typst/regulation.typ")),
];

const DATA: &str = "/data.json";

/// A document layout: which of `LAYOUTS` lays it out.
#[derive(Debug, Clone, Copy)]
pub enum Layout {
    Form,
    Letter,
    Regulation,
}

impl Layout {
    fn path(self) -> &'static str {
        match self {
            Layout::Form => "/form.typ",
            Layout::Letter => "/letter.typ",
            Layout::Regulation => "/regulation.typ",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    /// The layout did not compile: a fault of the service, never of the data.
    #[error("the {0:?} layout failed: {1}")]
    Layout(Layout, String),
    #[error("rendering was cancelled")]
    Cancelled,
}

fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("the layouts' paths are absolute and plain");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

/// What every document shares, built once at start: the standard library, the fonts and
/// the layouts' sources.
struct Base {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
    data: FileId,
}

/// One document: the base, the layout to compile and its data.
struct Job<'a> {
    base: &'a Base,
    main: FileId,
    data: Bytes,
}

impl World for Job<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.base.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.base.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.base.sources.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.base.data {
            return Ok(self.data.clone());
        }
        self.base
            .sources
            .get(&id)
            .map(|source| Bytes::from_string(source.text().to_owned()))
            .ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.base.fonts.get(index).cloned()
    }

    /// Documents take their dates from their data: the layouts never ask.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// Lays out PDFs on the blocking pool, a few at a time: a layout takes tens of
/// milliseconds of CPU and some memory, and must not starve the requests around it.
#[derive(Clone)]
pub struct Typesetter {
    base: Arc<Base>,
    permits: Arc<Semaphore>,
}

impl Typesetter {
    /// Loads the fonts and layouts; `at_once` documents are laid out at the same time.
    pub fn new(at_once: usize) -> Typesetter {
        let fonts: Vec<Font> =
            typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let sources = LAYOUTS
            .into_iter()
            .map(|(path, text)| {
                let id = file_id(path);
                (id, Source::new(id, text.to_owned()))
            })
            .collect();
        let base = Base {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            sources,
            data: file_id(DATA),
        };
        Typesetter { base: Arc::new(base), permits: Arc::new(Semaphore::new(at_once.max(1))) }
    }

    /// The document `layout` makes of `data`, as PDF.
    pub async fn pdf<T: Serialize>(
        &self,
        layout: Layout,
        data: &T,
    ) -> Result<Vec<u8>, TypesetError> {
        let data = serde_json::to_vec(data)
            .map_err(|e| TypesetError::Layout(layout, format!("data: {e}")))?;
        let permit =
            self.permits.clone().acquire_owned().await.map_err(|_| TypesetError::Cancelled)?;
        let base = self.base.clone();
        // The permit goes with the work: a request given up (its client gone) drops this
        // future, but the layout runs on to its end, and holds its place until then.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            typeset(&base, layout, data)
        })
        .await
        .map_err(|_| TypesetError::Cancelled)?
    }
}

fn typeset(base: &Base, layout: Layout, data: Vec<u8>) -> Result<Vec<u8>, TypesetError> {
    let job = Job { base, main: file_id(layout.path()), data: Bytes::new(data) };
    let compiled = typst::compile::<PagedDocument>(&job).output;
    // Typst memoises what it computed, personal data included: nothing of this document
    // stays in memory after it is made.
    let pdf = compiled.and_then(|document| {
        // No timestamp and a fixed identifier: the same data gives the same bytes, so a
        // retried letter is recognised as the same document.
        let options = PdfOptions {
            ident: Smart::Custom("klachtenregister".to_owned()),
            timestamp: None,
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options)
    });
    typst::comemo::evict(0);
    pdf.map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        TypesetError::Layout(layout, messages.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A regulation long enough to take a while to lay out.
    fn long_regulation() -> crate::render::regulation::Regulation {
        let text =
            "Wij streven naar een snelle en zorgvuldige afhandeling van uw klacht.\n".repeat(400);
        crate::render::regulation::regulation("Kantoor", &text, "Kifid")
    }

    #[tokio::test]
    async fn a_layout_holds_its_permit_until_it_is_done_even_when_its_request_is_dropped() {
        let typesetter = Typesetter::new(1);
        let data = long_regulation();
        let mut request = Box::pin(typesetter.pdf(Layout::Regulation, &data));
        // Polled once: it takes the permit and hands the layout to the blocking pool.
        tokio::select! {
            biased;
            _ = &mut request => panic!("laid out within a single poll"),
            () = std::future::ready(()) => {}
        }
        drop(request);
        assert_eq!(typesetter.permits.available_permits(), 0, "released while the layout runs");
        let released = async {
            while typesetter.permits.available_permits() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(120), released)
            .await
            .expect("the permit comes back when the layout is done");
    }
}
