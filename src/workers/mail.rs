//! Sends due e-mail over SMTP: the text `domain::notifications::message` gives for the
//! reason the recipient is told. Failures are tried again with the same doubling wait as
//! webhooks; a refusal by the server, or a recipient without a known address, is final.

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::delivery::{claim, failed, record};
use crate::config::{DeliverySettings, MailSettings};
use crate::db::{Db, DbError};
use crate::domain::notifications::{self, Message, Reason};
use crate::store::deliveries::{Channel, Outcome};
use crate::store::{complaints, staff};

const BATCH: i64 = 50;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// A claimed message with what it needs: the address, and the text.
struct Due {
    id: i64,
    attempts: i32,
    address: Option<String>,
    text: Option<Message>,
}

impl Mailer {
    pub fn new(settings: &MailSettings, timeout: std::time::Duration) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| format!("KLACHTEN_SMTP_URL: {e}"))?
            .timeout(Some(timeout))
            .build();
        Ok(Mailer { transport, from: settings.from.clone() })
    }

    /// One round: claims what is due, sends it (one after the other: a firm's mail server is
    /// not to be flooded), records how it went.
    pub async fn send_due(
        &self,
        db: &Db,
        now: DateTime<Utc>,
        settings: &DeliverySettings,
    ) -> Result<(), DbError> {
        let due = claim(db, Channel::Mail, now, settings, BATCH, |conn, claimed| {
            let recipients: Vec<i64> = claimed.iter().filter_map(|c| c.recipient_id).collect();
            let addresses = staff::addresses(conn, &recipients)?;
            let complaints: Vec<i64> =
                claimed.iter().filter_map(|c| c.event.complaint_id).collect();
            let references = complaints::references(conn, &complaints)?;
            Ok(claimed
                .into_iter()
                .map(|c| {
                    let reference = c.event.complaint_id.and_then(|id| references.get(&id));
                    let reason = c.reason.as_deref().and_then(|r| Reason::parse(r).ok());
                    let due_at = serde_json::from_str::<serde_json::Value>(&c.event.data)
                        .ok()
                        .and_then(|data| {
                            data["due_at"]
                                .as_str()
                                .map(|at| at.chars().take(10).collect::<String>())
                        });
                    Due {
                        id: c.id,
                        attempts: c.attempts,
                        address: c.recipient_id.and_then(|r| addresses.get(&r).cloned()),
                        text: reason.zip(reference).map(|(reason, reference)| {
                            notifications::message(reason, reference, due_at.as_deref())
                        }),
                    }
                })
                .collect())
        })
        .await?;
        let mut outcomes = Vec::with_capacity(due.len());
        for message in due {
            outcomes.push((message.id, self.send(message, now, settings).await));
        }
        record(db, outcomes, now).await
    }

    async fn send(&self, due: Due, now: DateTime<Utc>, settings: &DeliverySettings) -> Outcome {
        let give_up = |why: &str| Outcome::Failed { status: None, error: why.to_owned() };
        let Some(to) = due.address.and_then(|a| a.parse::<Mailbox>().ok()) else {
            return give_up("no valid e-mail address is known for the recipient");
        };
        let Some(text) = due.text else {
            return give_up("the event names no complaint to tell of");
        };
        let message = match lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(text.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.body)
        {
            Ok(message) => message,
            Err(error) => return give_up(&error.to_string()),
        };
        match self.transport.send(message).await {
            Ok(_) => Outcome::Delivered { status: None },
            // lettre's errors name the server's answer, not the message. A refusal (5xx: no
            // such mailbox, relaying denied) is final.
            Err(error) => {
                failed(due.attempts, None, error.to_string(), error.is_permanent(), now, settings)
            }
        }
    }
}
