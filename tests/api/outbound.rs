//! Webhooks go to public addresses only: a receiver whose host is, or resolves to, a
//! loopback, private, link-local, unique-local, multicast or unspecified address — in any
//! notation — is refused when it is subscribed and again when a delivery is sent, unless the
//! operator lists the host in `KLACHTEN_WEBHOOK_ALLOWED_HOSTS`.
//!
//! Nothing here ever connects outside the loopback range: the addresses outside it appear
//! only in subscriptions that are refused before any network I/O, and the only name used is
//! `localhost`, which the service takes as loopback without looking it up.

use std::net::TcpListener;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::receivers::WebhookReceiver;
use crate::support::{Backend, DANA, KEES, TestApp, complaint_body};

const SECRET: &str = "receiver-secret-of-kantoor-a-0123";

/// The service as an operator runs it: no host allowed.
async fn nothing_allowed(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| {
        config.delivery.webhook_allowed_hosts = Default::default();
    })
    .await
}

fn subscription(url: &str) -> Value {
    json!({"url": url, "event_types": ["*"], "secret": SECRET})
}

async fn deliveries(app: &TestApp, id: i64) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), KEES).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["items"].as_array().unwrap().clone()
}

async fn internal_receivers_are_refused_in_every_notation(app: TestApp) {
    // A listener on loopback: the refusal must come before any connection to it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let listening = format!("http://127.0.0.1:{port}/hooks");
    for url in [
        listening.as_str(),
        "http://127.0.0.1:5432/",
        "http://localhost:22/",
        "http://LOCALHOST./",
        "http://[::1]:8080/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:169.254.169.254]/",
        "https://10.0.0.1/",
        "https://0x0a000001/",
        "https://[::10.0.0.1]/",
        "https://[64:ff9b::a00:1]/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://[fd00:ec2::254]/",
        "https://[fe80::1]/",
        "https://224.0.0.1/",
        "https://[ff02::1]/",
        "https://0.0.0.0/",
        "https://[::]/",
    ] {
        let refused = app.post("/api/v1/webhooks", KEES, &subscription(url)).await;
        assert_eq!(refused.json["code"], "webhook_target_refused", "{url}: {}", refused.text);
        refused.assert_problem(422, "webhook_target_refused");
        assert!(
            refused.json["detail"].as_str().unwrap().contains("KLACHTEN_WEBHOOK_ALLOWED_HOSTS")
        );
    }
    assert_eq!(app.get("/api/v1/webhooks", KEES).await.json["items"], json!([]));
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connected to the receiver: {accepted:?}"
    );
}

async fn allowed_hosts_may_be_internal_and_changes_are_checked_too(app: TestApp) {
    let receiver = WebhookReceiver::start();
    let port = url::Url::parse(&receiver.url).unwrap().port().unwrap();
    // Allowed as `localhost:<port>`, which resolves through /etc/hosts.
    let url = format!("http://localhost:{port}/hooks/klachten");
    let created = app.post("/api/v1/webhooks", KEES, &subscription(&url)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_i64().unwrap();
    app.register(DANA, &complaint_body()).await;
    let arrived = receiver.wait_for(2).await;
    assert!(arrived.iter().any(|r| r.body.contains("complaint.registered")));

    // The list names hosts, not addresses: the same receiver by its address is refused, as
    // is a change to another internal address.
    for url in [format!("http://127.0.0.1:{port}/hooks/klachten"), "https://10.0.0.1/".into()] {
        let changed = app
            .client
            .patch(app.url(&format!("/api/v1/webhooks/{id}")))
            .bearer_auth(app.token(KEES))
            .header("If-Match", "\"1\"")
            .json(&json!({"url": url}))
            .send()
            .await
            .unwrap();
        let changed = crate::support::Reply::from(changed).await;
        changed.assert_problem(422, "webhook_target_refused");
    }
    let kept = app.get(&format!("/api/v1/webhooks/{id}"), KEES).await;
    assert_eq!((kept.json["url"].as_str(), kept.json["version"].as_i64()), (Some(&*url), Some(1)));
}

/// Where a subscription points changed after it was checked (as a name that resolves
/// elsewhere now would): the delivery is refused and recorded as such, and nothing is sent.
async fn deliveries_are_checked_again_when_sent(app: TestApp) {
    let receiver = WebhookReceiver::start();
    let port = url::Url::parse(&receiver.url).unwrap().port().unwrap();
    let registrations =
        json!({"url": receiver.url, "event_types": ["complaint.registered"], "secret": SECRET});
    let created = app.post("/api/v1/webhooks", KEES, &registrations).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json["id"].as_i64().unwrap();
    // The tests allow 127.0.0.1, not localhost: the same receiver, no longer allowed.
    let rebound = format!("http://localhost:{port}/hooks/klachten");
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db.connection().unwrap();
        diesel::sql_query(format!("UPDATE webhook_subscriptions SET url = '{rebound}'"))
            .execute(&mut *conn)
            .unwrap();
    }
    app.register(DANA, &complaint_body()).await;
    let mut log = Vec::new();
    for _ in 0..250 {
        log = deliveries(&app, id).await;
        if !log.is_empty() && log.iter().all(|d| d["status"] != "pending") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(log.len(), 1, "{log:?}");
    for delivery in &log {
        assert_eq!(delivery["status"], "failed", "{delivery}");
        assert_eq!(delivery["attempts"], 1, "{delivery}");
        let error = delivery["last_error"].as_str().unwrap();
        assert!(error.starts_with("refused: ") && error.contains("loopback"), "{error}");
    }
    assert!(receiver.requests().is_empty(), "nothing reached the receiver");
}

on_both_databases!(
    spawn = super::nothing_allowed;
    internal_receivers_are_refused_in_every_notation,
);

mod allowed {
    use crate::support::{Backend, TestApp};

    /// `localhost` on one port allowed: the receiver is reached through it.
    async fn localhost_allowed(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |config| {
            config.delivery.webhook_allowed_hosts = "localhost".parse().unwrap();
        })
        .await
    }

    crate::on_both_databases!(
        spawn = super::localhost_allowed;
        allowed_hosts_may_be_internal_and_changes_are_checked_too,
    );

    use super::allowed_hosts_may_be_internal_and_changes_are_checked_too;
}

mod rechecked {
    crate::on_both_databases!(deliveries_are_checked_again_when_sent);

    use super::deliveries_are_checked_again_when_sent;
}
