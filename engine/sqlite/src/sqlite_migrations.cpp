// RunSqliteMigrations: the one migration runner, for the device store and the collector.
#include "chosa/sqlite/sqlite_migrations.h"

#include <string>

namespace chosa {

Status RunSqliteMigrations(Connection& connection, const SqliteMigrations& migrations) {
  const std::string reading = "reading " + std::string(migrations.subject) + "'s schema version";
  for (;;) {
    Result<int64_t> version = connection.QueryInt("PRAGMA user_version", reading);
    if (!version.ok()) return version.status();
    if (*version > migrations.step_count) return migrations.refuse_newer(*version, migrations.step_count);
    if (*version == migrations.step_count) return Status::Ok();
    const int next = static_cast<int>(*version) + 1;
    const std::string upgrading = "upgrading " + std::string(migrations.subject) + " to schema " + std::to_string(next);
    Status status = connection.Exec("BEGIN IMMEDIATE", upgrading);
    if (!status.ok()) return status;
    Result<int64_t> locked = connection.QueryInt("PRAGMA user_version", reading);
    if (!locked.ok() || *locked != *version) {  // upgraded meanwhile by another connection: look again
      IgnoreError(connection.Exec("ROLLBACK", ""), "a read-only transaction: nothing to undo");
      if (!locked.ok()) return locked.status();
      continue;
    }
    std::string step = std::string(migrations.steps[next - 1]) + ";PRAGMA user_version = " + std::to_string(next) +
                       ";" + std::string(migrations.stamp);
    status = connection.Exec(step, upgrading);
    if (status.ok()) status = connection.Exec("COMMIT", upgrading);
    if (!status.ok()) {
      IgnoreError(connection.Exec("ROLLBACK", ""), "the failure that made it roll back is returned");
      return status;
    }
  }
}

}  // namespace chosa
