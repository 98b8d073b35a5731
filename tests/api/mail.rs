//! E-mail through a real SMTP server: the coordinator hears of new and overdue complaints,
//! the handler of a complaint someone else registered about their service and of a term
//! that runs out soon — by reference, without the complaint's personal data.

use std::time::Duration as Wait;

use chrono::Duration;
use mail_parser::MessageParser;
use reqwest::StatusCode;
use serde_json::json;

use crate::receivers::{Mail, SmtpReceiver};
use crate::support::{Backend, DANA, KEES, TestApp, complaint_body};

struct Read {
    to: String,
    subject: String,
    body: String,
}

fn read(mail: &Mail) -> Read {
    let message = MessageParser::default().parse(mail.data.as_bytes()).expect("a valid message");
    assert_eq!(mail.from, "klachten@kantoor-a.example");
    Read {
        to: mail.to.join(","),
        subject: message.subject().unwrap_or_default().to_owned(),
        body: message.body_text(0).unwrap_or_default().into_owned(),
    }
}

/// The service mailing to `smtp`, with Kees and Dana known to it.
async fn with_mail(backend: Backend, smtp: &SmtpReceiver) -> Option<TestApp> {
    let url = smtp.url.clone();
    let app = TestApp::spawn_with(backend, move |config| {
        config.deadline_sweep = Wait::from_millis(20);
        config.delivery.mail = Some(klachtenregister::config::MailSettings {
            smtp_url: url,
            from: "Klachtenregister <klachten@kantoor-a.example>".parse().unwrap(),
        });
    })
    .await?;
    // The service learns addresses from tokens: both have signed in once.
    for person in [KEES, DANA] {
        assert_eq!(app.get("/api/v1/me", person).await.status, StatusCode::OK);
    }
    Some(app)
}

async fn the_people_concerned_are_told_by_mail(backend: Backend) {
    let smtp = SmtpReceiver::start();
    let Some(app) = with_mail(backend, &smtp).await else { return };

    // Dana registers a complaint about her own service: the coordinator is told.
    let own = app.register(DANA, &complaint_body()).await;
    let first = smtp.wait_for(1).await;
    let new = read(&first[0]);
    assert_eq!(new.to, "kees@kantoor-a.example");
    let reference = own["reference"].as_str().unwrap();
    assert_eq!(new.subject, format!("Nieuwe klacht {reference}"));
    assert!(new.body.contains(reference), "{}", new.body);

    // The coordinator registers one about Dana's service: Dana is told, he is not.
    let mut body = complaint_body();
    body["handler_id"] = json!("dana");
    let registered = app.register(KEES, &body).await;
    let second = smtp.wait_for(2).await;
    let told = read(&second[1]);
    assert_eq!(told.to, "dana@kantoor-a.example");
    let reference_2 = registered["reference"].as_str().unwrap();
    assert_eq!(told.subject, format!("Klacht {reference_2} over uw dienstverlening"));

    // A week later neither has had a reaction: coordinator and handler hear of each.
    app.clock.advance(Duration::days(8));
    let all = smtp.wait_for(6).await;
    let mut overdue: Vec<(String, String)> =
        all[2..].iter().map(read).map(|m| (m.to, m.subject)).collect();
    overdue.sort();
    let expected =
        |to: &str, r: &str| (to.to_owned(), format!("Termijn verstreken voor klacht {r}"));
    let mut wanted = vec![
        expected("dana@kantoor-a.example", reference),
        expected("dana@kantoor-a.example", reference_2),
        expected("kees@kantoor-a.example", reference),
        expected("kees@kantoor-a.example", reference_2),
    ];
    wanted.sort();
    assert_eq!(overdue, wanted);

    // No message carries the complaint's personal data, and none is sent twice.
    tokio::time::sleep(Wait::from_millis(300)).await;
    let sent = smtp.mail();
    assert_eq!(sent.len(), 6);
    for message in &sent {
        let message = read(message);
        for private in ["De Vries", "declaratie", "REL-10442", "Z-2026-114", "j.devries"] {
            assert!(!message.body.contains(private) && !message.subject.contains(private));
        }
    }
}

async fn the_handler_is_warned_by_mail_before_the_term(backend: Backend) {
    let smtp = SmtpReceiver::start();
    let Some(app) = with_mail(backend, &smtp).await else { return };
    let registered = app.register(DANA, &complaint_body()).await;
    let reference = registered["reference"].as_str().unwrap();
    smtp.wait_for(1).await;

    // Within a day of the term (9 November 08:30): Dana, who handles it, is warned.
    app.clock.advance(Duration::days(6));
    let warned = read(&smtp.wait_for(2).await[1]);
    assert_eq!(warned.to, "dana@kantoor-a.example");
    assert_eq!(warned.subject, format!("Termijn loopt bijna af voor klacht {reference}"));
    assert!(warned.body.contains("uiterlijk 2026-11-09"), "{}", warned.body);
    assert!(!warned.body.contains("De Vries"), "{}", warned.body);
    // Once, and not to the coordinator: he hears when the term has passed.
    tokio::time::sleep(Wait::from_millis(300)).await;
    assert_eq!(smtp.mail().len(), 2);
}

// The SMTP server must exist before the service starts, so these are declared by hand.
mod sqlite {
    #[actix_web::test]
    async fn the_people_concerned_are_told_by_mail() {
        super::the_people_concerned_are_told_by_mail(super::Backend::Sqlite).await;
    }

    #[actix_web::test]
    async fn the_handler_is_warned_by_mail_before_the_term() {
        super::the_handler_is_warned_by_mail_before_the_term(super::Backend::Sqlite).await;
    }
}

mod postgres {
    #[actix_web::test]
    async fn the_people_concerned_are_told_by_mail() {
        super::the_people_concerned_are_told_by_mail(super::Backend::Postgres).await;
    }

    #[actix_web::test]
    async fn the_handler_is_warned_by_mail_before_the_term() {
        super::the_handler_is_warned_by_mail_before_the_term(super::Backend::Postgres).await;
    }
}
