//! The kinds of event the register records. Their names are part of the contract: they
//! appear in timelines and in webhook deliveries.

vocabulary! {
    pub enum EventType {
        #[serde(rename = "complaint.registered")]
        #[strum(serialize = "complaint.registered")]
        ComplaintRegistered,
        /// Brought in from an existing register, with the state it had there.
        #[serde(rename = "complaint.imported")]
        #[strum(serialize = "complaint.imported")]
        ComplaintImported,
        #[serde(rename = "complaint.updated")]
        #[strum(serialize = "complaint.updated")]
        ComplaintUpdated,
        #[serde(rename = "complaint.classified")]
        #[strum(serialize = "complaint.classified")]
        ComplaintClassified,
        #[serde(rename = "complaint.contact_recorded")]
        #[strum(serialize = "complaint.contact_recorded")]
        ContactRecorded,
        #[serde(rename = "complaint.escalated")]
        #[strum(serialize = "complaint.escalated")]
        ComplaintEscalated,
        #[serde(rename = "complaint.decided")]
        #[strum(serialize = "complaint.decided")]
        ComplaintDecided,
        #[serde(rename = "complaint.written_confirmation_recorded")]
        #[strum(serialize = "complaint.written_confirmation_recorded")]
        WrittenConfirmationRecorded,
        #[serde(rename = "complaint.signed")]
        #[strum(serialize = "complaint.signed")]
        ComplaintSigned,
        #[serde(rename = "complaint.closed")]
        #[strum(serialize = "complaint.closed")]
        ComplaintClosed,
        #[serde(rename = "complaint.satisfaction_recorded")]
        #[strum(serialize = "complaint.satisfaction_recorded")]
        SatisfactionRecorded,
        #[serde(rename = "complaint.reopened")]
        #[strum(serialize = "complaint.reopened")]
        ComplaintReopened,
        #[serde(rename = "complaint.withdrawn")]
        #[strum(serialize = "complaint.withdrawn")]
        ComplaintWithdrawn,
        #[serde(rename = "complaint.erased")]
        #[strum(serialize = "complaint.erased")]
        ComplaintErased,
        #[serde(rename = "complaint.document_added")]
        #[strum(serialize = "complaint.document_added")]
        DocumentAdded,
        /// A term of the complaint runs out soon (the organisation's `due_soon_hours`); its
        /// data says which (`deadline`: `response` or `follow_up`).
        #[serde(rename = "complaint.response_due_soon")]
        #[strum(serialize = "complaint.response_due_soon")]
        ResponseDueSoon,
        #[serde(rename = "complaint.response_overdue")]
        #[strum(serialize = "complaint.response_overdue")]
        ResponseOverdue,
        #[serde(rename = "complaint.follow_up_overdue")]
        #[strum(serialize = "complaint.follow_up_overdue")]
        FollowUpOverdue,
        #[serde(rename = "organisation.updated")]
        #[strum(serialize = "organisation.updated")]
        OrganisationUpdated,
        #[serde(rename = "organisation.letter_template_updated")]
        #[strum(serialize = "organisation.letter_template_updated")]
        LetterTemplateUpdated,
        #[serde(rename = "action.created")]
        #[strum(serialize = "action.created")]
        ActionCreated,
        #[serde(rename = "action.updated")]
        #[strum(serialize = "action.updated")]
        ActionUpdated,
        #[serde(rename = "action.approved")]
        #[strum(serialize = "action.approved")]
        ActionApproved,
        #[serde(rename = "action.note_recorded")]
        #[strum(serialize = "action.note_recorded")]
        ActionNoteRecorded,
        #[serde(rename = "evaluation.recorded")]
        #[strum(serialize = "evaluation.recorded")]
        EvaluationRecorded,
        #[serde(rename = "evaluation.updated")]
        #[strum(serialize = "evaluation.updated")]
        EvaluationUpdated,
        #[serde(rename = "webhook.created")]
        #[strum(serialize = "webhook.created")]
        WebhookCreated,
        #[serde(rename = "webhook.updated")]
        #[strum(serialize = "webhook.updated")]
        WebhookUpdated,
        #[serde(rename = "webhook.deleted")]
        #[strum(serialize = "webhook.deleted")]
        WebhookDeleted,
        /// The chain was rebuilt once, when the texts moved out of the events; its data
        /// names the head before and after.
        #[serde(rename = "chain.rebuilt")]
        #[strum(serialize = "chain.rebuilt")]
        ChainRebuilt,
        /// A coordinator asked what the register holds about someone (AVG art. 15); the
        /// term they searched by is committed to, never in clear.
        #[serde(rename = "subject_access.requested")]
        #[strum(serialize = "subject_access.requested")]
        SubjectAccessRequested,
    }
}

impl EventType {
    /// Where an event of this type records free text: JSON pointers into its data. Every
    /// string under them is kept beside the event and only committed to in it
    /// (`domain::commitment`), so that it can be erased without breaking the chain. The
    /// rest of an event's data is ids, codes, dates and counts.
    pub fn texts(self) -> &'static [&'static str] {
        use EventType::*;
        match self {
            // Everything of the registration details that is about the complainant or the
            // client; kind, dates and people (staff) are not.
            ComplaintUpdated => &[
                "/changes/complainant",
                "/changes/client",
                "/changes/matter_reference",
                "/changes/description",
                "/changes/root_cause",
            ],
            ComplaintEscalated | ComplaintReopened | ComplaintWithdrawn => &["/reason"],
            ComplaintDecided => &["/summary"],
            // The decision as the old register wrote it.
            ComplaintImported => &["/decision/summary"],
            // The client's own words about the outcome.
            SatisfactionRecorded => &["/remark"],
            DocumentAdded => &["/filename"],
            ActionUpdated => &["/changes/title", "/changes/description"],
            // The firm's own texts, committed to all the same, like every free text.
            EvaluationUpdated => &["/changes/summary", "/changes/decisions"],
            // The firm's own texts: the regulation, why complaints are kept without a term, and
            // where a client can turn.
            OrganisationUpdated => &[
                "/changes/regulation_text",
                "/changes/retention_reason",
                "/changes/dispute_body",
            ],
            // Whom a subject-access request named: one of these.
            SubjectAccessRequested => &["/email", "/name", "/client_id"],
            ComplaintRegistered
            | ComplaintClassified
            | ContactRecorded
            | WrittenConfirmationRecorded
            | ComplaintSigned
            | ComplaintClosed
            | ResponseDueSoon
            | ResponseOverdue
            | FollowUpOverdue
            | ActionCreated
            | ActionApproved
            | ActionNoteRecorded
            | EvaluationRecorded
            | WebhookCreated
            | WebhookUpdated
            | WebhookDeleted
            | LetterTemplateUpdated
            // The reason for an erasure is about the procedure, not the person (DESIGN.md §9).
            | ComplaintErased
            | ChainRebuilt => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_dotted() {
        assert_eq!(EventType::ComplaintRegistered.as_str(), "complaint.registered");
        assert_eq!(EventType::parse("complaint.updated"), Ok(EventType::ComplaintUpdated));
    }
}
