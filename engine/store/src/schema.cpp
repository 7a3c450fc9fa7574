#include "schema.h"

#include <string>

#include "chosa/sqlite/sqlite_migrations.h"

namespace chosa {
namespace {

// Version 1: the first schema (tests/store/fixtures/store_v1.sql is a store written by it).
constexpr const char* kVersion1 = R"SQL(
CREATE TABLE form_version (
  form_id TEXT NOT NULL,
  version TEXT NOT NULL,
  form_json TEXT NOT NULL,          -- the resolved form: $refs replaced by their code lists
  sha256 TEXT NOT NULL,
  installed_at INTEGER NOT NULL,    -- ms since the epoch
  seq INTEGER NOT NULL,             -- installation order: the newest version is the largest
  PRIMARY KEY (form_id, version)
);
CREATE TABLE instance (
  id INTEGER PRIMARY KEY,
  form_id TEXT NOT NULL,
  form_version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'finalized', 'sent', 'rejected')),
  enumerator_id TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL,
  page INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  started_offset INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  instance_name TEXT NOT NULL DEFAULT '',
  progress INTEGER NOT NULL DEFAULT 0,
  uuid TEXT UNIQUE,
  replaces TEXT NOT NULL DEFAULT '',
  reject_reason TEXT NOT NULL DEFAULT '',
  finalized_at INTEGER,
  sent_at INTEGER,
  submission TEXT,                  -- the canonical bytes, immutable once finalized
  sha256 TEXT,
  FOREIGN KEY (form_id, form_version) REFERENCES form_version (form_id, version)
);
CREATE INDEX instance_by_state ON instance (state, updated_at);
CREATE TABLE answer (
  instance_id INTEGER NOT NULL REFERENCES instance (id) ON DELETE CASCADE,
  path TEXT NOT NULL,               -- "age", "attendees[2]/name"
  value TEXT NOT NULL,              -- Session::AnswerText
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (instance_id, path)
) WITHOUT ROWID;
CREATE TABLE repeat_count (
  instance_id INTEGER NOT NULL REFERENCES instance (id) ON DELETE CASCADE,
  repeat TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (instance_id, repeat)
) WITHOUT ROWID;
)SQL";

// Version 2: the audit trail, and the retention of sent submissions per form version.
constexpr const char* kVersion2 = R"SQL(
CREATE TABLE audit (
  instance_id INTEGER NOT NULL REFERENCES instance (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  path TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
) WITHOUT ROWID;
ALTER TABLE form_version ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 30;
CREATE INDEX instance_by_sent ON instance (state, sent_at);
)SQL";

// Version 3: draft ids are never reused after a delete, so that an id on a list or in a
// `chosa resume` names the same filling for the life of the store.
constexpr const char* kVersion3 = R"SQL(
CREATE TABLE instance_id_sequence (next_id INTEGER NOT NULL);
INSERT INTO instance_id_sequence SELECT COALESCE(MAX(id), 0) + 1 FROM instance;
CREATE TRIGGER instance_id_advances AFTER INSERT ON instance BEGIN
  UPDATE instance_id_sequence SET next_id = MAX(next_id, NEW.id + 1);
END;
)SQL";

// Version 4: a draft's name as last saved is kept in `answer` too, under the empty path (no item
// has it), beside the draft's answers: an answer that renames the draft is saved with its new name
// in one statement that writes one page. No table changes; the number keeps older versions,
// which would read that row as an answer, from opening the store.
constexpr const char* kVersion4 = "";

// Version 5: deleting an instance deletes its rows by a trigger. The store runs with SQLite's
// default `foreign_keys=OFF`: enforcement would check the parent row on every autosave (about a
// tenth of an answer's SQL), and nothing inserts a child row without its instance (a draft that is
// open cannot be deleted); the REFERENCES clauses stay, and `chosa store check` verifies them with
// `PRAGMA foreign_key_check`.
constexpr const char* kVersion5 = R"SQL(
CREATE TRIGGER instance_deleted AFTER DELETE ON instance BEGIN
  DELETE FROM answer WHERE instance_id = OLD.id;
  DELETE FROM repeat_count WHERE instance_id = OLD.id;
  DELETE FROM audit WHERE instance_id = OLD.id;
END;
)SQL";

// Version 6: the store's one device identity, stamped into every submission it finalizes and
// the identity the sync client enrols with. An older store takes it from its newest submission
// (drafts carry none); a store with none gets it when next opened (StoreDatabase::Open).
constexpr const char* kVersion6 = R"SQL(
CREATE TABLE device_identity (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  device_id TEXT NOT NULL CHECK (device_id <> '')
);
INSERT INTO device_identity (only_row, device_id)
  SELECT 1, json_extract(submission, '$.device_id') FROM instance
  WHERE submission IS NOT NULL AND json_valid(submission) AND json_type(submission, '$.device_id') = 'text'
    AND json_extract(submission, '$.device_id') <> ''
  ORDER BY finalized_at DESC, id DESC LIMIT 1;
)SQL";

constexpr const char* kMigrations[] = {kVersion1, kVersion2, kVersion3, kVersion4, kVersion5, kVersion6};

}  // namespace

int CurrentSchemaVersion() { return static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]); }

Status MigrateSchema(Connection& connection) {
  SqliteMigrations migrations;
  migrations.steps = kMigrations;
  migrations.step_count = CurrentSchemaVersion();
  migrations.subject = "the store";
  migrations.refuse_newer = [](int64_t found, int supported) {
    return Status::Unsupported("this store was written by a newer version of chosa (schema " + std::to_string(found) +
                               "; this version reads up to " + std::to_string(supported) +
                               "): update chosa; the store is left unchanged");
  };
  return RunSqliteMigrations(connection, migrations);
}

}  // namespace chosa
