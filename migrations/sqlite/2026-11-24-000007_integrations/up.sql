-- Integrations: deadlines announced once, an outbox of every event (written in the event's
-- transaction), webhook subscriptions, and the deliveries of webhooks and e-mail.

-- One row per complaint and deadline that passed: the primary key makes the announcement
-- happen once, whichever instance notices it first.
CREATE TABLE deadline_notices (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    deadline TEXT NOT NULL CHECK (deadline IN ('response', 'follow_up')),
    due_at TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    PRIMARY KEY (complaint_id, deadline, due_at)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    event_id INTEGER NOT NULL UNIQUE REFERENCES events (id),
    created_at TEXT NOT NULL,
    dispatched_at TEXT NULL
);

CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL;

CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    url TEXT NOT NULL,
    -- Comma-separated event types, or '*' for all.
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_by_id INTEGER NOT NULL REFERENCES staff (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX webhook_subscriptions_org ON webhook_subscriptions (organisation_id, id);

ALTER TABLE staff ADD COLUMN email TEXT NULL;

-- What goes out about an event: to a webhook subscription, or by e-mail to a staff member for
-- a reason. One row per event and receiver, tried until delivered or given up; for webhooks
-- it is the subscription's delivery log.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id),
    subscription_id INTEGER NULL REFERENCES webhook_subscriptions (id),
    recipient_id INTEGER NULL REFERENCES staff (id),
    reason TEXT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status INTEGER NULL,
    last_error TEXT NULL,
    delivered_at TEXT NULL,
    created_at TEXT NOT NULL,
    CHECK ((subscription_id IS NULL) <> (recipient_id IS NULL)),
    CHECK ((recipient_id IS NULL) = (reason IS NULL)),
    UNIQUE (event_id, subscription_id),
    UNIQUE (event_id, recipient_id)
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
