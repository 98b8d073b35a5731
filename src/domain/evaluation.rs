//! The periodic evaluation in the office meeting: the overview of a period, and how well
//! each improvement action worked. What did not (fully) work can start a further measure.

use super::validation::FieldError;

vocabulary! {
    /// The effect of an action, as the meeting assesses it.
    pub enum Effect {
        Effective,
        PartiallyEffective,
        NotEffective,
        /// Too soon to tell.
        TooEarly,
    }
}

pub const TEXT_MAX: usize = 20_000;
pub const NOTE_MAX: usize = 2_000;

/// A further measure supplements an action that did not (fully) work.
pub fn check_follow_up(effect: Effect, field: &str) -> Result<(), FieldError> {
    match effect {
        Effect::NotEffective | Effect::PartiallyEffective => Ok(()),
        Effect::Effective | Effect::TooEarly => Err(FieldError::new(
            field,
            "a follow-up measure supplements an action assessed as not or partially effective",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_supplement_what_did_not_work() {
        assert!(check_follow_up(Effect::NotEffective, "f").is_ok());
        assert!(check_follow_up(Effect::PartiallyEffective, "f").is_ok());
        assert_eq!(check_follow_up(Effect::Effective, "f").unwrap_err().field, "f");
        assert!(check_follow_up(Effect::TooEarly, "f").is_err());
    }
}
