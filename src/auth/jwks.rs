//! An identity provider's public keys (a JWKS document from a URL or a file), cached and
//! fetched again when a token names a key id the cache does not know — that is how key
//! rotation looks from here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::error::ApiError;

enum Source {
    Url { url: String, client: reqwest::Client },
    File(PathBuf),
}

/// A published verification key, and the algorithm it is for when the JWK says so.
#[derive(Clone)]
pub(super) struct PublishedKey {
    pub key: Arc<DecodingKey>,
    pub algorithm: Option<Algorithm>,
}

#[derive(Default)]
struct KeySet {
    by_kid: HashMap<String, PublishedKey>,
    /// Keys published without a `kid`: usable only by tokens without one, and only when there
    /// is exactly one such key.
    anonymous: Vec<PublishedKey>,
}

pub(super) struct JwksStore {
    source: Source,
    keys: RwLock<Arc<KeySet>>,
    last_fetch: tokio::sync::Mutex<Instant>,
    min_refresh: Duration,
}

impl JwksStore {
    pub(super) async fn from_url(url: String, min_refresh: Duration) -> Result<Self, String> {
        // No redirects: the configured URL is the one trusted for keys.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client for the JWKS: {e}"))?;
        Self::load(Source::Url { url, client }, min_refresh).await
    }

    pub(super) async fn from_file(path: PathBuf, min_refresh: Duration) -> Result<Self, String> {
        Self::load(Source::File(path), min_refresh).await
    }

    async fn load(source: Source, min_refresh: Duration) -> Result<Self, String> {
        let keys = fetch(&source).await?;
        Ok(JwksStore {
            source,
            keys: RwLock::new(Arc::new(keys)),
            last_fetch: tokio::sync::Mutex::new(Instant::now()),
            min_refresh,
        })
    }

    fn lookup(&self, kid: Option<&str>) -> Option<PublishedKey> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner()).clone();
        match kid {
            Some(kid) => keys.by_kid.get(kid).cloned(),
            None if keys.anonymous.len() == 1 => keys.anonymous.first().cloned(),
            None => None,
        }
    }

    pub(super) async fn key_for(&self, kid: Option<&str>) -> Result<PublishedKey, ApiError> {
        if let Some(key) = self.lookup(kid) {
            return Ok(key);
        }
        let unknown = || ApiError::invalid_token("the token's key id (kid) is not known");
        // One refresh at a time, and not more often than `min_refresh`.
        let mut last_fetch = self.last_fetch.lock().await;
        if let Some(key) = self.lookup(kid) {
            return Ok(key);
        }
        if last_fetch.elapsed() < self.min_refresh {
            return Err(unknown());
        }
        *last_fetch = Instant::now();
        match fetch(&self.source).await {
            Ok(fresh) => *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh),
            Err(reason) => {
                tracing::warn!(%reason, "refreshing the JWKS failed; keeping the old keys")
            }
        }
        self.lookup(kid).ok_or_else(unknown)
    }
}

async fn fetch(source: &Source) -> Result<KeySet, String> {
    let document = match source {
        Source::File(path) => tokio::fs::read(path)
            .await
            .map_err(|e| format!("cannot read the JWKS file {}: {e}", path.display()))?,
        Source::Url { url, client } => client
            .get(url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| format!("cannot fetch the JWKS from {url}: {e}"))?
            .bytes()
            .await
            .map_err(|e| format!("cannot read the JWKS from {url}: {e}"))?
            .to_vec(),
    };
    let set: JwkSet =
        serde_json::from_slice(&document).map_err(|e| format!("the JWKS is not valid: {e}"))?;
    let mut keys = KeySet::default();
    // Public signature keys only: no shared secrets, nothing marked for encryption. A key
    // without `alg` is fine (some providers omit it); one with an `alg` this library does
    // not know is skipped.
    let usable = set.keys.iter().filter(|k| {
        !matches!(k.algorithm, AlgorithmParameters::OctetKey(_))
            && matches!(k.common.public_key_use, None | Some(PublicKeyUse::Signature))
    });
    for jwk in usable {
        let algorithm = match jwk.common.key_algorithm {
            None => None,
            Some(declared) => match Algorithm::try_from(declared) {
                Ok(algorithm) => Some(algorithm),
                Err(_) => continue,
            },
        };
        let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
        let published = PublishedKey { key: Arc::new(key), algorithm };
        match &jwk.common.key_id {
            Some(kid) => {
                keys.by_kid.insert(kid.clone(), published);
            }
            None => keys.anonymous.push(published),
        }
    }
    if keys.by_kid.is_empty() && keys.anonymous.is_empty() {
        return Err("the JWKS holds no usable key".into());
    }
    Ok(keys)
}
