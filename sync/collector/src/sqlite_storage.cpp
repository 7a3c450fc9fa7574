// The SQLite backend of CollectorStorage (sqlite_storage.h): opening the database and preparing
// the statements every request keeps. SqliteStorage's methods are in sqlite_storage_*.cpp by
// concern (sqlite_storage_impl.h), the schema in sqlite_schema.cpp, the file's lifecycle in
// sqlite_database_file.cpp.
#include "chosa/collector/sqlite_storage.h"

#include <sqlite3.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "chosa/env.h"
#include "credentials.h"
#include "chosa/base/hex_digest.h"
#include "chosa/base/private_file.h"
#include "chosa/sqlite/sqlite_handle.h"
#include "sqlite_database_file.h"
#include "sqlite_schema.h"
#include "sqlite_storage_impl.h"

namespace chosa::collector {
Status SqliteStorage::Open() {
  // Damage found while opening is named as such (a damaged schema page reads as "no such column").
  Status status = NamedDamage(OpenConnections());
  if (!status.ok()) return status;
  status = Prepare();
  if (!status.ok()) {
    // The schema is the collector's own and was just migrated: a statement that no longer
    // compiles against it means the schema in the file is damaged.
    return status.code() == StatusCode::kCorruption ? status : DamagedDatabase(status.message());
  }
  return acknowledged_.Open(acknowledged_path_);
}

Status SqliteStorage::OpenConnections() {
  Status status = ProbeSqliteDatabase(path_);
  if (!status.ok()) return status;
  status = db_.Open(path_, SQLITE_OPEN_READWRITE);
  if (!status.ok()) return status;
  status = SetUpSqliteConnection(db_);
  if (!status.ok()) return status;
  status = MigrateSqliteDatabase(db_);
  if (!status.ok()) return status;
  status = reader_.db.Open(path_, SQLITE_OPEN_READWRITE);
  if (!status.ok()) return status;
  return reader_.db.Exec("PRAGMA query_only=ON", "setting up the collector's reading connection");
}

Status SqliteStorage::Prepare() {
  const unsigned int kept = SQLITE_PREPARE_PERSISTENT;
  sqlite3* db = db_.get();
  begin_ = Statement(db, "BEGIN IMMEDIATE", kept);
  commit_ = Statement(db, "COMMIT", kept);
  rollback_ = Statement(db, "ROLLBACK", kept);
  insert_submission_ = Statement(db,
                                 "INSERT INTO submissions (uuid, form_id, form_version, device_id, replaces, sha256, "
                                 "received_at, body, revalidated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT (uuid) DO NOTHING",
                                 kept);
  submission_sha_ = Statement(db, "SELECT sha256, seq FROM submissions WHERE uuid = ?", kept);
  submission_body_ = Statement(db, "SELECT body, sha256 FROM submissions WHERE uuid = ?", kept);
  submission_owner_ = Statement(db, "SELECT device_id FROM submissions WHERE uuid = ?", kept);
  // Whether ?1 is ?2 or continues it, through any number of links (UNION: a loop, which
  // LinkDevices refuses anyway, would end).
  continues_ = Statement(db,
                         "WITH RECURSIVE former (device_id) AS (SELECT ?1 UNION SELECT l.old_device_id "
                         "FROM device_links l JOIN former f ON l.new_device_id = f.device_id AND l.unlinked_at IS NULL) "
                         "SELECT EXISTS (SELECT 1 FROM former WHERE device_id = ?2)",
                         kept);
  find_quarantined_ = Statement(db,
                                "SELECT id FROM quarantine WHERE body_sha256 = ? AND device_id = ? AND reason = ? "
                                "AND released_at IS NULL LIMIT 1",
                                kept);
  insert_quarantined_ = Statement(db,
                                  "INSERT INTO quarantine (uuid, device_id, form_id, form_version, reason, body, "
                                  "body_sha256, received_at, size_bytes, kept_bytes) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  kept);
  quarantine_device_bytes_ = Statement(
      db, "SELECT COALESCE(SUM(kept_bytes), 0) FROM quarantine WHERE device_id = ? AND released_at IS NULL", kept);
  quarantine_form_bytes_ = Statement(
      db, "SELECT COALESCE(SUM(kept_bytes), 0) FROM quarantine WHERE form_id = ? AND released_at IS NULL", kept);
  touch_device_ = Statement(db, "UPDATE devices SET last_seen_at = MAX(last_seen_at, ?) WHERE device_id = ?", kept);
  for (Statement* statement :
       {&begin_, &commit_, &rollback_, &insert_submission_, &submission_sha_, &submission_body_, &submission_owner_,
        &continues_, &find_quarantined_, &insert_quarantined_, &touch_device_, &quarantine_device_bytes_,
        &quarantine_form_bytes_}) {
    if (!statement->ok()) return StorageStatus(db, statement->prepare_code(), "preparing the collector's statements");
  }
  sqlite3* reading = reader_.db.get();
  reader_.device_by_token =
      Statement(reading, "SELECT device_id, forms, token_hash, revoked_at FROM devices WHERE token_id = ?", kept);
  reader_.analyst_by_token =
      Statement(reading, "SELECT name, token_hash, revoked_at FROM analyst_tokens WHERE token_id = ?", kept);
  reader_.get_form_version = Statement(
      reading, "SELECT json, sha256, published_at FROM form_versions WHERE form_id = ? AND version = ?", kept);
  reader_.get_form_state = Statement(reading, "SELECT state FROM forms WHERE form_id = ?", kept);
  for (Statement* statement :
       {&reader_.device_by_token, &reader_.analyst_by_token, &reader_.get_form_version, &reader_.get_form_state}) {
    if (!statement->ok()) {
      return StorageStatus(reading, statement->prepare_code(), "preparing the collector's statements");
    }
  }
  return Status::Ok();
}

Status SqliteStorage::Backup(const std::string& path) { return BackupSqliteDatabase(path_, path); }

Result<std::unique_ptr<CollectorStorage>> OpenSqliteStorage(const std::string& data_dir,
                                                            const QuarantineLimits& quarantine) {
  const std::string dir = data_dir.empty() ? "." : data_dir;
  // It holds token hashes and people's answers: its owner only, also when an older collector
  // made it looser ("." is the operator's own directory, left as it is). Best effort on an
  // existing directory: one that another user owns and shares with us stays usable.
  Status made = CreatePrivateDirectories(dir);
  if (!made.ok()) return made;
  if (dir != ".") IgnoreError(TightenIfPresent(dir), "a directory we do not own keeps the mode its owner gave it");
  const std::string path = SqliteDatabasePath(dir);
  if (::access(path.c_str(), F_OK) != 0) {
    Status created = CreateSqliteDatabase(path);
    if (!created.ok()) return created;
  }
  auto storage = std::make_unique<SqliteStorage>(path, quarantine, AcknowledgedPath(dir));
  Status opened = storage->Open();
  if (!opened.ok()) return opened;
  return std::unique_ptr<CollectorStorage>(std::move(storage));
}

}  // namespace chosa::collector
