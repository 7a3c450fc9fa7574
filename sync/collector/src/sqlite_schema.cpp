// The collector database's schema (sqlite_schema.h): each version's statements, and the
// migration that applies them.
#include "sqlite_schema.h"

#include <cstdint>
#include <string>

#include "chosa/collector/sqlite_storage.h"
#include "chosa/sqlite/sqlite_migrations.h"

namespace chosa::collector {
namespace {

// Version 1: the first schema. Times are ms since the epoch; hashes are lower-case hex SHA-256.
constexpr const char* kVersion1 = R"SQL(
CREATE TABLE forms (
  form_id TEXT PRIMARY KEY,
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'archived')),
  created_at INTEGER NOT NULL
);
CREATE TABLE form_versions (
  form_id TEXT NOT NULL REFERENCES forms (form_id),
  version TEXT NOT NULL,
  json TEXT NOT NULL,               -- the resolved form ($refs inlined): the bytes served and hashed
  sha256 TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  seq INTEGER NOT NULL UNIQUE,      -- publishing order
  PRIMARY KEY (form_id, version)
);
CREATE TABLE enrolment_codes (
  code_hash TEXT PRIMARY KEY,       -- of the normalized code; the code itself is never stored
  forms TEXT NOT NULL,              -- JSON array of form ids
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  device_id TEXT
);
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  forms TEXT NOT NULL,              -- JSON array of form ids
  token_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,         -- of the whole token
  enrolled_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
);
CREATE TABLE analyst_tokens (
  name TEXT PRIMARY KEY,
  token_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE submissions (
  -- Commit order, never reused: the export cursor. Not AUTOINCREMENT (its sqlite_sequence row
  -- cost a sixth of an insert): SQLite gives max(seq) + 1, which grows for ever because no
  -- submission is ever deleted; a deletion, if one is ever added, must keep the highest row.
  seq INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  form_id TEXT NOT NULL,
  form_version TEXT NOT NULL,
  device_id TEXT NOT NULL,          -- the authenticated device that pushed it
  replaces TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL                -- the canonical bytes, exactly as received
);
CREATE INDEX submissions_by_form ON submissions (form_id, seq);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL DEFAULT '',    -- '' when the line was not readable
  device_id TEXT NOT NULL,
  form_id TEXT NOT NULL DEFAULT '',
  form_version TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  body TEXT NOT NULL,
  body_sha256 TEXT NOT NULL,        -- a retried push of the same line is not kept twice
  received_at INTEGER NOT NULL,
  released_at INTEGER
);
CREATE INDEX quarantine_by_body ON quarantine (body_sha256);
CREATE INDEX quarantine_by_form ON quarantine (form_id);
)SQL";

// Version 2: an export keeps the latest submission of each correction chain; it finds the
// corrected ones without reading every submission of the form.
constexpr const char* kVersion2 = R"SQL(
CREATE INDEX submissions_replacing ON submissions (form_id, replaces) WHERE replaces <> '';
)SQL";

// Version 3: whether each submission was re-validated against its form version when it was
// stored (`chosa-collector check` lists those that were not). Pushes are; a quarantined item the
// bureau released is not. Before this version, submissions of a form with settings.public_key
// were stored unchecked, and released ones too.
constexpr const char* kVersion3 = R"SQL(
ALTER TABLE submissions ADD COLUMN revalidated INTEGER NOT NULL DEFAULT 1;
UPDATE submissions SET revalidated = 0
  WHERE uuid IN (SELECT uuid FROM quarantine WHERE released_at IS NOT NULL AND uuid <> '')
     OR EXISTS (SELECT 1 FROM form_versions v WHERE v.form_id = submissions.form_id
                AND v.version = submissions.form_version AND json_valid(v.json)
                AND json_extract(v.json, '$.settings.public_key') IS NOT NULL);
CREATE INDEX submissions_not_revalidated ON submissions (seq) WHERE revalidated = 0;
)SQL";

// Version 4: ownership of corrections (issue 19). A submission's `replaces` is honoured only when
// the submission it names came from the same device, or from a former enrolment of the same
// tablet that the bureau linked to it (chosa-collector devices link OLD NEW): the links, each
// made once and never removed (who and when, for the record; version 7 lets one be undone, the
// row kept). Who sent each submission was
// recorded from version 1 (submissions.device_id, the authenticated device, never the
// self-declared one), so existing rows need nothing: from now on an export ignores an existing
// correction of another device's submission. No foreign keys to devices: a revoked device's row
// is replaced when the same tablet enrols again under its id, and its links stay.
constexpr const char* kVersion4 = R"SQL(
CREATE TABLE device_links (
  old_device_id TEXT PRIMARY KEY,         -- a device has at most one successor...
  new_device_id TEXT NOT NULL UNIQUE,     -- ...and continues at most one former enrolment
  linked_at INTEGER NOT NULL,
  linked_by TEXT NOT NULL,
  CHECK (old_device_id <> new_device_id)
);
)SQL";

