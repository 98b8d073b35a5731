//! Events commit to free text; they do not hold it (DESIGN.md §9). Each text an event
//! records is replaced in its `data` by `{"sha256": hex(sha256(salt ‖ text))}` with a
//! random salt of its own; the text and its salt are kept beside the event, where they can
//! be erased. The event's hash covers the commitment, so erasing the text leaves the chain
//! intact, and with the salt gone nobody can test a guess against the commitment.
//!
//! Which parts of an event's data are text is said once per event type
//! ([`EventType::texts`](super::events::EventType::texts)), as JSON pointers: every string
//! under such a pointer is committed to, each under the pointer of its own place.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub const SALT_BYTES: usize = 16;
pub type Salt = [u8; SALT_BYTES];

/// The key of a commitment's only member.
const DIGEST_KEY: &str = "sha256";

/// hex(sha256(salt ‖ text)).
pub fn digest(salt: &[u8], text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(text.as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A text taken out of an event, with the salt its commitment was made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Where in the event's data the text stood (a JSON pointer, RFC 6901).
    pub field: String,
    pub salt: Salt,
    pub text: String,
}

/// Replaces every string under `fields` (JSON pointers; absent ones are skipped) in `data`
/// by its commitment, with a fresh salt from `salt` for each, and answers the texts taken
/// out.
pub fn seal(data: &mut Value, fields: &[&str], mut salt: impl FnMut() -> Salt) -> Vec<Sealed> {
    let mut sealed = Vec::new();
    for field in fields {
        if let Some(part) = data.pointer_mut(field) {
            visit(part, (*field).to_owned(), &mut |field, value| {
                if let Value::String(text) = value {
                    let (salt, text) = (salt(), std::mem::take(text));
                    *value = json!({ DIGEST_KEY: digest(&salt, &text) });
                    sealed.push(Sealed { field, salt, text });
                }
            });
        }
    }
    sealed
}

/// How a committed text stands when it is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The text is there and matches its commitment.
    Intact,
    /// The text is there but does not match: it was changed after the event.
    Altered,
    /// The text and its salt were erased; only the commitment is left.
    Erased,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Intact => "intact",
            Standing::Altered => "altered",
            Standing::Erased => "erased",
        }
    }
}

/// Puts the texts kept beside an event back into its `data`, for people to read: each
/// commitment under `fields` becomes `{"sha256", "text", "state"}`, where `text` is `null`
/// once erased and `state` says whether the text still matches ([`Standing`]). `texts` are
/// the event's `(salt, text)` by field.
pub fn open(data: &mut Value, fields: &[&str], texts: &HashMap<String, (Vec<u8>, String)>) {
    for field in fields {
        if let Some(part) = data.pointer_mut(field) {
            visit(part, (*field).to_owned(), &mut |field, value| {
                let Some(committed) = commitment(value).map(str::to_owned) else { return };
                let (text, standing) = match texts.get(&field) {
                    Some((salt, text)) if digest(salt, text) == committed => {
                        (json!(text), Standing::Intact)
                    }
                    Some((_, text)) => (json!(text), Standing::Altered),
                    None => (Value::Null, Standing::Erased),
                };
                *value = json!({DIGEST_KEY: committed, "text": text, "state": standing.as_str()});
            });
        }
    }
}

/// The digest of a commitment, if `value` is one.
fn commitment(value: &Value) -> Option<&str> {
    match value {
        Value::Object(members) if members.len() == 1 => members.get(DIGEST_KEY)?.as_str(),
        _ => None,
    }
}

/// Calls `f` on every leaf under `value` — and on every commitment, which is a leaf to
/// [`open`] — with its JSON pointer.
fn visit(value: &mut Value, pointer: String, f: &mut impl FnMut(String, &mut Value)) {
    if commitment(value).is_some() {
        return f(pointer, value);
    }
    match value {
        Value::Object(members) => visit_members(members, &pointer, f),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                visit(item, format!("{pointer}/{i}"), f);
            }
        }
        _ => f(pointer, value),
    }
}

