//! The rules of the klachtenregeling as plain functions over plain values: no I/O, no HTTP,
//! no SQL. Handlers parse their input into these types, ask these functions, and persist the
//! outcome; every rule of DESIGN.md §1, §3 and §4 lives here exactly once.

/// Declares one of the API's closed vocabularies (kinds, statuses, roles, …): snake_case on
/// the wire and in the database, parsed with a message that lists what is accepted.
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            strum::EnumString, strum::IntoStaticStr, strum::VariantArray,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Parses a stored or query value; the error lists the accepted values.
            pub fn parse(value: &str) -> Result<Self, String> {
                value.parse().map_err(|_| {
                    let accepted: Vec<&str> =
                        <Self as strum::VariantArray>::VARIANTS.iter().map(|v| v.as_str()).collect();
                    format!("'{value}' is not one of: {}", accepted.join(", "))
                })
            }
        }
    };
}

pub mod access;
pub mod actions;
pub mod address;
pub mod chain;
pub mod classification;
pub mod codes;
pub mod commitment;
pub mod complaint;
pub mod deadlines;
pub mod documents;
pub mod erasure;
pub mod evaluation;
pub mod events;
pub mod import;
pub mod letters;
pub mod lifecycle;
pub mod moment;
pub mod notifications;
pub mod organisation;
pub mod outbound;
pub mod overview;
pub mod personal;
pub mod reference;
pub mod register;
pub mod roles;
pub mod subject_access;
pub mod validation;
pub mod webhooks;
