//! The tamper-evident timeline: each event of an organisation carries the hash of the event
//! before it, so that altering, removing or inserting an event anywhere breaks every hash
//! after it. The database refuses UPDATE and DELETE on events outright; the chain shows it
//! when something went around that.

use sha2::{Digest, Sha256};

/// The hash the first event of an organisation's chain links to.
pub const GENESIS: &str = "";

/// The fields of an event that its hash covers, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Linked<'a> {
    pub organisation_id: i64,
    pub complaint_id: Option<i64>,
    pub event_type: &'a str,
    pub actor_id: Option<i64>,
    /// RFC 3339 with microseconds.
    pub occurred_at: &'a str,
    pub data: &'a str,
}

/// sha256 over the previous hash and the event's fields, separated by a character none of
/// them contains (the unit separator).
pub fn hash(prev: &str, event: &Linked<'_>) -> String {
    let optional = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let canonical = [
        prev,
        &event.organisation_id.to_string(),
        &optional(event.complaint_id),
        event.event_type,
        &optional(event.actor_id),
        event.occurred_at,
        event.data,
    ]
    .join("\u{1f}");
    Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event does not link to the one before it: something was removed or inserted.
    Link { event_id: i64 },
    /// The event's own hash does not match its contents: it was altered.
    Content { event_id: i64 },
    /// An event without a hash after the chain began.
    Unhashed { event_id: i64 },
}

impl Break {
    /// The event at which the chain breaks.
    pub fn event_id(&self) -> i64 {
        match self {
            Break::Link { event_id }
            | Break::Content { event_id }
            | Break::Unhashed { event_id } => *event_id,
        }
    }
}

/// Walks a chain in order, event by event, remembering only the last hash: a chain of any
/// length is checked in constant memory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Walk {
    last_hash: Option<String>,
    pub checked: u64,
    /// Events from before the chain began (they carry no hash).
    pub unchained: u64,
}

impl Walk {
    /// Checks the next event; `stored` is its `(prev_hash, hash)`.
    pub fn step(
        &mut self,
        event_id: i64,
        stored: (Option<&str>, Option<&str>),
        event: &Linked<'_>,
    ) -> Result<(), Break> {
        let (Some(prev), Some(own)) = stored else {
            return match self.last_hash {
                None => {
                    self.unchained += 1;
                    Ok(())
                }
                Some(_) => Err(Break::Unhashed { event_id }),
            };
        };
        let expected_prev = self.last_hash.as_deref().unwrap_or(GENESIS);
        if prev != expected_prev {
            return Err(Break::Link { event_id });
        }
        if hash(prev, event) != own {
            return Err(Break::Content { event_id });
        }
        self.last_hash = Some(own.to_owned());
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(data: &str) -> Linked<'_> {
        Linked {
            organisation_id: 1,
            complaint_id: Some(7),
            event_type: "complaint.registered",
            actor_id: Some(3),
            occurred_at: "2026-11-02T09:00:00.000000Z",
            data,
        }
    }

    fn chain(datas: &[&str]) -> Vec<(String, String)> {
        let mut prev = GENESIS.to_owned();
        datas
            .iter()
            .map(|d| {
                let own = hash(&prev, &event(d));
                let link = (prev.clone(), own.clone());
                prev = own;
                link
            })
            .collect()
    }

    fn walk(links: &[(String, String)], datas: &[&str]) -> Result<Walk, Break> {
        let mut walk = Walk::default();
        for (i, ((prev, own), data)) in links.iter().zip(datas).enumerate() {
            walk.step(i as i64 + 1, (Some(prev), Some(own)), &event(data))?;
        }
        Ok(walk)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let datas = ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"];
        assert_eq!(walk(&chain(&datas), &datas).unwrap().checked, 3);
        assert_eq!(hash("", &event("x")).len(), 64);
        assert_ne!(hash("", &event("x")), hash("", &event("y")));
    }

    #[test]
    fn altering_removing_or_inserting_breaks_it() {
        let datas = ["1", "2", "3"];
        let links = chain(&datas);
        assert_eq!(
            walk(&links, &["1", "changed", "3"]).unwrap_err(),
            Break::Content { event_id: 2 }
        );
        let without_second = vec![links[0].clone(), links[2].clone()];
        assert_eq!(walk(&without_second, &["1", "3"]).unwrap_err(), Break::Link { event_id: 2 });
        let mut walk = Walk::default();
        assert!(walk.step(1, (None, None), &event("old")).is_ok());
        assert!(walk.step(2, (Some(&links[0].0), Some(&links[0].1)), &event("1")).is_ok());
        assert_eq!(
            walk.step(3, (None, None), &event("late")),
            Err(Break::Unhashed { event_id: 3 })
        );
        assert_eq!(walk.unchained, 1);
    }
}
