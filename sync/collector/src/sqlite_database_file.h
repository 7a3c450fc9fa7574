// The collector database as a file: creating it whole, checking what a file is before it is
// opened, setting up a connection, and copying it for a backup. Apart from the storage's reads and
// writes (sqlite_storage_impl.h); CheckSqliteDatabase and CheckSqliteNotInUse (sqlite_storage.h)
// are defined here too.
#ifndef CHOSA_SYNC_COLLECTOR_SQLITE_DATABASE_FILE_H_
#define CHOSA_SYNC_COLLECTOR_SQLITE_DATABASE_FILE_H_

#include <string>

#include "chosa/status.h"
#include "chosa/sqlite/sqlite_handle.h"

namespace chosa::collector {

// Reads application_id and user_version without writing anything, and refuses what is not a
// collector database of this build or an older one.
Status ProbeSqliteDatabase(const std::string& path);

// WAL, synchronous=FULL and foreign keys on a connection to the collector database.
Status SetUpSqliteConnection(Connection& db);

// Creates the database at `path` complete under a temporary name and links it into place, so
// that collector.sqlite is never a half-made file; a concurrent creator's file wins.
Status CreateSqliteDatabase(const std::string& path);

// Writes a checked copy of the database at `source` to the new file `path` (CollectorStorage::Backup).
Status BackupSqliteDatabase(const std::string& source, const std::string& path);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SQLITE_DATABASE_FILE_H_
