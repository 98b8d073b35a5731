//! Only valid bearer tokens of known organisations get in; everything else is 401 (with the
//! Bearer challenge) or 403, never a 500.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::on_both_databases;
use crate::support::{DANA, Person, Reply, SECRET, TestApp, token_for};
use klachtenregister::domain::roles::Role;

on_both_databases!(
    a_valid_token_names_the_caller,
    missing_or_invalid_tokens_are_401,
    unknown_organisations_and_roleless_tokens_are_403,
);

mod claims {
    crate::on_both_databases!(
        spawn = super::super::with_issuer_and_audience;
        issuer_audience_and_validity_are_checked
    );

    use super::issuer_audience_and_validity_are_checked;
}

pub async fn with_issuer_and_audience(backend: crate::support::Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| {
        config.identity.issuer = Some("https://login.kantoor.nl/".into());
        config.identity.audience = Some("klachtenregister".into());
    })
    .await
}

/// HS256 tokens with exactly these claims.
fn signed(claims: serde_json::Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

async fn issuer_audience_and_validity_are_checked(app: TestApp) {
    let now = Utc::now().timestamp();
    let claims = |changes: serde_json::Value| {
        let mut claims = serde_json::json!({
            "sub": "dana", "org": "kantoor-a", "roles": ["dienstverlener"],
            "iss": "https://login.kantoor.nl/", "aud": "klachtenregister",
            "iat": now, "exp": now + 3600,
        });
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    };
    let accepted = with_token(
        &app,
        Some(format!("Bearer {}", signed(claims(serde_json::json!({}))))),
        "/api/v1/me",
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    for (what, changes) in [
        ("wrong issuer", serde_json::json!({"iss": "https://evil.example/"})),
        ("no issuer", serde_json::json!({"iss": null})),
        ("wrong audience", serde_json::json!({"aud": "another-app"})),
        ("no audience", serde_json::json!({"aud": null})),
        ("not valid before an hour from now", serde_json::json!({"nbf": now + 3600})),
        ("expired", serde_json::json!({"exp": now - 60})),
        ("no expiry", serde_json::json!({"exp": null})),
    ] {
        let token = signed(claims(changes));
        let reply = with_token(&app, Some(format!("Bearer {token}")), "/api/v1/me").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {}", reply.text);
        assert!(
            reply.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")),
            "{what}"
        );
        assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{what}");
    }
}

async fn with_token(app: &TestApp, authorization: Option<String>, path: &str) -> Reply {
    let mut request = app.client.get(app.url(path));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn a_valid_token_names_the_caller(app: TestApp) {
    let me = app.get("/api/v1/me", DANA).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(
        me.json,
        serde_json::json!({
            "id": "dana",
            "name": "Dana de Wit",
            "organisation": {"id": "kantoor-a", "name": "Kantoor Vuijst"},
            "roles": ["dienstverlener"]
        })
    );
}

fn forged(header: &str, payload: &serde_json::Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

async fn missing_or_invalid_tokens_are_401(app: TestApp) {
    let valid = app.token(DANA);
    let payload = serde_json::json!({
        "sub": "dana", "org": "kantoor-a", "roles": ["klachtencoordinator"],
        "exp": (Utc::now() + Duration::hours(1)).timestamp()
    });
    let (header, _, signature) = {
        let mut parts = valid.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        )
    };
    let other_secret = klachtenregister::auth::dev::mint(
        "another-secret-another-secret-another",
        &Default::default(),
        &klachtenregister::auth::dev::TokenRequest {
            staff_id: "dana".into(),
            name: None,
            email: None,
            organisation: "kantoor-a".into(),
            roles: vec![Role::Klachtencoordinator],
            issued_at: Utc::now(),
            valid_for: Duration::hours(1),
            issuer: None,
            audience: None,
        },
    );
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no header", None),
        ("basic scheme", Some("Basic ZGFuYTpwdw==".into())),
        ("empty bearer", Some("Bearer ".into())),
        ("garbage", Some("Bearer not.a.jwt".into())),
        ("bad base64", Some("Bearer %%%.$$$.###".into())),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                token_for(DANA, Utc::now() - Duration::hours(3), Duration::hours(1))
            )),
        ),
        ("wrong signature", Some(format!("Bearer {other_secret}"))),
        (
            "tampered payload",
            Some(format!(
                "Bearer {header}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(payload.to_string())
            )),
        ),
        (
            "alg none",
            Some(format!("Bearer {}", forged(r#"{"alg":"none","typ":"JWT"}"#, &payload, ""))),
        ),
        (
            "alg HS512 not configured",
            Some(format!("Bearer {}", forged(r#"{"alg":"HS512","typ":"JWT"}"#, &payload, "abc"))),
        ),
        ("oversized", Some(format!("Bearer {}", "a".repeat(9000)))),
    ];
    for (what, authorization) in cases {
        let reply = with_token(&app, authorization, "/api/v1/me").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {}", reply.text);
        assert!(
            reply.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")),
            "{what}"
        );
        assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{what}");
    }
    // A token in the query string is not a credential.
    let in_query = with_token(&app, None, &format!("/api/v1/me?access_token={valid}")).await;
    assert_eq!(in_query.status, StatusCode::UNAUTHORIZED);
    assert!(SECRET.len() >= 32);
}

async fn unknown_organisations_and_roleless_tokens_are_403(app: TestApp) {
    let stranger = Person { org: "kantoor-x", id: "x", name: "X", roles: &[Role::Dienstverlener] };
    let reply = app.get("/api/v1/me", stranger).await;
    reply.assert_problem(403, "unknown_organisation");
    assert!(reply.json["detail"].as_str().unwrap().contains("kantoor-x"));

    let roleless = Person { org: "kantoor-a", id: "y", name: "Y", roles: &[] };
    app.get("/api/v1/me", roleless).await.assert_problem(403, "no_role");
}
