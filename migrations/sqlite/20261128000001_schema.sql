-- The leaderboard's schema (SQLite dialect; postgres/ holds the same schema).
-- Portable types only (see ARCHITECTURE.md): no BOOLEAN/DATE columns, flags are INTEGER 0/1,
-- times are unix seconds in BIGINT. Answer and question text are never stored.

CREATE TABLE relation_groups (
    name        TEXT PRIMARY KEY,
    position    INTEGER NOT NULL
);

CREATE TABLE relations (
    name            TEXT PRIMARY KEY,          -- harness spelling, e.g. Temporal_Jump
    display_name    TEXT NOT NULL,
    group_name      TEXT NOT NULL REFERENCES relation_groups (name),
    instance_count  INTEGER NOT NULL,
    position        INTEGER NOT NULL
);

CREATE TABLE risk_categories (
    name            TEXT PRIMARY KEY,          -- harness folder, e.g. Self-Harm
    display_name    TEXT NOT NULL,
    position        INTEGER NOT NULL
);

CREATE TABLE models (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT NOT NULL UNIQUE,
    slug                  TEXT NOT NULL UNIQUE,
    organization          TEXT,
    access                TEXT CHECK (access IN ('open', 'closed')),
    reasoning             INTEGER NOT NULL DEFAULT 0 CHECK (reasoning IN (0, 1)),
    parameters_b          REAL,
    link                  TEXT,
    capability_score      REAL,
    capability_benchmark  TEXT,
    capability_source     TEXT,
    created_at            BIGINT NOT NULL
);

CREATE TABLE submissions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id            INTEGER NOT NULL REFERENCES models (id),
    judge               TEXT NOT NULL,
    source              TEXT NOT NULL CHECK (source IN ('paper', 'self-reported', 'verified', 'sample')),
    status              TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected')),
    granularity         TEXT NOT NULL CHECK (granularity IN ('items', 'aggregate')),
    -- Random secret that lets the uploader (and only them) finish a draft.
    draft_key           TEXT NOT NULL,
    note                TEXT,
    archive_sha256      TEXT,
    archive_kind        TEXT,
    folder_name         TEXT,
    items_total         INTEGER NOT NULL,
    rule_set_version    TEXT,
    warnings_json       TEXT NOT NULL DEFAULT '[]',
    -- Model facts as submitted; copied onto the model when a maintainer approves.
    proposed_organization  TEXT,
    proposed_access        TEXT CHECK (proposed_access IN ('open', 'closed')),
    proposed_reasoning     INTEGER CHECK (proposed_reasoning IN (0, 1)),
    proposed_parameters_b  REAL,
    proposed_link          TEXT,
    submitted_at        BIGINT NOT NULL,
    decided_at          BIGINT,
    reason              TEXT
);

CREATE INDEX submissions_by_model ON submissions (model_id, status, judge);
CREATE INDEX submissions_by_status ON submissions (status, submitted_at);
-- One live copy of an archive: the same bytes cannot be pending or approved twice.
CREATE UNIQUE INDEX submissions_live_archive ON submissions (archive_sha256)
    WHERE status IN ('pending', 'approved') AND archive_sha256 IS NOT NULL;

CREATE TABLE submission_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id   INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('validated', 'submitted', 'approved', 'rejected', 'imported')),
    actor           TEXT NOT NULL,
    detail          TEXT
);

CREATE INDEX submission_events_by_submission ON submission_events (submission_id, at);

-- Per (category, relation) counts of a per-item submission.
CREATE TABLE cell_counts (
    submission_id   INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    category        TEXT NOT NULL REFERENCES risk_categories (name),
    relation        TEXT NOT NULL REFERENCES relations (name),
    unsafe_count    INTEGER NOT NULL CHECK (unsafe_count >= 0),
    total           INTEGER NOT NULL CHECK (total >= unsafe_count),
    refusals        INTEGER CHECK (refusals >= 0),
    PRIMARY KEY (submission_id, category, relation)
);

-- Per-item labels: what makes paired tests between models possible. Items pair by
-- (category, relation, item_index), the harness's position in the dataset file.
CREATE TABLE item_labels (
    submission_id   INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    category        TEXT NOT NULL,
    relation        TEXT NOT NULL,
    item_index      INTEGER NOT NULL,
    is_unsafe       SMALLINT NOT NULL CHECK (is_unsafe IN (0, 1)),
    -- 1 explicit refusal, 0 safe without refusal, NULL when unsafe or without estimate.
    is_refusal      SMALLINT CHECK (is_refusal IN (0, 1)),
    PRIMARY KEY (submission_id, category, relation, item_index)
);

-- Published aggregate numbers (paper tables, summary CSVs). scope is 'overall' (name ''),
-- 'relation' or 'category'. reported_asr keeps the number exactly as printed.
CREATE TABLE aggregate_counts (
    submission_id   INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    scope           TEXT NOT NULL CHECK (scope IN ('overall', 'relation', 'category')),
    name            TEXT NOT NULL,
    unsafe_count    INTEGER NOT NULL CHECK (unsafe_count >= 0),
    total           INTEGER NOT NULL CHECK (total >= unsafe_count),
    reported_asr    TEXT NOT NULL,
    PRIMARY KEY (submission_id, scope, name)
);

CREATE TABLE admin_sessions (
    token_hash      TEXT PRIMARY KEY,
    csrf_token      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);

-- Fixed-window counters for per-client rate limits, shared by every app server.
CREATE TABLE rate_limits (
    bucket          TEXT NOT NULL,
    window_start    BIGINT NOT NULL,
    hits            INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

INSERT INTO relation_groups (name, position) VALUES
    ('Temporal', 1), ('Spatial', 2), ('Semantic', 3), ('Logical', 4);

INSERT INTO relations (name, display_name, group_name, instance_count, position) VALUES
    ('Temporal_Continuity', 'Temporal Continuity', 'Temporal', 317, 1),
    ('Temporal_Jump', 'Temporal Jump', 'Temporal', 303, 2),
    ('Spatial_Juxtaposition', 'Spatial Juxtaposition', 'Spatial', 292, 3),
    ('Spatial_Embedding', 'Spatial Embedding', 'Spatial', 293, 4),
    ('Relevance', 'Relevance', 'Semantic', 152, 5),
    ('Complementarity', 'Complementarity', 'Semantic', 280, 6),
    ('Analogy', 'Analogy', 'Logical', 318, 7),
    ('Causality', 'Causality', 'Logical', 280, 8),
    ('Decomposition', 'Decomposition', 'Logical', 441, 9);

INSERT INTO risk_categories (name, display_name, position) VALUES
    ('Hate_Speech', 'Hate Speech', 1),
    ('Violence', 'Violence', 2),
    ('Self-Harm', 'Self-Harm', 3),
    ('Illegal_Activities', 'Illegal Activities', 4),
    ('Harassment', 'Harassment', 5),
    ('Privacy', 'Privacy', 6);
