//! Why an operation did not happen, without HTTP: the API renders it as a problem document
//! (`impl From<OperationError> for ApiError`), the command line and the workers report it.

use crate::db::DbError;
use crate::domain::access::Denied;
use crate::domain::codes::ProblemCode;
use crate::domain::import::RowError;
use crate::domain::lifecycle::Refused;
use crate::domain::validation::{FieldError, ValidationErrors};
use crate::render::typeset::TypesetError;

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    /// No such thing, or one the caller may not know exists; names what.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller sees it but may not do this; `code` names the rule.
    #[error("{message}")]
    Forbidden { code: ProblemCode, message: &'static str },
    /// The procedure does not allow this now.
    #[error("{}", .0.message)]
    Refused(Refused),
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The precondition (`If-Match`) names a version that is no longer current.
    #[error("{0}")]
    PreconditionFailed(String),
    /// An idempotency key sent again with a different request.
    #[error("the idempotency key was used for a different request")]
    KeyReused,
    /// Content of a type the register does not keep.
    #[error("{0}")]
    UnsupportedContent(String),
    #[error(transparent)]
    Database(#[from] DbError),
    /// A fault of the service itself; the reason is for the log, not for the caller.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// An import whose file has faults, each with its row and column; nothing was written.
    #[error("the file has {} fault(s)", .0.len())]
    ImportRefused(Vec<RowError>),
    /// Well-formed, but refused for the reason `code` names (`422`).
    #[error("{}", .0.message)]
    Unprocessable(Refused),
}

impl OperationError {
    /// The version a change was based on is gone: someone else changed it first.
    pub fn changed_meanwhile(what: &str) -> OperationError {
        OperationError::PreconditionFailed(format!("the {what} changed meanwhile"))
    }
}

impl From<Denied> for OperationError {
    /// Something of a complaint the caller may not see is a complaint not found; finders of
    /// other things name them with [`Denied::hidden_as`].
    fn from(denied: Denied) -> OperationError {
        denied.hidden_as("complaint")
    }
}

impl Denied {
    /// The refusal, with what the caller may not see named `what`.
    pub fn hidden_as(self, what: &'static str) -> OperationError {
        match self {
            Denied::NotVisible => OperationError::NotFound(what),
            Denied::Forbidden { code, message } => OperationError::Forbidden { code, message },
        }
    }
}

impl From<Refused> for OperationError {
    fn from(refused: Refused) -> OperationError {
        OperationError::Refused(refused)
    }
}

impl From<ValidationErrors> for OperationError {
    fn from(errors: ValidationErrors) -> OperationError {
        OperationError::Invalid(errors)
    }
}

impl From<FieldError> for OperationError {
    fn from(error: FieldError) -> OperationError {
        OperationError::Invalid(error.into())
    }
}

impl From<diesel::result::Error> for OperationError {
    fn from(error: diesel::result::Error) -> OperationError {
        OperationError::Database(DbError::Query(error))
    }
}

impl From<TypesetError> for OperationError {
    /// A layout that fails is the service's fault, never the data's: logged, and answered
    /// as an internal error.
    fn from(error: TypesetError) -> OperationError {
        tracing::error!(%error, "typesetting failed");
        OperationError::Internal("the document could not be typeset")
    }
}
