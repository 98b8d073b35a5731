//! The caller of a request, as a verified token and the staff row it names. Handlers take a
//! [`Principal`] argument (its extractor is `api::authentication`); the operations take it as
//! who acts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::TokenClaims;
use crate::db::Db;
use crate::domain::codes::ProblemCode;
use crate::domain::roles::{Actor, Roles};
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

    /// The principal a verified token names, its staff row recorded (or kept current) on
    /// first sight. A token of an organisation the service does not know is refused.
    pub async fn resolve(
        &self,
        db: &Db,
        now: DateTime<Utc>,
        claims: TokenClaims,
    ) -> Result<Principal, ApiError> {
        let seen = match self.recent(&claims) {
            Some(seen) => seen,
            None => {
                let c = claims.clone();
                let recorded = db
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
                        ProblemCode::UnknownOrganisation,
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
