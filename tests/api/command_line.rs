//! The binary as a new user meets it: `cargo run` in development mode prints tokens that
//! work, refuses a public address without identity settings, and stops cleanly on SIGTERM.

use std::process::{Child, Command};
use std::time::Duration;

use reqwest::StatusCode;

use crate::binary::{DevService, klachtenregister};

#[actix_web::test]
async fn development_mode_prints_working_tokens_and_stops_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let mut service = DevService::start(klachtenregister(data.path()));
    let (base, swagger) = (service.base.clone(), service.swagger.clone());
    let (dienstverlener, coordinator) =
        (service.dienstverlener.clone(), service.coordinator.clone());
    assert!(data.path().join("dev-jwt-secret").is_file());

    let client = reqwest::Client::new();
    let me =
        client.get(format!("{base}/api/v1/me")).bearer_auth(&dienstverlener).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["organisation"]["id"], "default");

    let created = client
        .post(format!("{base}/api/v1/complaints"))
        .bearer_auth(&dienstverlener)
        .json(&serde_json::json!({
            "kind": "improvement", "reported_by": "employee", "description": "Sjabloon verbeteren"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: serde_json::Value = created.json().await.unwrap();
    assert_eq!(created["coordinator"]["id"], "dev-coordinator");
    let seen = client
        .get(format!("{base}/api/v1/complaints/{}", created["id"]))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), StatusCode::OK);
    assert_eq!(client.get(&swagger).send().await.unwrap().status(), StatusCode::OK);

    let terminated =
        Command::new("kill").args(["-TERM", &service.child.id().to_string()]).status().unwrap();
    assert!(terminated.success());
    let status = wait(&mut service.child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(0), "a graceful stop exits 0");
}

fn wait(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "the process did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn development_mode_refuses_a_public_address() {
    let data = tempfile::tempdir().unwrap();
    let output = klachtenregister(data.path()).env("KLACHTEN_BIND", "0.0.0.0:0").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    assert!(stderr.contains("KLACHTEN_JWT_SECRET"), "{stderr}");
}

#[test]
fn invalid_settings_are_all_reported() {
    let data = tempfile::tempdir().unwrap();
    let output = klachtenregister(data.path())
        .env("KLACHTEN_DATABASE_URL", "mysql://db/klachten")
        .env("KLACHTEN_DB_POOL_SIZE", "0")
        .env("KLACHTEN_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in ["mysql", "KLACHTEN_DB_POOL_SIZE", "KLACHTEN_LOG_FORMAT"] {
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }
}

#[test]
fn a_cors_wildcard_stops_the_service_at_start() {
    let data = tempfile::tempdir().unwrap();
    let output = klachtenregister(data.path())
        .env("KLACHTEN_BIND", "127.0.0.1:0")
        .env("KLACHTEN_CORS_ORIGINS", "https://app.kantoor.nl,*")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("KLACHTEN_CORS_ORIGINS: '*' is refused"), "{stderr}");
    assert!(stderr.contains("personal data"), "{stderr}");
}

#[test]
fn a_service_clients_reach_elsewhere_does_not_start_without_its_public_address() {
    let data = tempfile::tempdir().unwrap();
    let start = |public_url: Option<&str>| {
        let mut command = klachtenregister(data.path());
        command
            .env("KLACHTEN_BIND", "0.0.0.0:0")
            .env("KLACHTEN_JWT_SECRET", "a-secret-of-at-least-thirty-two-bytes!");
        if let Some(url) = public_url {
            command.env("KLACHTEN_PUBLIC_URL", url);
        }
        command.output().unwrap()
    };
    let unset = start(None);
    assert_eq!(unset.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unset.stderr);
    assert!(stderr.contains("KLACHTEN_PUBLIC_URL: required when KLACHTEN_BIND"), "{stderr}");
    assert!(stderr.contains("http://0.0.0.0:0 is not where they reach the service"), "{stderr}");
    let with_query = start(Some("https://klachten.kantoor.nl/?ref=brief"));
    assert_eq!(with_query.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&with_query.stderr);
    assert!(stderr.contains("has a query or fragment"), "{stderr}");
}

#[test]
fn organisations_and_tokens_are_made_on_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| klachtenregister(data.path()).args(args).output().unwrap();
    let migrated = run(&["migrate"]);
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    let created = run(&["organisation", "create", "--id", "kantoor-a", "--name", "Kantoor A"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let again = run(&["organisation", "create", "--id", "kantoor-a", "--name", "Kantoor A"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let token = run(&[
        "token",
        "--staff-id",
        "anna",
        "--organisation",
        "kantoor-a",
        "--role",
        "dienstverlener",
    ]);
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap();
    assert_eq!(token.trim().split('.').count(), 3, "a JWT");
    let bad_role = run(&["token", "--staff-id", "anna", "--role", "admin"]);
    assert!(!bad_role.status.success());
}

#[test]
fn openapi_check_fails_on_a_stale_document() {
    let data = tempfile::tempdir().unwrap();
    let stale = data.path().join("openapi.json");
    std::fs::write(&stale, "{}").unwrap();
    let output = klachtenregister(data.path())
        .args(["openapi", "--check", "--output", stale.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let fresh = data.path().join("fresh.json");
    let write = |args: &[&str]| klachtenregister(data.path()).args(args).output().unwrap();
    assert!(write(&["openapi", "--output", fresh.to_str().unwrap()]).status.success());
    assert!(write(&["openapi", "--check", "--output", fresh.to_str().unwrap()]).status.success());
}
