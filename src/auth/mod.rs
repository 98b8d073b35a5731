//! Authentication: bearer JWTs checked against a shared secret or an identity provider's
//! JWKS, with only the configured algorithms accepted, and the [`Principal`] a token names
//! (`api::authentication` extracts it from a request; nothing else knows about tokens).

pub mod dev;
mod jwks;
mod principal;

use std::collections::HashSet;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

pub use principal::{Principal, Sightings};

use crate::config::{ClaimNames, IdentityConfig, KeySource};
use crate::domain::roles::Roles;
use crate::domain::validation::{Email, ExternalId, Text};
use crate::error::ApiError;
use jwks::JwksStore;

/// Tokens longer than this are refused before any parsing: no identity provider issues them,
/// and parsing attacker-sized input is work an attacker chooses.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a valid token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenClaims {
    pub staff_id: String,
    pub name: Option<String>,
    /// Where the service's notifications reach them; ignored unless it looks like an address.
    pub email: Option<String>,
    pub organisation: String,
    pub roles: Roles,
}

enum Keys {
    Secret(DecodingKey),
    Jwks(JwksStore),
}

pub struct Verifier {
    keys: Keys,
    /// One validation per accepted algorithm: jsonwebtoken requires the algorithms of one
    /// validation to share a key family, and RS256 and ES256 do not.
    validations: Vec<(Algorithm, Validation)>,
    claims: ClaimNames,
}

impl Verifier {
    /// `dev_secret` is the generated secret of development mode, used when the configuration
    /// names no key source.
    pub async fn new(
        config: &IdentityConfig,
        dev_secret: Option<&str>,
    ) -> Result<Verifier, String> {
        let keys = match &config.keys {
            KeySource::Secret(secret) => Keys::Secret(DecodingKey::from_secret(secret.as_bytes())),
            KeySource::Development => {
                let secret = dev_secret.ok_or("development mode needs its generated secret")?;
                Keys::Secret(DecodingKey::from_secret(secret.as_bytes()))
            }
            KeySource::JwksUrl(url) => {
                Keys::Jwks(JwksStore::from_url(url.clone(), config.jwks_min_refresh).await?)
            }
            KeySource::JwksFile(path) => {
                Keys::Jwks(JwksStore::from_file(path.clone(), config.jwks_min_refresh).await?)
            }
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = config.leeway.as_secs();
        validation.validate_nbf = true;
        validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
        if let Some(issuer) = &config.issuer {
            validation.set_issuer(&[issuer]);
            validation.required_spec_claims.insert("iss".into());
        }
        match &config.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                validation.required_spec_claims.insert("aud".into());
            }
            None => validation.validate_aud = false,
        }
        let validations = config
            .algorithms
            .iter()
            .map(|algorithm| {
                (*algorithm, Validation { algorithms: vec![*algorithm], ..validation.clone() })
            })
            .collect();
        Ok(Verifier { keys, validations, claims: config.claims.clone() })
    }

    /// Checks a token and reads the claims the service needs. Every failure is a 401 that
    /// says what was wrong with the token, never with the key material.
    pub async fn verify(&self, token: &str) -> Result<TokenClaims, ApiError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(ApiError::invalid_token("the token is too large"));
        }
        let header = decode_header(token)
            .map_err(|_| ApiError::invalid_token("the token is not a well-formed JWT"))?;
        let Some((_, validation)) = self.validations.iter().find(|(a, _)| *a == header.alg) else {
            return Err(ApiError::invalid_token(format!(
                "tokens signed with {:?} are not accepted",
                header.alg
            )));
        };
        let data = match &self.keys {
            Keys::Secret(key) => decode::<Value>(token, key, validation),
            Keys::Jwks(store) => {
                let published = store.key_for(header.kid.as_deref()).await?;
                if published.algorithm.is_some_and(|a| a != header.alg) {
                    return Err(ApiError::invalid_token(
                        "the token's algorithm is not the one its key is published for",
                    ));
                }
                decode::<Value>(token, &published.key, validation)
            }
        }
        .map_err(|e| ApiError::invalid_token(describe(e.kind())))?;
        read_claims(&data.claims, &self.claims)
    }
}

fn describe(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "the token's issuer is not accepted",
        ErrorKind::InvalidAudience => "the token is meant for another audience",
        ErrorKind::InvalidSignature => "the token's signature does not verify",
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim (exp, iss or aud)",
        _ => "the token is not valid",
    }
}

/// Looks a claim up by name; a dotted name reaches into nested objects.
fn claim<'a>(claims: &'a Value, name: &str) -> Option<&'a Value> {
    claims.get(name).or_else(|| name.split('.').try_fold(claims, |v, key| v.get(key)))
}

fn read_claims(claims: &Value, names: &ClaimNames) -> Result<TokenClaims, ApiError> {
    let text = |name: &str| -> Option<String> {
        match claim(claims, name)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let required = |name: &str| {
        text(name).ok_or_else(|| {
            ApiError::invalid_token(format!("the token has no usable '{name}' claim"))
        })
    };
    // The same rule as for staff ids in requests, so that whoever can sign in can also be
    // named as a handler.
    let staff_id = ExternalId::parse(&names.staff_id, &required(&names.staff_id)?)
        .map_err(|_| ApiError::invalid_token("the token's staff id is not usable"))?
        .as_str()
        .to_owned();
    let organisation = required(&names.organisation)?;
    if organisation.chars().any(char::is_control) {
        return Err(ApiError::invalid_token("the token's organisation is not usable"));
    }
    let roles = match claim(claims, &names.roles) {
        Some(Value::Array(items)) => Roles::from_names(items.iter().filter_map(Value::as_str)),
        Some(Value::String(s)) => Roles::from_names(s.split([' ', ','])),
        _ => Roles::default(),
    };
    // A name that would not pass as text in a request (a control character) is not recorded.
    let name = text(&names.name)
        .map(|n| n.chars().take(200).collect::<String>())
        .and_then(|n| Text::parse(&names.name, &n, 200).ok())
        .map(Text::into_string);
    let email = text(&names.email)
        .and_then(|e| Email::parse(&names.email, &e).ok())
        .map(|e| e.as_str().to_owned());
    Ok(TokenClaims { staff_id, name, email, organisation, roles })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_read_by_configured_and_dotted_names() {
        let names = ClaimNames {
            staff_id: "oid".into(),
            name: "name".into(),
            email: "upn".into(),
            organisation: "tenant.slug".into(),
            roles: "realm_access.roles".into(),
        };
        let claims = json!({
            "oid": "u-1", "name": " Anna ", "upn": "anna@kantoor.nl",
            "tenant": {"slug": "kantoor-a"},
            "realm_access": {"roles": ["offline_access", "klachtencoordinator"]}
        });
        let read = read_claims(&claims, &names).unwrap();
        assert_eq!(read.staff_id, "u-1");
        assert_eq!(read.name.as_deref(), Some("Anna"));
        assert_eq!(read.email.as_deref(), Some("anna@kantoor.nl"));
        assert_eq!(read.organisation, "kantoor-a");
        assert!(read.roles.klachtencoordinator && !read.roles.dienstverlener);
    }

    #[test]
    fn roles_may_be_a_space_separated_string_and_claims_must_be_present() {
        let names = ClaimNames::default();
        let read =
            read_claims(&json!({"sub": "u", "org": "o", "roles": "dienstverlener other"}), &names)
                .unwrap();
        assert!(read.roles.dienstverlener);
        let missing = read_claims(&json!({"sub": "u"}), &names).unwrap_err();
        assert_eq!(missing.code(), crate::domain::codes::ProblemCode::InvalidToken);
    }
}
