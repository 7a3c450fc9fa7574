// The one runner of numbered schema migrations (PRAGMA user_version) for an SQLite database:
// the device store's (store/schema.cpp) and the collector's (sync/collector/src) run their own
// lists of steps through it, so that both upgrade, and refuse a newer schema, the same way.
#ifndef CHOSA_ENGINE_STORE_SQLITE_MIGRATIONS_H_
#define CHOSA_ENGINE_STORE_SQLITE_MIGRATIONS_H_

#include <cstdint>
#include <string_view>

#include "chosa/status.h"
#include "chosa/sqlite/sqlite_handle.h"

namespace chosa {

struct SqliteMigrations {
  // steps[k - 1] turns a schema k - 1 database into schema k: statements that return no rows.
  const char* const* steps = nullptr;
  int step_count = 0;  // the schema version this build writes
  // What the database is, in messages: "the store" gives "reading the store's schema version",
  // "upgrading the store to schema 3: ...".
  std::string_view subject;
  // Run in every step's transaction after its statements and the new user_version, for a stamp
  // every version carries ("PRAGMA application_id = ...;"); may be empty.
  std::string_view stamp;
  // The refusal of a database of schema `found` > step_count, which is left unchanged.
  Status (*refuse_newer)(int64_t found, int supported) = nullptr;
};

// Brings the database on `connection` to migrations.step_count, each step in its own IMMEDIATE
// transaction. The version is read again once the write lock is held, so that two connections
// (or processes) upgrading an old database at once do not both run a step; a current database
// is left without taking the write lock. A database of a newer schema is refused by
// refuse_newer, changing nothing; a failed step is rolled back and its fault returned.
Status RunSqliteMigrations(Connection& connection, const SqliteMigrations& migrations);

}  // namespace chosa

#endif  // CHOSA_ENGINE_STORE_SQLITE_MIGRATIONS_H_
