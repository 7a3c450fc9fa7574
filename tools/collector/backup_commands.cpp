// chosa-collector backup, restore: an online copy of the collector's database, and putting one
// back in place with the collector stopped (commands.h, admin_common.h).
#include <algorithm>
#include <cstdio>
#include <string>

#include "admin_common.h"
#include "chosa/collector_storage.h"
#include "chosa/collector/admin.h"
#include "chosa/collector/sqlite_storage.h"

namespace chosa::collector_tool {
namespace {

const AdminSpec& BackupSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "backup", "PATH",
        "Copies the collector's database into PATH, a new file, while the collector runs (SQLite's\n"
        "online backup: a consistent snapshot), and checks the copy.\n\n" +
            std::string(collector::kRestoreInstructions),
        1, 1, {}, {});
  return spec;
}

int Backup(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& path = parsed.positionals[0];
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  Status status = storage->Backup(path);
  if (!status.ok()) return Fail(spec, status.message());
  std::printf("Backed up %s into %s (checked; readable by its owner only).\n",
              collector::SqliteDatabasePath(DataDir(parsed)).c_str(), path.c_str());
  std::printf("To restore it: stop the collector, then chosa-collector restore %s --data %s\n", path.c_str(),
              DataDir(parsed).c_str());
  return 0;
}

const AdminSpec& RestoreSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "restore", "BACKUP", std::string(collector::kRestoreInstructions), 1, 1, {}, {});
  return spec;
}

int Restore(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& backup = parsed.positionals[0];
  collector::RestoredPosition position;
  Result<std::string> aside = collector::RestoreSqliteBackup(backup, DataDir(parsed), Now(), &position);
  if (!aside.ok()) return Fail(spec, aside.status().message());
  std::printf("Restored %s as %s.\n", backup.c_str(), collector::SqliteDatabasePath(DataDir(parsed)).c_str());
  if (!aside->empty()) std::printf("The database it replaced is kept as %s.\n", aside->c_str());
  const collector::Acknowledged& before = position.before;
  const collector::Acknowledged& restored = position.restored;
  if (before.position > restored.position || before.count > restored.count) {
    // Said, not refused: restoring is how the bureau chooses this database knowingly.
    std::printf("Devices had been told up to position %lld (%lld submissions) is stored; this backup holds up to "
                "%lld (%lld submissions): at least %lld acknowledged submissions are not in it, and their devices "
                "will not send them again.\n",
                static_cast<long long>(before.position), static_cast<long long>(before.count),
                static_cast<long long>(restored.position), static_cast<long long>(restored.count),
                static_cast<long long>(std::max(before.position - restored.position, before.count - restored.count)));
  }
  std::printf("The acknowledged position is now the restored database's (position %lld).\n",
              static_cast<long long>(restored.position));
  std::printf("Start the collector again.\n");
  return 0;
}


}  // namespace

int BackupCommand(const Args& args) { return RunAdmin(BackupSpec(), args, Backup); }
int RestoreCommand(const Args& args) { return RunAdmin(RestoreSpec(), args, Restore); }

}  // namespace chosa::collector_tool
