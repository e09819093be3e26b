-- panproto's PostgreSQL tables (store format 1). Mirrors ../sqlite/schema.sql,
-- with the `panproto_` prefix. Run inside one transaction holding the
-- advisory lock, so clients racing to create the tables do not fail.
-- Names sort bytewise (COLLATE "C"), as in SQLite and in Rust.

CREATE TABLE IF NOT EXISTS panproto_meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS panproto_repositories (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT COLLATE "C" NOT NULL UNIQUE,
    protocol_json TEXT NOT NULL,
    created       BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS panproto_objects (
    repo   BIGINT NOT NULL REFERENCES panproto_repositories (id),
    id     BYTEA NOT NULL,
    kind   SMALLINT NOT NULL,
    parent BYTEA,
    data   BYTEA NOT NULL,
    PRIMARY KEY (repo, id)
);
-- Commits also get a `depth` column and its index from depth.rs, which adds
-- them to stores made before they existed.
-- `data` is zstd-compressed already: keep it out of line without trying
-- pglz on it again.
ALTER TABLE panproto_objects ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS panproto_refs (
    repo     BIGINT NOT NULL REFERENCES panproto_repositories (id),
    name     TEXT COLLATE "C" NOT NULL,
    target   BYTEA,
    symbolic TEXT,
    PRIMARY KEY (repo, name),
    CHECK ((target IS NULL) <> (symbolic IS NULL))
);

CREATE TABLE IF NOT EXISTS panproto_reflog (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo         BIGINT NOT NULL REFERENCES panproto_repositories (id),
    name         TEXT COLLATE "C" NOT NULL,
    old_target   BYTEA,
    old_symbolic TEXT,
    new_target   BYTEA,
    new_symbolic TEXT,
    message      TEXT NOT NULL,
    at           BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS panproto_reflog_by_ref ON panproto_reflog (repo, name, seq);
