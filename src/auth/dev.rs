//! Development mode and token minting. With no identity settings the service keeps a
//! generated HS256 secret under its data folder and prints tokens for both roles; the `token`
//! subcommand mints tokens with whichever secret is configured.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{EncodingKey, Header, encode};
use rand::RngCore;
use serde_json::{Map, Value};

use crate::config::ClaimNames;
use crate::domain::roles::Role;

const SECRET_FILE: &str = "dev-jwt-secret";

/// The organisation that exists in development mode.
pub const DEV_ORGANISATION: &str = "default";

/// The development organisation's klachtencoördinator.
pub const DEV_COORDINATOR: &str = "dev-coordinator";

/// The two people development mode prints tokens for.
pub const DEV_PEOPLE: [(&str, &str, Role); 2] = [
    ("dev-dienstverlener", "Dana Dienstverlener", Role::Dienstverlener),
    (DEV_COORDINATOR, "Kees Coördinator", Role::Klachtencoordinator),
];

/// Reads the development secret, creating it (readable by this user only) on first run.
pub fn load_or_create_secret(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(data_dir)?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&path)?.write_all(secret.as_bytes())?;
    Ok(secret)
}

/// What a minted token says.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub staff_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub organisation: String,
    pub roles: Vec<Role>,
    pub issued_at: DateTime<Utc>,
    pub valid_for: Duration,
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

/// Signs an HS256 token whose claims sit where the configured claim names say.
pub fn mint(secret: &str, names: &ClaimNames, request: &TokenRequest) -> String {
    let mut claims = Map::new();
    set_claim(&mut claims, &names.staff_id, Value::from(request.staff_id.clone()));
    if let Some(name) = &request.name {
        set_claim(&mut claims, &names.name, Value::from(name.clone()));
    }
    if let Some(email) = &request.email {
        set_claim(&mut claims, &names.email, Value::from(email.clone()));
    }
    set_claim(&mut claims, &names.organisation, Value::from(request.organisation.clone()));
    let roles: Vec<Value> = request.roles.iter().map(|r| Value::from(r.as_str())).collect();
    set_claim(&mut claims, &names.roles, Value::Array(roles));
    claims.insert("iat".into(), request.issued_at.timestamp().into());
    claims.insert("exp".into(), (request.issued_at + request.valid_for).timestamp().into());
    if let Some(issuer) = &request.issuer {
        claims.insert("iss".into(), issuer.clone().into());
    }
    if let Some(audience) = &request.audience {
        claims.insert("aud".into(), audience.clone().into());
    }
    encode(&Header::default(), &Value::Object(claims), &EncodingKey::from_secret(secret.as_bytes()))
        .expect("HS256 signing with an in-memory secret cannot fail")
}

/// Sets a claim, creating the objects a dotted name reaches into.
fn set_claim(claims: &mut Map<String, Value>, name: &str, value: Value) {
    match name.split_once('.') {
        None => {
            claims.insert(name.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = claims.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if !inner.is_object() {
                *inner = Value::Object(Map::new());
            }
            if let Value::Object(map) = inner {
                set_claim(map, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_secret(dir.path()).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load_or_create_secret(dir.path()).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(dir.path().join(SECRET_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn dotted_claim_names_become_nested_objects() {
        let mut claims = Map::new();
        set_claim(&mut claims, "realm_access.roles", Value::from(vec!["dienstverlener"]));
        set_claim(&mut claims, "sub", Value::from("u"));
        assert_eq!(
            Value::Object(claims),
            serde_json::json!({"realm_access": {"roles": ["dienstverlener"]}, "sub": "u"})
        );
    }
}
