//! Browser frontends (`KLACHTEN_CORS_ORIGINS`): a listed origin may call the API and read its
//! answers, problems included; any other origin gets no CORS headers; and a real browser —
//! headless Chromium, loading a page from a second loopback port — does what a frontend does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{Backend, DANA, Reply, TestApp, complaint_body};

const FRONTEND: &str = "http://127.0.0.1:5173";

async fn with_frontend(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| config.cors_origins = vec![FRONTEND.into()]).await
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> Reply {
    let request = app
        .client
        .request(Method::OPTIONS, app.url(path))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key");
    Reply::from(request.send().await.unwrap()).await
}

async fn from_origin(app: &TestApp, path: &str, origin: &str) -> Reply {
    let request =
        app.client.get(app.url(path)).header("Origin", origin).bearer_auth(app.token(DANA));
    Reply::from(request.send().await.unwrap()).await
}

async fn a_listed_origin_gets_the_route_s_methods_in_its_preflight(app: TestApp) {
    let answer = preflight(&app, "/api/v1/complaints", FRONTEND, "POST").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.header("access-control-allow-origin"), Some(FRONTEND));
    assert_eq!(answer.header("access-control-allow-methods"), Some("GET, POST"));
    assert_eq!(answer.header("access-control-max-age"), Some("3600"));
    let headers = answer.header("access-control-allow-headers").unwrap().to_lowercase();
    for name in ["authorization", "content-type", "if-match", "idempotency-key", "accept-language"]
    {
        assert!(headers.contains(name), "{name} in {headers}");
    }
    let one = preflight(&app, "/api/v1/complaints/1", FRONTEND, "PATCH").await;
    assert_eq!(one.header("access-control-allow-methods"), Some("GET, PATCH"));
}

async fn another_origin_gets_no_cors_headers(app: TestApp) {
    let answer = preflight(&app, "/api/v1/complaints", "https://evil.example", "POST").await;
    answer.assert_problem(403, "cross_origin_refused");
    assert_eq!(answer.header("access-control-allow-origin"), None);
    let read = from_origin(&app, "/api/v1/me", "https://evil.example").await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("access-control-allow-origin"), None);
    // A listed origin with another port is another origin.
    let port = from_origin(&app, "/api/v1/me", "http://127.0.0.1:5174").await;
    assert_eq!(port.header("access-control-allow-origin"), None);
}

async fn problems_carry_the_cors_headers(app: TestApp) {
    let missing = from_origin(&app, "/api/v1/complaints/999999", FRONTEND).await;
    missing.assert_problem(404, "not_found");
    assert_eq!(missing.header("access-control-allow-origin"), Some(FRONTEND));
    let exposed = missing.header("access-control-expose-headers").unwrap().to_lowercase();
    for name in ["etag", "location", "x-request-id", "retry-after", "content-disposition"] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
    let anonymous =
        app.client.get(app.url("/api/v1/me")).header("Origin", FRONTEND).send().await.unwrap();
    let anonymous = Reply::from(anonymous).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.header("access-control-allow-origin"), Some(FRONTEND));
}

async fn without_the_setting_there_are_no_cors_headers(app: TestApp) {
    let answer = preflight(&app, "/api/v1/complaints", FRONTEND, "POST").await;
    assert_eq!(answer.header("access-control-allow-origin"), None);
    assert_eq!(answer.header("access-control-allow-methods"), None);
    let read = from_origin(&app, "/api/v1/me", FRONTEND).await;
    assert_eq!(read.header("access-control-allow-origin"), None);
}

on_both_databases!(
    spawn = super::with_frontend;
    a_listed_origin_gets_the_route_s_methods_in_its_preflight,
    another_origin_gets_no_cors_headers,
    problems_carry_the_cors_headers,
);

mod unset {
    use super::*;
    on_both_databases!(without_the_setting_there_are_no_cors_headers);
}

