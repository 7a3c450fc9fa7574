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

#include <string>

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

// Unavailable when another connection (a running collector, an admin command) has the database
// at `path` open: takes an exclusive lock for an instant without waiting. OK when no file.
Status CheckSqliteNotInUse(const std::string& path);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SQLITE_STORAGE_H_
