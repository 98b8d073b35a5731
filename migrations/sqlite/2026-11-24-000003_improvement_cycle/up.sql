-- The improvement cycle: corrective and improvement actions with their progress notes and
-- side effects, and the periodic evaluations of the office meeting.
-- Dates and timestamps are TEXT in diesel's formats (YYYY-MM-DD; UTC timestamps).

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('corrective', 'improvement')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES staff (id),
    due_on TEXT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'in_progress', 'done', 'cancelled')),
    proposed_by_id INTEGER NOT NULL REFERENCES staff (id),
    approved_by_id INTEGER NULL REFERENCES staff (id),
    approved_at TEXT NULL,
    follow_up_of_id INTEGER NULL REFERENCES actions (id),
    completed_at TEXT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Work starts only with the coordinator's consent.
    CHECK (status IN ('proposed', 'cancelled') OR approved_at IS NOT NULL)
);

CREATE INDEX actions_org_id ON actions (organisation_id, id DESC);
CREATE INDEX actions_org_status ON actions (organisation_id, status, due_on);
CREATE INDEX actions_owner ON actions (owner_id, id DESC);
CREATE INDEX actions_follow_up ON actions (follow_up_of_id);

CREATE TABLE action_complaints (
    action_id INTEGER NOT NULL REFERENCES actions (id),
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    PRIMARY KEY (action_id, complaint_id)
);

CREATE INDEX action_complaints_complaint ON action_complaints (complaint_id, action_id);

CREATE TABLE action_notes (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id),
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'side_effect')),
    note TEXT NOT NULL,
    recorded_by_id INTEGER NOT NULL REFERENCES staff (id),
    recorded_at TEXT NOT NULL
);

CREATE INDEX action_notes_action ON action_notes (action_id, id);

CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    meeting_on TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    summary TEXT NOT NULL,
    decisions TEXT NOT NULL,
    -- The anonymised overview of the period as it stood when the evaluation was made.
    snapshot TEXT NOT NULL,
    created_by_id INTEGER NOT NULL REFERENCES staff (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (period_from <= period_to)
);

CREATE INDEX evaluations_org ON evaluations (organisation_id, id DESC);

CREATE TABLE evaluation_assessments (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
    action_id INTEGER NOT NULL REFERENCES actions (id),
    effect TEXT NOT NULL CHECK (effect IN ('effective', 'partially_effective', 'not_effective', 'too_early')),
    note TEXT NOT NULL,
    follow_up_action_id INTEGER NULL REFERENCES actions (id),
    PRIMARY KEY (evaluation_id, action_id)
);
