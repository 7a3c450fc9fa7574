// How the SQLite backend names damage (chosa/collector_storage.h, "Damage and loss"): every
// SQLITE_CORRUPT or SQLITE_NOTADB, wherever it comes up, is reported as kDamagedDatabase with
// what was being done, so that a log or a client never sees "no such column" or "malformed" alone.
// The checks before serving and chosa-collector check's full check (sqlite_storage.h) are
// defined beside these, in sqlite_damage.cpp.
#ifndef CHOSA_SYNC_COLLECTOR_SQLITE_DAMAGE_H_
#define CHOSA_SYNC_COLLECTOR_SQLITE_DAMAGE_H_

#include <sqlite3.h>

#include <string_view>

#include "chosa/status.h"

namespace chosa::collector {

// SqliteStatus (chosa/sqlite/sqlite_handle.h) with damage named: Corruption
// "the database file is damaged: restore a backup (DOING: SQLite's message)".
Status StorageStatus(sqlite3* db, int code, std::string_view doing);

// `status` as a damaged-file error when it is a Corruption not yet named so; else unchanged.
Status NamedDamage(Status status);

// Corruption kDamagedDatabase with `detail` in parentheses.
Status DamagedDatabase(std::string_view detail);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SQLITE_DAMAGE_H_