/// A frontend page, served from its own loopback port, calls the API with `fetch` in headless
/// Chromium and posts what it saw back to the page's server. From the listed origin it reads
/// `/me`, registers a complaint, reads the `ETag` and `Location`, and reads a 404 problem;
/// from `localhost` (the same page under an origin not listed) the browser refuses to let it
/// read anything.
#[actix_web::test]
async fn a_frontend_in_chromium_calls_the_api() {
    let Some(chromium) = chromium() else { return };
    let frontend = Frontend::start();
    let listed = frontend.origin("127.0.0.1");
    let app = TestApp::spawn_with(Backend::Sqlite, |config| config.cors_origins = vec![listed])
        .await
        .unwrap();
    let page = json!({"api": app.url(""), "token": app.token(DANA), "complaint": complaint_body()});

    let (frontend, seen) =
        Frontend::visit(frontend, chromium.clone(), "127.0.0.1", page.clone()).await;
    assert_eq!(seen["error"], Value::Null, "{seen}");
    assert_eq!(seen["me"]["status"], 200, "{seen}");
    assert_eq!(seen["me"]["body"]["id"], "dana", "{seen}");
    assert_eq!(seen["created"]["status"], 201, "{seen}");
    assert_eq!(seen["created"]["etag"], "\"1\"", "the page reads the ETag: {seen}");
    let id = seen["created"]["body"]["id"].as_i64().unwrap();
    assert_eq!(seen["created"]["location"], format!("/api/v1/complaints/{id}"), "{seen}");
    assert_eq!(seen["missing"]["status"], 404, "{seen}");
    assert_eq!(seen["missing"]["body"]["code"], "not_found", "{seen}");
    let stored = app.get(&format!("/api/v1/complaints/{id}"), DANA).await;
    assert_eq!(stored.status, StatusCode::OK);

    let (_, refused) = Frontend::visit(frontend, chromium, "localhost", page).await;
    assert!(
        refused["error"].as_str().is_some_and(|e| e.contains("Failed to fetch")),
        "an origin not listed reads nothing: {refused}"
    );
}

/// Chromium, or `None` outside CI when it is not installed (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(|dir| PathBuf::from(dir).join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI needs Chromium for the browser test");
        eprintln!("skipped: no Chromium on PATH (apt-get install chromium)");
    }
    found
}

/// The page's own server: `GET /` answers the page, `POST /result` takes what it saw.
struct Frontend {
    port: u16,
    results: mpsc::Receiver<Value>,
}

impl Frontend {
    fn start() -> Frontend {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (send, results) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let send = send.clone();
                std::thread::spawn(move || serve_page(stream, &send));
            }
        });
        Frontend { port, results }
    }

    fn origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }

    /// Opens the page from `host` in headless Chromium and returns what it posted. On the
    /// blocking pool: the service's background work shares the test's thread.
    async fn visit(self, chromium: PathBuf, host: &'static str, page: Value) -> (Self, Value) {
        actix_web::rt::task::spawn_blocking(move || {
            let seen = self.browse(&chromium, host, &page);
            (self, seen)
        })
        .await
        .unwrap()
    }

    fn browse(&self, chromium: &PathBuf, host: &str, page: &Value) -> Value {
        let profile = tempfile::tempdir().unwrap();
        let url = format!("{}/#{}", self.origin(host), urlencode(&page.to_string()));
        let mut browser = Command::new(chromium)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // Nothing leaves the machine: every name but the loopback ones fails.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&url)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let seen = self.results.recv_timeout(Duration::from_secs(60));
        let _ = browser.kill();
        let _ = browser.wait();
        seen.expect("the page posts its result")
    }
}

fn serve_page(mut stream: std::net::TcpStream, results: &mpsc::Sender<Value>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let (status, body) = if request_line.starts_with("POST /result") {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let _ = results.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
        ("204 No Content", String::new())
    } else if request_line.starts_with("GET / ") {
        ("200 OK", PAGE.to_owned())
    } else {
        ("404 Not Found", String::new())
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a frontend does, in the browser's own `fetch`.
const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8"><title>frontend</title>
<script>
(async () => {
  const page = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  const auth = {"Authorization": "Bearer " + page.token};
  const seen = {};
  const read = async (response) => ({
    status: response.status,
    etag: response.headers.get("ETag"),
    location: response.headers.get("Location"),
    body: await response.json(),
  });
  try {
    seen.me = await read(await fetch(page.api + "/api/v1/me", {headers: auth}));
    seen.created = await read(await fetch(page.api + "/api/v1/complaints", {
      method: "POST",
      headers: {...auth, "Content-Type": "application/json", "Idempotency-Key": "browser-" + Date.now()},
      body: JSON.stringify(page.complaint),
    }));
    seen.missing = await read(await fetch(page.api + "/api/v1/complaints/999999", {headers: auth}));
  } catch (error) {
    seen.error = String(error);
  }
  await fetch("/result", {method: "POST", body: JSON.stringify(seen)});
})();
</script>
"#;
