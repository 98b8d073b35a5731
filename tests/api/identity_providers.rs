//! Tokens of an existing identity provider: RS256 and ES256 keys from a JWKS file or URL,
//! refreshed when a token names an unknown key id, with issuer and audience checked and
//! only the configured algorithms accepted.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{Duration, Utc};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, Reply, TestApp};
use klachtenregister::config::KeySource;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

struct Key {
    kid: &'static str,
    algorithm: Algorithm,
    encoding: EncodingKey,
}

fn key(kid: &'static str, file: &str, algorithm: Algorithm) -> Key {
    let pem = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
    let encoding = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    };
    Key { kid, algorithm, encoding }
}

fn jwks(keys: &[&Key]) -> String {
    let keys = keys
        .iter()
        .map(|k| {
            let mut jwk = Jwk::from_encoding_key(&k.encoding, k.algorithm).unwrap();
            jwk.common.key_id = Some(k.kid.to_owned());
            jwk
        })
        .collect();
    serde_json::to_string(&JwkSet { keys }).unwrap()
}

fn claims(issuer: &str, audience: &str) -> Value {
    json!({
        "sub": "dana", "name": "Dana de Wit", "org": "kantoor-a", "roles": ["dienstverlener"],
        "iss": issuer, "aud": audience,
        "exp": (Utc::now() + Duration::hours(1)).timestamp(),
    })
}

fn sign(key: &Key, claims: &Value) -> String {
    let mut header = Header::new(key.algorithm);
    header.kid = Some(key.kid.to_owned());
    encode(&header, claims, &key.encoding).unwrap()
}

async fn me(app: &TestApp, token: &str) -> Reply {
    let response = app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
    Reply::from(response).await
}

async fn spawn(keys: KeySource) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, |config| {
        config.identity.keys = keys;
        config.identity.algorithms = vec![Algorithm::RS256, Algorithm::ES256];
        config.identity.issuer = Some("https://idp.example".into());
        config.identity.audience = Some("klachtenregister".into());
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn rs256_and_es256_tokens_from_a_jwks_file_are_accepted() {
    let rsa = key("rsa-1", "rsa-1.pem", Algorithm::RS256);
    let ec = key("ec-1", "ec-1.pem", Algorithm::ES256);
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("jwks.json");
    std::fs::write(&file, jwks(&[&rsa, &ec])).unwrap();
    let app = spawn(KeySource::JwksFile(file.clone())).await;

    let good = claims("https://idp.example", "klachtenregister");
    for token in [sign(&rsa, &good), sign(&ec, &good)] {
        let reply = me(&app, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(reply.json["id"], "dana");
    }

    let refused = [
        ("wrong issuer", sign(&rsa, &claims("https://evil.example", "klachtenregister"))),
        ("wrong audience", sign(&rsa, &claims("https://idp.example", "another-app"))),
        ("no audience", {
            let mut c = good.clone();
            c.as_object_mut().unwrap().remove("aud");
            sign(&rsa, &c)
        }),
        (
            "unknown kid",
            sign(&Key { kid: "rsa-9", ..key("x", "rsa-2.pem", Algorithm::RS256) }, &good),
        ),
        (
            "key of another kid",
            sign(&Key { kid: "rsa-1", ..key("x", "rsa-2.pem", Algorithm::RS256) }, &good),
        ),
        // Key confusion: HS256 "signed" with the published RSA public key.
        ("HS256 with the public key", {
            let public = std::fs::read(format!("{FIXTURES}/rsa-1.pub.pem")).unwrap();
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("rsa-1".into());
            encode(&header, &good, &EncodingKey::from_secret(&public)).unwrap()
        }),
    ];
    for (what, token) in refused {
        let reply = me(&app, &token).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {}", reply.text);
        assert!(reply.header("www-authenticate").is_some(), "{what}");
    }
}

#[actix_web::test]
async fn a_rotated_key_is_fetched_from_the_jwks_url() {
    let old = key("2026-10", "rsa-1.pem", Algorithm::RS256);
    let new = key("2026-11", "rsa-2.pem", Algorithm::RS256);
    let published = Arc::new(Mutex::new(jwks(&[&old])));
    let fetches = Arc::new(Mutex::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let (body, count) = (published.clone(), fetches.clone());
    let idp = HttpServer::new(move || {
        let (body, count) = (body.clone(), count.clone());
        App::new().route(
            "/jwks.json",
            web::get().to(move || {
                *count.lock().unwrap() += 1;
                let json = body.lock().unwrap().clone();
                async move { HttpResponse::Ok().content_type("application/json").body(json) }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(idp);

    let app = spawn(KeySource::JwksUrl(url)).await;
    let good = claims("https://idp.example", "klachtenregister");
    assert_eq!(me(&app, &sign(&old, &good)).await.status, StatusCode::OK);
    assert_eq!(*fetches.lock().unwrap(), 1, "keys are cached");

    *published.lock().unwrap() = jwks(&[&old, &new]);
    let rotated = me(&app, &sign(&new, &good)).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    assert_eq!(*fetches.lock().unwrap(), 2, "an unknown kid fetched the set again");
    assert_eq!(me(&app, &sign(&old, &good)).await.status, StatusCode::OK);
    assert_eq!(*fetches.lock().unwrap(), 2);
}
