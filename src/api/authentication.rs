//! The [`Principal`] extractor: a handler that takes a `Principal` argument is authenticated.
//! It reads only the `Authorization: Bearer` header (a token in the query string is
//! ignored), verifies the token, and records the staff member on first sight.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RootSpan;

use super::state::AppState;
use crate::auth::Principal;
use crate::domain::codes::ProblemCode;
use crate::error::ApiError;

/// The outcome of authenticating a request ahead of its handler (the write limit does so, to
/// count the caller's writes), kept for the handler's extractor.
pub struct Authenticated(pub Result<Principal, ApiError>);

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let earlier = req.extensions_mut().remove::<Authenticated>();
        let request = req.clone();
        Box::pin(async move {
            match earlier {
                Some(Authenticated(outcome)) => outcome,
                None => authenticate(&request).await,
            }
        })
    }
}

/// Verifies the request's bearer token and resolves the staff member it names.
pub async fn authenticate(request: &HttpRequest) -> Result<Principal, ApiError> {
    let state =
        request.app_data::<web::Data<AppState>>().cloned().ok_or_else(ApiError::internal)?;
    let header = request.headers().get(AUTHORIZATION).cloned().ok_or_else(|| {
        ApiError::unauthorized("send a bearer token: Authorization: Bearer <JWT>")
    })?;
    let token = bearer_token(header.to_str().unwrap_or(""))?;
    let claims = state.verifier.verify(token).await?;
    if claims.roles.is_empty() {
        return Err(ApiError::forbidden(
            ProblemCode::NoRole,
            "the token carries neither the dienstverlener nor the klachtencoordinator role",
        ));
    }
    let principal = state.sightings.resolve(&state.db, state.clock.now(), claims).await?;
    // The service's own number for the staff member: the token's subject is often an
    // e-mail address, and logs hold nothing personal.
    if let Some(span) = request.extensions().get::<RootSpan>() {
        span.record("staff_id", principal.staff_id);
    }
    Ok(principal)
}

fn bearer_token(value: &str) -> Result<&str, ApiError> {
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized("use the Bearer scheme: Authorization: Bearer <JWT>"));
    }
    Ok(token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bearer_scheme_is_accepted() {
        assert_eq!(bearer_token("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
        assert_eq!(bearer_token("bearer  abc ").unwrap(), "abc");
        for bad in ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "abc.def.ghi", ""] {
            assert_eq!(bearer_token(bad).unwrap_err().code(), ProblemCode::Unauthorized, "{bad}");
        }
    }
}