// Version 5: bounded quarantine (issue 19): a rejected line that is not a readable submission keeps only
// its head (QuarantineLimits::head_bytes), so each item records the whole line's size beside
// the bytes kept; the per-device and per-form quotas add up kept_bytes of the items held. Items
// quarantined before this version were kept whole: both sizes are the body's length in bytes.
constexpr const char* kBoundedQuarantine = R"SQL(
ALTER TABLE quarantine ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0;  -- the whole line, as received
ALTER TABLE quarantine ADD COLUMN kept_bytes INTEGER NOT NULL DEFAULT 0;  -- length of body
UPDATE quarantine SET size_bytes = length(CAST(body AS BLOB)), kept_bytes = length(CAST(body AS BLOB));
CREATE INDEX quarantine_held_by_device ON quarantine (device_id, kept_bytes) WHERE released_at IS NULL;
CREATE INDEX quarantine_held_by_form ON quarantine (form_id, kept_bytes) WHERE released_at IS NULL;
)SQL";

// Version 6: an enrolment code may be made for one device identity (issue 19): the only kind that
// enrols a revoked identity again, so that no holder of an ordinary code can take over a revoked
// tablet's identity, and with it the right to correct what that tablet sent. NULL: a code for a
// new identity.
constexpr const char* kCodesForOneDevice = R"SQL(
ALTER TABLE enrolment_codes ADD COLUMN for_device TEXT;
)SQL";

// Version 7: a link made in error can be undone (chosa-collector devices unlink OLD NEW): the
// row stays, for the record, with when and by whom it was undone; only links not undone count,
// and a device has at most one successor and one predecessor among those.
constexpr const char* kLinksUndone = R"SQL(
CREATE TABLE device_links_7 (
  link_id INTEGER PRIMARY KEY,
  old_device_id TEXT NOT NULL,
  new_device_id TEXT NOT NULL,
  linked_at INTEGER NOT NULL,
  linked_by TEXT NOT NULL,
  unlinked_at INTEGER,                    -- NULL while the link holds
  unlinked_by TEXT,
  CHECK (old_device_id <> new_device_id)
);
INSERT INTO device_links_7 (old_device_id, new_device_id, linked_at, linked_by)
  SELECT old_device_id, new_device_id, linked_at, linked_by FROM device_links ORDER BY rowid;
DROP TABLE device_links;
ALTER TABLE device_links_7 RENAME TO device_links;
CREATE UNIQUE INDEX device_links_one_successor ON device_links (old_device_id) WHERE unlinked_at IS NULL;
CREATE UNIQUE INDEX device_links_one_predecessor ON device_links (new_device_id) WHERE unlinked_at IS NULL;
)SQL";

constexpr const char* kMigrations[] = {kVersion1, kVersion2, kVersion3, kVersion4, kBoundedQuarantine,
                                       kCodesForOneDevice, kLinksUndone};

}  // namespace

// Applies the migrations past the database's user_version, each in its own transaction, marking
// the database as a collector's (store/sqlite_migrations.h: the version is read again inside the
// transaction, so that two processes opening an old database at once do not race; a current
// database is opened without taking the write lock).
Status MigrateSqliteDatabase(Connection& db) {
  static const std::string stamp = "PRAGMA application_id = " + std::to_string(kSqliteApplicationId) + ";";
  SqliteMigrations migrations;
  migrations.steps = kMigrations;
  migrations.step_count = SqliteSchemaVersion();
  migrations.subject = "the collector database";
  migrations.stamp = stamp;
  migrations.refuse_newer = [](int64_t found, int supported) {
    return Status::Unsupported("the collector database was written by a newer chosa-collector (schema " +
                               std::to_string(found) + "; this one reads up to " + std::to_string(supported) +
                               "): update chosa-collector; nothing was changed");
  };
  return RunSqliteMigrations(db, migrations);
}

int SqliteSchemaVersion() { return static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]); }

}  // namespace chosa::collector
