//! Every problem `code` the service answers with, listed once. An integrator switches on
//! these (DESIGN.md §5, §8): the contract publishes them as the `Problem` schema's `code`
//! enum, the domain's refusals name their rule with one, and `ApiError` renders them.

vocabulary! {
    /// The stable, snake_case name of a problem.
    pub enum ProblemCode {
        // The request itself.
        /// Malformed in a way no more specific code names.
        BadRequest,
        MalformedJson,
        UnreadableBody,
        BodyRequired,
        MalformedMultipart,
        /// A bad path, query or header value; `errors` names it.
        InvalidParameter,
        /// Invalid field values; `errors` lists each.
        ValidationFailed,
        /// An imported file with faults; `errors` lists each with its row and column.
        ImportRefused,
        PayloadTooLarge,
        UnsupportedMediaType,
        HeadersTooLarge,
        IdempotencyKeyReused,
        NoSuchRoute,
        MethodNotAllowed,
        NotFound,
        PreconditionFailed,
        RateLimited,

        // Who calls.
        Unauthorized,
        InvalidToken,
        NoRole,
        UnknownOrganisation,
        /// A browser's preflight from an origin not in `KLACHTEN_CORS_ORIGINS`, or for a
        /// method or header the API does not take.
        CrossOriginRefused,

        // Who may do what (DESIGN.md §3).
        CoordinatorRoleRequired,
        HandlerOrCoordinatorRequired,
        HandlerRequired,
        CoordinatorIsSubject,
        OwnerOrCoordinatorRequired,

        // The complaint procedure (DESIGN.md §4).
        ComplaintNotOpen,
        ComplaintSigned,
        AlreadyEscalated,
        AlreadyDecided,
        NoCoordinator,
        ConfirmationBeforeDecision,
        DecisionRequired,
        NotResolved,
        AlreadySigned,
        SamePersonSignatures,
        ClassificationRequired,
        WrittenConfirmationRequired,
        SignaturesRequired,
        NotClosed,

        // Actions.
        ActionNotOpen,
        AlreadyApproved,
        ApprovalRequired,
        AlreadyStarted,

        // The service.
        ServiceUnavailable,
        InternalError,

        // Outbound.
        /// A webhook receiver whose host is, or resolves to, an address that is not public.
        WebhookTargetRefused,
        // Edits: a `PATCH` names the version it is based on.
        /// A `PATCH` without `If-Match`.
        PreconditionRequired,

        // Term figures and the person a complaint is about.
        /// A dienstverlener may not withdraw, or change the anonymity of, a complaint about
        /// themselves.
        CallerIsSubject,

        // Paperwork.
        /// A letter goes to the complainant, and the report names none (an internal one).
        ComplainantRequired,

        // Privacy (DESIGN.md §9).
        /// Erasure of a complaint that is neither closed nor withdrawn.
        ErasureOfOpenComplaint,
        /// The complaint's personal data was erased already: it is not erased or reopened
        /// again.
        AlreadyErased,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn codes_are_snake_case_and_parse_back() {
        assert_eq!(ProblemCode::SamePersonSignatures.as_str(), "same_person_signatures");
        for code in ProblemCode::VARIANTS {
            assert_eq!(ProblemCode::parse(code.as_str()), Ok(*code));
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
