//! The one diesel schema both backends share. Only column types both support are used:
//! `BigInt`, `Integer`, `Text`, `Bool`, `Timestamp` (UTC), `Date`, `Binary`.
//! Each migration under `migrations/postgres` has its twin under `migrations/sqlite`.

diesel::table! {
    organisations (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        response_term_days -> Integer,
        coordinator_id -> Nullable<BigInt>,
        deputy_coordinator_id -> Nullable<BigInt>,
        regulation_text -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        retention_months -> Nullable<Integer>,
        retention_reason -> Nullable<Text>,
        dispute_body_name -> Nullable<Text>,
        dispute_body_address -> Nullable<Text>,
        dispute_body_url -> Nullable<Text>,
        due_soon_hours -> Integer,
    }
}

diesel::table! {
    staff (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        subject -> Text,
        name -> Nullable<Text>,
        roles -> Text,
        last_seen_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    reference_counters (organisation_id, year) {
        organisation_id -> BigInt,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    complaints (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        reference -> Text,
        kind -> Text,
        status -> Text,
        received_at -> Timestamp,
        reported_by -> Text,
        complainant_name -> Nullable<Text>,
        complainant_email -> Nullable<Text>,
        complainant_phone -> Nullable<Text>,
        client_id -> Nullable<Text>,
        client_name -> Nullable<Text>,
        matter_reference -> Nullable<Text>,
        description -> Text,
        handler_id -> BigInt,
        subject_id -> BigInt,
        coordinator_id -> Nullable<BigInt>,
        registered_by_id -> BigInt,
        response_due_at -> Nullable<Timestamp>,
        first_response_at -> Nullable<Timestamp>,
        follow_up_due_at -> Nullable<Timestamp>,
        root_cause -> Nullable<Text>,
        anonymize_in_meeting -> Bool,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        channel -> Nullable<Text>,
        classified_at -> Nullable<Timestamp>,
        classified_by_id -> Nullable<BigInt>,
        last_contact_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        decision_summary -> Nullable<Text>,
        decision_resolution -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decided_by_id -> Nullable<BigInt>,
        confirmation_sent_at -> Nullable<Timestamp>,
        confirmation_channel -> Nullable<Text>,
        confirmation_recorded_by_id -> Nullable<BigInt>,
        dienstverlener_signed_by_id -> Nullable<BigInt>,
        dienstverlener_signed_at -> Nullable<Timestamp>,
        coordinator_signed_by_id -> Nullable<BigInt>,
        coordinator_signed_at -> Nullable<Timestamp>,
        category_mask -> Integer,
        confirmation_document_id -> Nullable<BigInt>,
        first_response_recorded_at -> Nullable<Timestamp>,
        complainant_street -> Nullable<Text>,
        complainant_postal_code -> Nullable<Text>,
        complainant_city -> Nullable<Text>,
        complainant_country -> Nullable<Text>,
        decision_judgement -> Nullable<Text>,
        satisfaction_score -> Nullable<Integer>,
        satisfaction_remark -> Nullable<Text>,
        satisfaction_recorded_by_id -> Nullable<BigInt>,
        satisfaction_recorded_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        imported -> Bool,
        import_key -> Nullable<Text>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        complaint_id -> BigInt,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        content -> Binary,
        uploaded_by_id -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    reads (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        complaint_id -> BigInt,
        document_id -> Nullable<BigInt>,
        staff_id -> BigInt,
        read_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        complaint_id -> BigInt,
        at -> Timestamp,
        channel -> Text,
        summary -> Text,
        still_handling -> Bool,
        follow_up_due_at -> Nullable<Timestamp>,
        recorded_by_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actions (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        kind -> Text,
        title -> Text,
        description -> Text,
        owner_id -> BigInt,
        due_on -> Nullable<Date>,
        status -> Text,
        proposed_by_id -> BigInt,
        approved_by_id -> Nullable<BigInt>,
        approved_at -> Nullable<Timestamp>,
        follow_up_of_id -> Nullable<BigInt>,
        completed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    action_complaints (action_id, complaint_id) {
        action_id -> BigInt,
        complaint_id -> BigInt,
    }
}

diesel::table! {
    action_notes (id) {
        id -> BigInt,
        action_id -> BigInt,
        kind -> Text,
        note -> Text,
        recorded_by_id -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        meeting_on -> Date,
        period_from -> Date,
        period_to -> Date,
        summary -> Text,
        decisions -> Text,
        snapshot -> Text,
        created_by_id -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evaluation_assessments (evaluation_id, action_id) {
        evaluation_id -> BigInt,
        action_id -> BigInt,
        effect -> Text,
        note -> Text,
        follow_up_action_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        complaint_id -> Nullable<BigInt>,
        event_type -> Text,
        actor_id -> Nullable<BigInt>,
        occurred_at -> Timestamp,
        data -> Text,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    event_chain_heads (organisation_id) {
        organisation_id -> BigInt,
        last_event_id -> Nullable<BigInt>,
        last_hash -> Text,
    }
}

diesel::table! {
    event_texts (event_id, field) {
        event_id -> BigInt,
        field -> Text,
        salt -> Binary,
        text -> Text,
    }
}

diesel::table! {
    pending_rewrites (name) {
        name -> Text,
    }
}

diesel::table! {
    deadline_notices (complaint_id, deadline, due_at, notice) {
        complaint_id -> BigInt,
        deadline -> Text,
        due_at -> Timestamp,
        noticed_at -> Timestamp,
        notice -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        event_id -> BigInt,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        active -> Bool,
        created_by_id -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    letter_templates (organisation_id, kind) {
        organisation_id -> BigInt,
        kind -> Text,
        body -> Text,
        version -> Integer,
        updated_by_id -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        event_id -> BigInt,
        subscription_id -> Nullable<BigInt>,
        recipient_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (staff_id, idempotency_key) {
        staff_id -> BigInt,
        idempotency_key -> Text,
        request_fingerprint -> Text,
        response_status -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
        complaint_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(staff -> organisations (organisation_id));
diesel::joinable!(complaints -> organisations (organisation_id));
diesel::joinable!(events -> complaints (complaint_id));
diesel::joinable!(contacts -> complaints (complaint_id));
diesel::joinable!(action_complaints -> complaints (complaint_id));
diesel::joinable!(action_notes -> actions (action_id));
diesel::joinable!(evaluation_assessments -> evaluations (evaluation_id));
diesel::joinable!(outbox -> events (event_id));
diesel::joinable!(event_texts -> events (event_id));
diesel::joinable!(letter_templates -> organisations (organisation_id));
diesel::joinable!(deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(deliveries -> events (event_id));
diesel::joinable!(deliveries -> staff (recipient_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    staff,
    reference_counters,
    complaints,
    contacts,
    documents,
    reads,
    actions,
    action_complaints,
    action_notes,
    evaluations,
    evaluation_assessments,
    events,
    event_chain_heads,
    event_texts,
    pending_rewrites,
    deadline_notices,
    outbox,
    webhook_subscriptions,
    deliveries,
    idempotency_keys,
    letter_templates,
);
