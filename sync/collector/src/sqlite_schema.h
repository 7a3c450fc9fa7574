// The collector database's schema: its numbered migrations (PRAGMA user_version), run by the
// engine's migration runner (store/sqlite_migrations.h). Apart from the storage that uses it, so
// that what the database holds is read in one place.
#ifndef CHOSA_SYNC_COLLECTOR_SQLITE_SCHEMA_H_
#define CHOSA_SYNC_COLLECTOR_SQLITE_SCHEMA_H_

#include "chosa/status.h"
#include "chosa/sqlite/sqlite_handle.h"

namespace chosa::collector {

// Brings the collector database on `db` to SqliteSchemaVersion() (sqlite_storage.h), each step in
// its own transaction, stamping PRAGMA application_id; refuses a newer schema, changing nothing.
Status MigrateSqliteDatabase(Connection& db);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_SQLITE_SCHEMA_H_
