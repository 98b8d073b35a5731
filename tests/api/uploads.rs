//! Uploads that would harm whoever opens them are refused — markup (HTML, SVG) wherever it
//! is in the content, programs and scripts by their name — names lose invisible formatting
//! characters and end in what the content is, and nothing is read of an upload the caller
//! may not make.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::dossier::{BOUNDARY, PDF, multipart};
use crate::on_both_databases;
use crate::support::{DANA, EVA, Reply, TestApp, complaint_body};

async fn upload(app: &TestApp, complaint: i64, filename: &str, content: &[u8]) -> Reply {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/complaints/{complaint}/documents")))
        .bearer_auth(app.token(DANA))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&[("file", filename, content)]))
        .send()
        .await
        .unwrap();
    Reply::from(response).await
}

async fn documents(app: &TestApp, complaint: i64) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/complaints/{complaint}/documents"), DANA).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["items"].as_array().unwrap().clone()
}

async fn active_content_and_programs_are_refused(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>fetch('/api/v1/complaints')</script></svg>\n";
    let polyglot = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n";
    let hidden = b"Geachte heer,\n\n\n\n\n\n<HTML><BODY onload=\"alert(1)\">\n";
    for (filename, content) in [
        ("x.hta", &b"Set shell = CreateObject(\"WScript.Shell\")\n"[..]),
        ("run.bat", &b"@echo off\r\ndel /q %USERPROFILE%\\Documents\r\n"[..]),
        ("RUN.CMD", &b"@echo off\r\n"[..]),
        ("script.js", &b"WScript.Echo('x');\n"[..]),
        ("payload.vbs", &b"MsgBox \"x\"\n"[..]),
        ("setup.ps1", &b"Remove-Item -Recurse C:\\\n"[..]),
        ("invoice\u{202E}fdp.exe", PDF),
        ("img.svg", &svg[..]),
        ("img.txt", &svg[..]),
        ("poly.html", &polyglot[..]),
        ("poly.pdf", &polyglot[..]),
        ("notitie.txt", &hidden[..]),
    ] {
        let refused = upload(&app, id, filename, content).await;
        assert_eq!(
            refused.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{filename}: {}",
            refused.text
        );
        refused.assert_problem(415, "unsupported_media_type");
    }
    assert_eq!(documents(&app, id).await, Vec::<Value>::new());
}

async fn names_lose_invisible_characters_and_end_in_their_type(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    for (sent, content, kept) in [
        ("\u{FEFF}brief\u{200B}\u{200D}.pdf", PDF, "brief.pdf"),
        ("rapport\u{202E}txt.pdf", &b"Notitie.\n"[..], "rapporttxt.pdf.txt"),
        ("scan.png", PDF, "scan.png.pdf"),
        ("\u{2066}notitie\u{2069}", &b"Gebeld.\n"[..], "notitie.txt"),
        ("Brief.PDF", PDF, "Brief.PDF"),
    ] {
        let reply = upload(&app, id, sent, content).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{sent:?}: {}", reply.text);
        assert_eq!(reply.json["filename"], kept, "{sent:?}");
        let download = app
            .client
            .get(app.url(&format!("/api/v1/complaints/{id}/documents/{}", reply.json["id"])))
            .bearer_auth(app.token(DANA))
            .send()
            .await
            .unwrap();
        let disposition = download.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(
            !disposition.contains("%E2%80") && !disposition.contains("%EF%BB%BF"),
            "{disposition}"
        );
    }
}

/// Sends the headers of an upload that declares `length` bytes, and none of the body;
/// returns the status line of the answer and how long it took.
fn headers_only(app: &TestApp, path: &str, token: &str, length: u64) -> (String, Duration) {
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    let mut answer = [0u8; 64];
    let read = stream.read(&mut answer).expect("an answer before the body was sent");
    let text = String::from_utf8_lossy(&answer[..read]);
    (text.lines().next().unwrap_or_default().to_owned(), started.elapsed())
}

async fn nothing_is_read_before_the_upload_is_allowed(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let huge = 32 * 20 * 1024 * 1024;
    for (path, person, length, expected) in [
        // No such complaint; a complaint the caller may not see; too big for one that is.
        ("/api/v1/complaints/999999/documents".to_owned(), DANA, huge, "404"),
        (format!("/api/v1/complaints/{id}/documents"), EVA, huge, "404"),
        (format!("/api/v1/complaints/{id}/documents"), DANA, huge, "413"),
        (format!("/api/v1/complaints/{id}/documents"), DANA, 2 * 1024 * 1024, "413"),
    ] {
        let token = app.token(person);
        let (status, took) = headers_only(&app, &path, &token, length);
        assert!(status.starts_with(&format!("HTTP/1.1 {expected}")), "{path}: {status}");
        assert!(took < Duration::from_secs(5), "{path}: answered after {took:?}");
    }
    assert_eq!(documents(&app, id).await, Vec::<Value>::new());
}

on_both_databases!(
    active_content_and_programs_are_refused,
    names_lose_invisible_characters_and_end_in_their_type,
    nothing_is_read_before_the_upload_is_allowed,
);
