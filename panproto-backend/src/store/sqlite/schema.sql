-- panproto's SQLite tables (store format 1). Mirrors ../postgres/schema.sql,
-- without the `panproto_` prefix. Run inside one BEGIN IMMEDIATE transaction;
-- every statement is idempotent so racing creators both succeed.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS repositories (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    protocol_json TEXT NOT NULL,
    created       INTEGER NOT NULL
) STRICT;

-- Objects are large (a schema is a compressed blob), so this is a rowid
-- table; (repo, id) is its unique key.
CREATE TABLE IF NOT EXISTS objects (
    repo   INTEGER NOT NULL REFERENCES repositories (id),
    id     BLOB NOT NULL,
    kind   INTEGER NOT NULL,
    parent BLOB,
    data   BLOB NOT NULL,
    PRIMARY KEY (repo, id)
) STRICT;

CREATE TABLE IF NOT EXISTS refs (
    repo     INTEGER NOT NULL REFERENCES repositories (id),
    name     TEXT NOT NULL,
    target   BLOB,
    symbolic TEXT,
    PRIMARY KEY (repo, name),
    CHECK ((target IS NULL) <> (symbolic IS NULL))
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS reflog (
    seq          INTEGER PRIMARY KEY,
    repo         INTEGER NOT NULL REFERENCES repositories (id),
    name         TEXT NOT NULL,
    old_target   BLOB,
    old_symbolic TEXT,
    new_target   BLOB,
    new_symbolic TEXT,
    message      TEXT NOT NULL,
    at           INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS reflog_by_ref ON reflog (repo, name, seq);
