//! The klachtendossier: documents judged by their content, kept with their event, offered
//! safely for download; and the read log of who looked at what.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, Person, Reply, TestApp, complaint_body};

on_both_databases!(
    a_document_is_kept_with_its_hash_and_offered_safely,
    only_allowed_types_within_the_limit_are_taken,
    the_dossier_is_as_private_as_its_complaint,
    a_written_confirmation_points_to_its_letter,
    reads_are_logged_for_the_coordinator,
);

pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";
pub const BOUNDARY: &str = "klachten-test-boundary";

/// A multipart/form-data body with one field per `(name, filename, bytes)`.
pub fn multipart(fields: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn upload(
    app: &TestApp,
    person: Person,
    complaint: i64,
    filename: &str,
    content: &[u8],
) -> Reply {
    send(
        app,
        person,
        complaint,
        format!("multipart/form-data; boundary={BOUNDARY}"),
        multipart(&[("file", filename, content)]),
    )
    .await
}

async fn send(
    app: &TestApp,
    person: Person,
    complaint: i64,
    content_type: String,
    body: Vec<u8>,
) -> Reply {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/complaints/{complaint}/documents")))
        .bearer_auth(app.token(person))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    Reply::from(response).await
}

fn sha256(content: &[u8]) -> String {
    Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect()
}

async fn complaint(app: &TestApp) -> i64 {
    app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap()
}

async fn a_document_is_kept_with_its_hash_and_offered_safely(app: TestApp) {
    let id = complaint(&app).await;
    let uploaded = upload(&app, DANA, id, "../../Brief aan <cliënt>.pdf", PDF).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    let document = uploaded.json.clone();
    assert_eq!(document["filename"], "Brief aan _cliënt_.pdf");
    assert_eq!(document["content_type"], "application/pdf");
    assert_eq!(document["size_bytes"], PDF.len());
    assert_eq!(document["sha256"], sha256(PDF));
    assert_eq!(document["uploaded_by"]["id"], "dana");
    let location = uploaded.header("location").unwrap().to_owned();

    let listed = app.get(&format!("/api/v1/complaints/{id}/documents"), KEES).await;
    assert_eq!(listed.json["items"], json!([document]));

    let response =
        app.client.get(app.url(&location)).bearer_auth(app.token(KEES)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-content-sha256"].to_str().unwrap(), sha256(PDF));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Brief%20aan%20_cli%C3%ABnt_.pdf"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    // The document and its event were written together.
    let timeline = app.get(&format!("/api/v1/complaints/{id}/timeline"), KEES).await;
    let added = timeline.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "complaint.document_added")
        .unwrap()
        .clone();
    assert_eq!(added["data"]["document"], document["id"]);
    assert_eq!(added["data"]["sha256"], sha256(PDF));

    // A retried upload with the same key stores nothing new.
    let retry = |key: &'static str| {
        app.client
            .post(app.url(&format!("/api/v1/complaints/{id}/documents")))
            .bearer_auth(app.token(DANA))
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .header("Idempotency-Key", key)
            .body(multipart(&[("file", "notitie.txt", b"Gesprek met client\n")]))
            .send()
    };
    let first = Reply::from(retry("doc-1").await.unwrap()).await;
    let second = Reply::from(retry("doc-1").await.unwrap()).await;
    assert_eq!((first.status, second.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first.json, second.json);
    assert_eq!(
        app.get(&format!("/api/v1/complaints/{id}/documents"), KEES).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn only_allowed_types_within_the_limit_are_taken(app: TestApp) {
    let id = complaint(&app).await;
    let mail = b"From: j.devries@example.nl\r\nTo: kantoor@example.nl\r\nSubject: Klacht\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nGeachte heer,\r\n";
    let png = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0,
        0, 1,
    ];
    for (filename, content, expected) in [
        ("klacht.eml", &mail[..], "message/rfc822"),
        ("foto.png", &png[..], "image/png"),
        ("scan.pdf", &png[..], "image/png"),
        ("notitie.txt", "Telefoonnotitie: cliënt belde om 10:15.\n".as_bytes(), "text/plain"),
    ] {
        let reply = upload(&app, DANA, id, filename, content).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{filename}: {}", reply.text);
        assert_eq!(reply.json["content_type"], expected, "{filename}");
    }
    for (filename, content) in [
        ("factuur.pdf", &b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"[..]),
        ("archief.zip", &b"PK\x03\x04\x14\x00\x00\x00\x08\x00"[..]),
        ("data.bin", &[0u8, 1, 2, 3, 255, 254][..]),
    ] {
        upload(&app, DANA, id, filename, content)
            .await
            .assert_problem(415, "unsupported_media_type");
    }
    let big = vec![b'a'; 1024 * 1024 + 1];
    upload(&app, DANA, id, "groot.txt", &big).await.assert_problem(413, "payload_too_large");
    send(&app, DANA, id, "application/json".into(), b"{}".to_vec())
        .await
        .assert_problem(415, "unsupported_media_type");
    let no_file = send(
        &app,
        DANA,
        id,
        format!("multipart/form-data; boundary={BOUNDARY}"),
        format!("--{BOUNDARY}--\r\n").into_bytes(),
    )
    .await;
    no_file.assert_problem(422, "validation_failed");
    let two = multipart(&[("file", "a.txt", b"a\n"), ("file", "b.txt", b"b\n")]);
    send(&app, DANA, id, format!("multipart/form-data; boundary={BOUNDARY}"), two)
        .await
        .assert_problem(422, "validation_failed");
    upload(&app, DANA, id, "leeg.txt", b"").await.assert_problem(422, "validation_failed");
    let garbled = send(
        &app,
        DANA,
        id,
        format!("multipart/form-data; boundary={BOUNDARY}"),
        b"not multipart at all".to_vec(),
    )
    .await;
    assert!(garbled.status.is_client_error(), "{}", garbled.text);
    assert_eq!(
        app.get(&format!("/api/v1/complaints/{id}/documents"), DANA).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

async fn the_dossier_is_as_private_as_its_complaint(app: TestApp) {
    let mut about_eva = complaint_body();
    about_eva["subject_id"] = json!("eva");
    let id = app.register(DANA, &about_eva).await["id"].as_i64().unwrap();
    let doc = upload(&app, DANA, id, "brief.pdf", PDF).await.json["id"].as_i64().unwrap();
    let unrelated = app
        .register(KEES, &{
            let mut body = complaint_body();
            body["handler_id"] = json!("kees");
            body
        })
        .await["id"]
        .as_i64()
        .unwrap();
    // Eva, the subject, reads the dossier but does not add to it.
    assert_eq!(
        app.get(&format!("/api/v1/complaints/{id}/documents/{doc}"), EVA).await.status,
        StatusCode::OK
    );
    upload(&app, EVA, id, "tegenbrief.pdf", PDF)
        .await
        .assert_problem(403, "handler_or_coordinator_required");
    // Dana has no part in Kees's complaint: to her its dossier does not exist.
    upload(&app, DANA, unrelated, "x.pdf", PDF).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/complaints/{unrelated}/documents"), DANA)
        .await
        .assert_problem(404, "not_found");
    // A document is reached only through its own complaint.
    app.get(&format!("/api/v1/complaints/{unrelated}/documents/{doc}"), KEES)
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/complaints/{id}/documents/999999"), KEES)
        .await
        .assert_problem(404, "not_found");

    // A closed complaint's dossier is complete: reopen it to add to it.
    app.post(
        &format!("/api/v1/complaints/{id}/withdrawal"),
        DANA,
        &json!({"reason": "Ingetrokken"}),
    )
    .await;
    upload(&app, DANA, id, "laat.pdf", PDF).await.assert_problem(409, "complaint_not_open");
    assert_eq!(
        app.get(&format!("/api/v1/complaints/{id}/documents"), DANA).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn a_written_confirmation_points_to_its_letter(app: TestApp) {
    let id = complaint(&app).await;
    let other = complaint(&app).await;
    let letter = upload(&app, DANA, id, "bevestiging.pdf", PDF).await.json["id"].as_i64().unwrap();
    let elsewhere = upload(&app, DANA, other, "andere.pdf", PDF).await.json["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/complaints/{id}/decision"),
        DANA,
        &json!({"summary": "Opgelost", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await;
    let path = format!("/api/v1/complaints/{id}/written-confirmation");
    let refused =
        app.post(&path, DANA, &json!({"channel": "letter", "document_id": elsewhere})).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["document_id"]);
    let confirmed =
        app.post(&path, DANA, &json!({"channel": "letter", "document_id": letter})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    assert_eq!(confirmed.json["written_confirmation"]["document_id"], letter);
}

async fn reads_of(app: &TestApp, id: i64) -> Vec<Value> {
    // Reads are written in batches shortly after they happen.
    for _ in 0..100 {
        let reads = app.get(&format!("/api/v1/complaints/{id}/reads"), KEES).await;
        let items = reads.json["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= 3 {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the reads were not logged");
}

async fn reads_are_logged_for_the_coordinator(app: TestApp) {
    let id = complaint(&app).await;
    let doc = upload(&app, DANA, id, "brief.pdf", PDF).await.json["id"].as_i64().unwrap();
    app.get(&format!("/api/v1/complaints/{id}"), DANA).await;
    app.get(&format!("/api/v1/complaints/{id}/documents/{doc}"), DANA).await;
    app.get(&format!("/api/v1/complaints/{id}"), KEES).await;
    // Refusals are not reads (lists are: `access_after.rs`).
    app.get(&format!("/api/v1/complaints/{id}"), EVA).await;

    let reads = reads_of(&app, id).await;
    assert_eq!(reads.len(), 3, "{reads:?}");
    let seen: Vec<(&str, Value)> = reads
        .iter()
        .map(|r| (r["staff"]["id"].as_str().unwrap(), r["document_id"].clone()))
        .collect();
    assert_eq!(seen, [("kees", Value::Null), ("dana", json!(doc)), ("dana", Value::Null)]);
    assert!(reads.iter().all(|r| r["read_at"].is_string()));
    app.get(&format!("/api/v1/complaints/{id}/reads"), DANA)
        .await
        .assert_problem(403, "coordinator_role_required");
}
