//! The caller of a request. A handler that takes a [`Principal`] argument is authenticated;
//! the extractor reads only the `Authorization: Bearer` header (a token in the query string
//! is ignored), verifies the token, and records the staff member on first sight.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RootSpan;

use super::TokenClaims;
use crate::app::AppState;
use crate::domain::roles::{Actor, Role, Roles};
use crate::error::ApiError;
use crate::store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub organisation_id: i64,
    pub organisation: String,
    /// The staff member's row id.
    pub staff_id: i64,
    /// The staff member's id as the identity provider knows it (the token's subject).
    pub subject: String,
    pub name: Option<String>,
    pub roles: Roles,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor { staff_id: self.staff_id, roles: self.roles }
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.roles.has(role) {
            Ok(())
        } else {
            let code = match role {
                Role::Klachtencoordinator => "coordinator_role_required",
                Role::Dienstverlener => "dienstverlener_role_required",
            };
            Err(ApiError::forbidden(code, format!("this needs the {} role", role.as_str())))
        }
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req.headers().get(AUTHORIZATION).cloned();
        let span = req.extensions().get::<RootSpan>().cloned();
        let method = req.method().clone();
        Box::pin(async move {
            let state = state.ok_or_else(ApiError::internal)?;
            let header = header.ok_or_else(|| {
                ApiError::unauthorized("send a bearer token: Authorization: Bearer <JWT>")
            })?;
            let token = bearer_token(header.to_str().unwrap_or(""))?;
            let claims = state.verifier.verify(token).await?;
            if let Some(span) = span {
                span.record("staff_id", claims.staff_id.as_str());
            }
            if claims.roles.is_empty() {
                return Err(ApiError::forbidden(
                    "no_role",
                    "the token carries neither the dienstverlener nor the klachtencoordinator role",
                ));
            }
            let principal = state.sightings.resolve(&state, claims).await?;
            state.write_limit.check(&method, principal.staff_id)?;
            Ok(principal)
        })
    }
}

fn bearer_token(value: &str) -> Result<&str, ApiError> {
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized("use the Bearer scheme: Authorization: Bearer <JWT>"));
    }
    Ok(token.trim())
}

/// Remembers whom the service has recently recorded, so that a staff member's row is
/// written when they (or their name or roles) are new — not on every request.
#[derive(Default)]
pub struct Sightings(Mutex<HashMap<TokenClaims, Seen>>);

#[derive(Clone, Copy)]
struct Seen {
    organisation_id: i64,
    staff_id: i64,
    at: Instant,
}

/// A recorded sighting is trusted this long before `last_seen_at` is written again.
const SIGHTING_TTL: Duration = Duration::from_secs(600);
const SIGHTINGS_MAX: usize = 10_000;

impl Sightings {
    fn recent(&self, claims: &TokenClaims) -> Option<Seen> {
        let seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.get(claims).copied().filter(|s| s.at.elapsed() < SIGHTING_TTL)
    }

    fn remember(&self, claims: TokenClaims, seen: Seen) {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if all.len() >= SIGHTINGS_MAX {
            all.clear();
        }
        all.insert(claims, seen);
    }

    async fn resolve(&self, state: &AppState, claims: TokenClaims) -> Result<Principal, ApiError> {
        let seen = match self.recent(&claims) {
            Some(seen) => seen,
            None => {
                let now = state.clock.now();
                let c = claims.clone();
                let recorded = state
                    .db
                    .write(move |conn| {
                        store::staff::record_sighting(
                            conn,
                            &c.organisation,
                            &c.staff_id,
                            (c.name.as_deref(), c.email.as_deref()),
                            c.roles,
                            now,
                        )
                        .map_err(ApiError::from)
                    })
                    .await?;
                let Some((organisation_id, staff_id)) = recorded else {
                    return Err(ApiError::forbidden(
                        "unknown_organisation",
                        format!(
                            "the token's organisation '{}' is not registered with this service",
                            claims.organisation
                        ),
                    ));
                };
                let seen = Seen { organisation_id, staff_id, at: Instant::now() };
                self.remember(claims.clone(), seen);
                seen
            }
        };
        Ok(Principal {
            organisation_id: seen.organisation_id,
            organisation: claims.organisation,
            staff_id: seen.staff_id,
            subject: claims.staff_id,
            name: claims.name,
            roles: claims.roles,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bearer_scheme_is_accepted() {
        assert_eq!(bearer_token("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
        assert_eq!(bearer_token("bearer  abc ").unwrap(), "abc");
        for bad in ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "abc.def.ghi", ""] {
            assert_eq!(bearer_token(bad).unwrap_err().code(), "unauthorized", "{bad}");
        }
    }
}
