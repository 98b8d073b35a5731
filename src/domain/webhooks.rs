//! Webhooks: where practice-management software wants to hear of changes, which changes,
//! how each delivery is signed, and how long a failing receiver is tried again.

use std::collections::BTreeSet;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::events::EventType;
use super::outbound::{AllowedHosts, Destination, Internal, destination, internal};
use super::validation::FieldError;

pub const SECRET_MIN: usize = 24;
pub const SECRET_MAX: usize = 200;
pub const URL_MAX: usize = 2_000;
/// A delivery is tried this often before it is given up as failed.
pub const MAX_ATTEMPTS: i32 = 10;
/// Retries back off to at most this long between attempts.
const LONGEST_WAIT: Duration = Duration::from_secs(3_600);

/// Which events a subscription wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTypes {
    All,
    Only(BTreeSet<EventType>),
}

impl EventTypes {
    /// `["*"]` for all, or one or more event type names.
    pub fn check(names: &[String]) -> Result<EventTypes, FieldError> {
        if names.iter().any(|n| n == "*") {
            return if names.len() == 1 {
                Ok(EventTypes::All)
            } else {
                Err(FieldError::new("event_types", "\"*\" stands alone"))
            };
        }
        if names.is_empty() {
            return Err(FieldError::new("event_types", "name at least one event type, or \"*\""));
        }
        let known = <EventType as strum::VariantArray>::VARIANTS.len();
        if names.len() > known {
            return Err(FieldError::new(
                "event_types",
                format!("name at most the {known} there are"),
            ));
        }
        let types = names
            .iter()
            .map(|n| EventType::parse(n).map_err(|e| FieldError::new("event_types", e)))
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(EventTypes::Only(types))
    }

    pub fn matches(&self, event_type: &str) -> bool {
        match self {
            EventTypes::All => true,
            EventTypes::Only(types) => types.iter().any(|t| t.as_str() == event_type),
        }
    }

    /// The stored form: `*`, or the names separated by commas.
    pub fn to_stored(&self) -> String {
        match self {
            EventTypes::All => "*".to_owned(),
            EventTypes::Only(types) => {
                types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")
            }
        }
    }

    pub fn from_stored(stored: &str) -> EventTypes {
        if stored == "*" {
            return EventTypes::All;
        }
        EventTypes::Only(stored.split(',').filter_map(|n| EventType::parse(n).ok()).collect())
    }

    pub fn names(&self) -> Vec<String> {
        match self {
            EventTypes::All => vec!["*".to_owned()],
            EventTypes::Only(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
        }
    }
}

/// A receiver's URL: https, or plain http to this machine or to a host the operator allows
/// (a local relay, a test). Where it points is checked by `outbound`.
pub fn check_url(url: &str, allowed: &AllowedHosts) -> Result<String, FieldError> {
    let invalid = |why: &str| FieldError::new("url", why);
    if url.len() > URL_MAX {
        return Err(invalid("is too long"));
    }
    let parsed = url::Url::parse(url).map_err(|_| invalid("is not a URL"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("must not carry credentials; the secret signs each delivery"));
    }
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(parsed.to_string()),
        "http" if to_this_machine(&parsed, allowed) => Ok(parsed.to_string()),
        _ => Err(invalid(
            "must be an https:// URL (http:// only to this machine or an allowed host)",
        )),
    }
}

/// Loopback in any notation (`localhost.`, `2130706433`, `[::ffff:127.0.0.1]`), or allowed.
fn to_this_machine(url: &url::Url, allowed: &AllowedHosts) -> bool {
    match destination(url, allowed) {
        Destination::Allowed => true,
        Destination::Address(address) => internal(address) == Some(Internal::Loopback),
        Destination::Name(_) => false,
    }
}

pub fn check_secret(secret: &str) -> Result<(), FieldError> {
    if (SECRET_MIN..=SECRET_MAX).contains(&secret.len())
        && secret.chars().all(|c| c.is_ascii_graphic())
    {
        Ok(())
    } else {
        Err(FieldError::new(
            "secret",
            format!("is {SECRET_MIN} to {SECRET_MAX} visible ASCII characters"),
        ))
    }
}

/// How long to wait before the next attempt after `attempts` failed ones — doubling from
/// `first`, at most an hour — or `None` when the delivery is given up.
pub fn retry_after(attempts: i32, first: Duration) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doubled = first.saturating_mul(1u32 << attempts.clamp(1, 20).saturating_sub(1));
    Some(doubled.min(LONGEST_WAIT))
}

/// The signature a receiver checks: hex HMAC-SHA256 with the subscription's secret over
/// `"{timestamp}.{body}"` (the timestamp guards against replays of old deliveries).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_name_known_events_or_all() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(EventTypes::check(&names(&["*"])), Ok(EventTypes::All));
        let some =
            EventTypes::check(&names(&["complaint.registered", "complaint.closed"])).unwrap();
        assert!(some.matches("complaint.closed") && !some.matches("complaint.decided"));
        assert_eq!(EventTypes::from_stored(&some.to_stored()), some);
        assert!(EventTypes::check(&names(&["complaint.eaten"])).is_err());
        assert!(EventTypes::check(&names(&["*", "complaint.closed"])).is_err());
        assert!(EventTypes::check(&[]).is_err());
        assert!(EventTypes::check(&vec!["complaint.closed".to_owned(); 1_000]).is_err());
    }

    #[test]
    fn receivers_are_reached_over_https_or_locally() {
        let none = AllowedHosts::default();
        let check_url = |url: &str| super::check_url(url, &none);
        assert!(check_url("https://pms.example.nl/hooks/klachten").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        let relay: AllowedHosts = "relay.intern:8080".parse().unwrap();
        assert!(super::check_url("http://relay.intern:8080/hook", &relay).is_ok());
        assert!(super::check_url("http://relay.intern/hook", &relay).is_err());
        for bad in [
            "http://pms.example.nl/hook",
            "ftp://x/y",
            "https://user:pw@pms.example.nl",
            "nonsense",
            "http://localhost.evil.nl/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_secret("s3cr3t-that-is-long-enough!").is_ok());
        assert!(check_secret("short").is_err() && check_secret(&"x y".repeat(20)).is_err());
    }

    #[test]
    fn retries_back_off_and_end() {
        let first = Duration::from_secs(10);
        assert_eq!(retry_after(1, first), Some(Duration::from_secs(10)));
        assert_eq!(retry_after(2, first), Some(Duration::from_secs(20)));
        assert_eq!(retry_after(4, first), Some(Duration::from_secs(80)));
        assert_eq!(retry_after(9, first), Some(Duration::from_secs(2_560)));
        assert_eq!(retry_after(9, Duration::from_secs(60)), Some(LONGEST_WAIT));
        assert_eq!(retry_after(MAX_ATTEMPTS, first), None);
    }

    #[test]
    fn signatures_are_hmac_sha256_over_timestamp_and_body() {
        // RFC 4231 style check against a known value computed independently.
        let s = signature("key", 1, "body");
        assert_eq!(s.len(), 64);
        assert_eq!(s, signature("key", 1, "body"));
        assert_ne!(s, signature("key", 2, "body"));
        assert_ne!(s, signature("other", 1, "body"));
    }
}
