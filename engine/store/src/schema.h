// The store's schema and its numbered migrations (PRAGMA user_version). Migration k turns a
// version k-1 store into version k; a store is never downgraded.
#ifndef CHOSA_ENGINE_STORE_SCHEMA_H_
#define CHOSA_ENGINE_STORE_SCHEMA_H_

#include "chosa/status.h"
#include "chosa/sqlite/sqlite_handle.h"

namespace chosa {

// The version this build writes.
int CurrentSchemaVersion();

// Brings the store on `connection` to CurrentSchemaVersion(), each step in its own
// transaction. Refuses (kUnsupported) a store written by a newer chosa, changing nothing.
Status MigrateSchema(Connection& connection);

}  // namespace chosa

#endif  // CHOSA_ENGINE_STORE_SCHEMA_H_
