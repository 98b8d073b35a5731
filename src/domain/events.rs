//! The kinds of event the register records. Their names are part of the contract: they
//! appear in timelines and in webhook deliveries.

vocabulary! {
    pub enum EventType {
        #[serde(rename = "complaint.registered")]
        #[strum(serialize = "complaint.registered")]
        ComplaintRegistered,
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
        #[serde(rename = "complaint.reopened")]
        #[strum(serialize = "complaint.reopened")]
        ComplaintReopened,
        #[serde(rename = "complaint.withdrawn")]
        #[strum(serialize = "complaint.withdrawn")]
        ComplaintWithdrawn,
        #[serde(rename = "complaint.document_added")]
        #[strum(serialize = "complaint.document_added")]
        DocumentAdded,
        #[serde(rename = "complaint.response_overdue")]
        #[strum(serialize = "complaint.response_overdue")]
        ResponseOverdue,
        #[serde(rename = "complaint.follow_up_overdue")]
        #[strum(serialize = "complaint.follow_up_overdue")]
        FollowUpOverdue,
        #[serde(rename = "organisation.updated")]
        #[strum(serialize = "organisation.updated")]
        OrganisationUpdated,
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
