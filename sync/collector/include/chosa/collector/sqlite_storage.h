// The SQLite backend of CollectorStorage (OpenSqliteStorage in chosa/collector_storage.h):
// one database file, DATA_DIR/collector.sqlite, in WAL mode with synchronous=FULL (an
// acknowledged submission survives a power loss), its schema in numbered migrations
// (PRAGMA user_version), marked as a collector's by PRAGMA application_id.
//
// One connection behind a mutex serves every method; other processes (the admin CLI beside a
// running server) share the file through SQLite's locks and busy timeout. Backups read through
// a connection of their own, so ingest goes on while one runs.
#ifndef CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_H_
#define CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/status.h"

namespace chosa::collector {

inline constexpr char kSqliteFileName[] = "collector.sqlite";
// "chCo": what PRAGMA application_id holds in every collector database.
inline constexpr int kSqliteApplicationId = 0x6368436f;

// DATA_DIR/collector.sqlite.
std::string SqliteDatabasePath(const std::string& data_dir);
// The schema version this build writes; a database with a larger user_version is refused.
int SqliteSchemaVersion();

// OK when `path` is a sound collector database this build can open: an SQLite file that passes
// quick_check, with the collector's application id and a schema no newer than this build's.
// Read-only: changes nothing.
Status CheckSqliteDatabase(const std::string& path);

// Damage and loss (chosa/collector_storage.h; docs/operations.md, "Damage and loss").

// How far the devices were told their submissions are stored, as DATA_DIR/collector.acknowledged
// keeps it beside the database (written and flushed with every acknowledged batch).
struct Acknowledged {
  int64_t position = 0;  // the highest submission position (seq) acknowledged to a device
  int64_t count = 0;     // submissions the database held at least when it last acknowledged
};

// What chosa-collector serve checks before it serves, on the data directory's database (before
// anything writes to it):
// - PRAGMA quick_check and the schema: Corruption "the database file is damaged: restore a backup
//   (...)" when a page, the schema or a table cannot be read;
// - the acknowledged position: Corruption saying how many acknowledged submissions are missing
//   when the database is behind it (a lost collector.sqlite-wal, an older file put back). With
//   `accept_loss` it is served anyway: the record is reset to the database and `*accepted` says
//   what was given up ("" when nothing was).
// OK when there is no database yet and nothing was ever acknowledged.
Status CheckSqliteBeforeServing(const std::string& data_dir, bool accept_loss, std::string* accepted);

// For the admin commands, which work on a database `serve` refuses as behind the acknowledged
// position: what is missing (as serve says it), or "" when nothing is (or when the record or the
// database cannot be read: serve and check say that). Reads the positions only, no pages.
std::string SqliteMissingAcknowledged(const std::string& data_dir);

// chosa-collector check's full check: PRAGMA integrity_check, every stored submission's SHA-256,
// and the database against the acknowledged position. Read-only.
struct SqliteFullCheck {
  std::vector<std::string> problems;  // damage, one line each; none: sound
  // Not damage: the database is behind what was acknowledged (a lost -wal, an older file put
  // back), what is missing; "" when it holds everything acknowledged.
  std::string missing;
  int64_t submissions_checked = 0;
  Acknowledged database;      // what the database holds (position, count)
  Acknowledged acknowledged;  // what collector.acknowledged says was acknowledged
};
Result<SqliteFullCheck> CheckSqliteFully(const std::string& data_dir);

// Sets collector.acknowledged to what the database in `data_dir` holds (after a restore): `*before`
// gets the record it replaced ({0, 0} when none or unreadable), `*after` the new one, so that the
// caller can say what the restored database lacks.
Status ResetSqliteAcknowledged(const std::string& data_dir, Acknowledged* before, Acknowledged* after);

// Unavailable when another connection (a running collector, an admin command) has the database
// at `path` open: takes an exclusive lock for an instant without waiting. OK when no file.
Status CheckSqliteNotInUse(const std::string& path);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_H_
