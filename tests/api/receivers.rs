//! Real receivers for what the service sends out: an HTTP server for webhooks and an SMTP
//! server for e-mail, each on a free local port, recording what arrives.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use mailin_embedded::{Handler, Server, SslConfig, response};

/// What a webhook receiver got in one request.
#[derive(Debug, Clone)]
pub struct Request {
    pub event_id: String,
    pub timestamp: String,
    pub signature: String,
    pub content_type: String,
    pub body: String,
}

#[derive(Default)]
struct Inbox {
    requests: Mutex<Vec<Request>>,
    /// Requests still to be refused with 503.
    refuse: AtomicUsize,
}

/// An HTTP server that records every POST and answers 204 — or 503 while told to refuse.
pub struct WebhookReceiver {
    pub url: String,
    inbox: Arc<Inbox>,
}

impl WebhookReceiver {
    pub fn start() -> WebhookReceiver {
        let inbox = Arc::new(Inbox::default());
        let shared = web::Data::from(inbox.clone());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/klachten", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new().app_data(shared.clone()).route("/hooks/klachten", web::post().to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        WebhookReceiver { url, inbox }
    }

    /// Answers the next `n` requests with 503.
    pub fn refuse_next(&self, n: usize) {
        self.inbox.refuse.store(n, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.inbox.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Request> {
        for _ in 0..500 {
            let requests = self.requests();
            if requests.len() >= n {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} webhook requests, got {}", self.requests().len());
    }
}

async fn receive(request: HttpRequest, body: String, inbox: web::Data<Inbox>) -> HttpResponse {
    let header = |name: &str| {
        request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    };
    inbox.requests.lock().unwrap().push(Request {
        event_id: header("klachten-event-id"),
        timestamp: header("klachten-timestamp"),
        signature: header("klachten-signature"),
        content_type: header("content-type"),
        body,
    });
    let refusing =
        inbox.refuse.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    if refusing.is_ok() {
        HttpResponse::ServiceUnavailable().finish()
    } else {
        HttpResponse::NoContent().finish()
    }
}

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent: headers and body.
    pub data: String,
}

#[derive(Clone, Default)]
struct MailHandler {
    current: Option<Mail>,
    delivered: Arc<Mutex<Vec<Mail>>>,
}

impl Handler for MailHandler {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.current = Some(Mail { from: from.to_owned(), to: to.to_vec(), data: String::new() });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(mail) = self.current.take() {
            self.delivered.lock().unwrap().push(mail);
        }
        response::OK
    }
}

/// An SMTP server (plain, no TLS: it only listens on this machine) that keeps every message.
pub struct SmtpReceiver {
    pub url: String,
    delivered: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpReceiver {
    pub fn start() -> SmtpReceiver {
        let handler = MailHandler::default();
        let delivered = handler.delivered.clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let mut server = Server::new(handler);
        server
            .with_name("mail.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(error) = server.serve() {
                panic!("the SMTP receiver stopped: {error}");
            }
        });
        SmtpReceiver { url, delivered }
    }

    pub fn mail(&self) -> Vec<Mail> {
        self.delivered.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..500 {
            let mail = self.mail();
            if mail.len() >= n {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} messages, got {}", self.mail().len());
    }
}