fn visit_members(
    members: &mut Map<String, Value>,
    pointer: &str,
    f: &mut impl FnMut(String, &mut Value),
) {
    for (key, member) in members.iter_mut() {
        // RFC 6901: `~` and `/` in a key are escaped.
        let key = key.replace('~', "~0").replace('/', "~1");
        visit(member, format!("{pointer}/{key}"), f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn salts() -> impl FnMut() -> Salt {
        let mut next = 0u8;
        move || {
            next += 1;
            [next; SALT_BYTES]
        }
    }

    fn kept(sealed: &[Sealed]) -> HashMap<String, (Vec<u8>, String)> {
        sealed.iter().map(|s| (s.field.clone(), (s.salt.to_vec(), s.text.clone()))).collect()
    }

    #[test]
    fn a_digest_is_over_the_salt_then_the_text() {
        // sha256("") and sha256("abc"), as published.
        assert_eq!(
            digest(b"", ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(digest(b"a", "bc"), digest(b"", "abc"));
        assert_ne!(digest(&[1; 16], "x"), digest(&[2; 16], "x"));
    }

    #[test]
    fn sealing_takes_every_text_under_the_fields_out() {
        let mut data = json!({
            "reason": "Geen oplossing met J. de Vries",
            "recipients": [{"id": "kees"}],
            "changes": {
                "complainant": {"before": null, "after": {"name": "J. de Vries", "a/b": "x"}},
                "kind": {"before": "error", "after": "complaint"},
            },
        });
        let sealed = seal(&mut data, &["/reason", "/changes/complainant", "/absent"], salts());
        let fields: Vec<_> = sealed.iter().map(|s| s.field.as_str()).collect();
        assert_eq!(
            fields,
            ["/reason", "/changes/complainant/after/name", "/changes/complainant/after/a~1b"]
        );
        assert_eq!(
            data["reason"],
            json!({"sha256": digest(&[1; 16], "Geen oplossing met J. de Vries")})
        );
        assert_eq!(data["changes"]["complainant"]["before"], Value::Null);
        assert_eq!(data["recipients"], json!([{"id": "kees"}]), "not text, kept");
        assert_eq!(data["changes"]["kind"]["after"], "complaint", "not under a field, kept");
        assert!(!data.to_string().contains("de Vries"));
        assert_eq!(sealed[1].salt, [2; 16], "a salt per text");
    }

    #[test]
    fn opening_shows_each_text_and_whether_it_still_matches() {
        let fields = ["/summary", "/changes/description"];
        let mut data = json!({"summary": "Creditnota", "changes": {"description": {"before": "a", "after": "b"}}});
        let sealed = seal(&mut data, &fields, salts());
        let mut texts = kept(&sealed);
        let committed = data.clone();

        let mut intact = committed.clone();
        open(&mut intact, &fields, &texts);
        assert_eq!(intact["summary"]["text"], "Creditnota");
        assert_eq!(intact["summary"]["state"], "intact");
        assert_eq!(intact["summary"]["sha256"], committed["summary"]["sha256"]);
        assert_eq!(intact["changes"]["description"]["after"]["text"], "b");

        texts.get_mut("/summary").unwrap().1 = "Geen creditnota".into();
        texts.remove("/changes/description/before");
        let mut changed = committed.clone();
        open(&mut changed, &fields, &texts);
        assert_eq!(changed["summary"]["state"], "altered");
        assert_eq!(changed["summary"]["text"], "Geen creditnota");
        assert_eq!(
            changed["changes"]["description"]["before"],
            json!({"sha256": committed["changes"]["description"]["before"]["sha256"], "text": null, "state": "erased"})
        );
        assert_eq!(changed["changes"]["description"]["after"]["state"], "intact");
    }
}
