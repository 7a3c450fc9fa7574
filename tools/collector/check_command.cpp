// chosa-collector check: the full check of the collector's data (commands.h, admin_common.h):
// every page (PRAGMA integrity_check), every stored submission's bytes against their SHA-256,
// the database against what was acknowledged to devices, and the submissions never re-validated
// against their form version. Exit status 1 when anything is wrong, so that a script notices.
#include <cstdio>
#include <string>
#include <vector>

#include "admin_common.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/collector_storage.h"
#include "cli_values.h"
#include "display_text.h"
#include "text_table.h"

namespace chosa::collector_tool {
namespace {

const AdminSpec& CheckSpec() {
  static const AdminSpec spec = [] {
    AdminSpec made = MakeAdminSpec(
        "check", "",
        "Checks the collector's data in full (reading all of it: minutes for gigabytes), also while\n"
        "the collector runs:\n"
        "- every page of the database (PRAGMA integrity_check);\n"
        "- every stored submission's bytes against the SHA-256 they were received with;\n"
        "- the database against the last position acknowledged to devices (collector.acknowledged):\n"
        "  submissions acknowledged but missing (a lost collector.sqlite-wal, an older file put back);\n"
        "- the stored submissions never re-validated against their form version (released from\n"
        "  quarantine, or stored unchecked by an older collector), and the stored corrections that\n"
        "  hide nothing because they name another device's submission: listed.\n"
        "What is damaged is said; what to do is in docs/operations.md (\"Damage and loss\").\n"
        "Exit status 1 if anything is wrong or listed.\n",
        0, 0, {}, {});
    made.warn_if_behind = false;  // its MISSING: line says it
    return made;
  }();
  return spec;
}

// Lists the stored submissions never re-validated; false when there are any.
bool ListNotRevalidated(const AdminSpec& spec, collector::CollectorStorage& storage) {
  Result<std::vector<collector::StoredSubmission>> unchecked = storage.NotRevalidated();
  if (!unchecked.ok()) {
    Fail(spec, unchecked.status().message());
    return false;
  }
  if (unchecked->empty()) {
    std::printf("Every stored submission was re-validated against its form version when it was stored.\n");
    return true;
  }
  std::vector<std::vector<std::string>> rows{{"UUID", "FORM", "VERSION", "DEVICE", "RECEIVED"}};
  for (const auto& stored : *unchecked) {
    rows.push_back({stored.uuid, stored.form_id, tools::Printable(stored.form_version), stored.device_id,
                    tools::LocalTime(stored.received_at)});
  }
  tools::PrintTable(stdout, rows, 0);
  std::printf("%zu stored submission%s never re-validated against %s form version: released from quarantine by\n"
              "the bureau, or stored unchecked by an older collector (a form with settings.public_key).\n",
              unchecked->size(), unchecked->size() == 1 ? " was" : "s were", unchecked->size() == 1 ? "its" : "their");
  return false;
}

// The corrections that name another device's submission (stored before it arrived, or by an
// older collector): listed with what they name, since the exports ignore their `replaces`; false
// when there are any.
bool ListUnappliedCorrections(const AdminSpec& spec, collector::CollectorStorage& storage) {
  Result<std::vector<collector::StoredSubmission>> corrections = storage.UnappliedCorrections();
  if (!corrections.ok()) {
    Fail(spec, corrections.status().message());
    return false;
  }
  if (corrections->empty()) return true;
  std::vector<std::vector<std::string>> rows{{"UUID", "FORM", "DEVICE", "RECEIVED", "REPLACES"}};
  for (const auto& stored : *corrections) {
    rows.push_back({stored.uuid, stored.form_id, stored.device_id, tools::LocalTime(stored.received_at),
                    stored.replaces});
  }
  tools::PrintTable(stdout, rows, 0);
  const size_t n = corrections->size();
  std::printf("%zu stored correction%s not applied: %s a submission that another device sent (and that it does\n"
              "not continue: chosa-collector devices link), or %s; the exports list both.\n",
              n, n == 1 ? " is" : "s are", n == 1 ? "it replaces" : "they replace", n == 1 ? "itself" : "themselves");
  return false;
}

int Check(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string dir = DataDir(parsed);
  // Damage first, on a connection of its own: a file too damaged to open as storage is still
  // checked as far as it can be read.
  Result<collector::SqliteFullCheck> full = collector::CheckSqliteFully(dir);
  if (!full.ok()) return Fail(spec, full.status().message());
  for (const std::string& problem : full->problems) std::printf("DAMAGE: %s\n", problem.c_str());
  if (!full->missing.empty()) std::printf("MISSING: %s\n", full->missing.c_str());
  if (!full->problems.empty()) {
    std::printf("%zu problem%s found (%lld submissions read): %s\n", full->problems.size(),
                full->problems.size() == 1 ? "" : "s", static_cast<long long>(full->submissions_checked),
                collector::kDamagedDatabase);
  } else if (!full->missing.empty()) {
    // Not damage: what to do differs (docs/operations.md, "Damage and loss").
    std::printf("Every page and the SHA-256 of each of its %lld submissions are sound, but acknowledged submissions "
                "are missing: put back the collector.sqlite-wal that was lost, or restore the backup that has them "
                "(chosa-collector restore BACKUP); chosa-collector serve --accept-loss serves without them.\n",
                static_cast<long long>(full->submissions_checked));
  } else {
    std::printf("The database is sound: every page, and the SHA-256 of each of its %lld submissions; it holds "
                "everything acknowledged to devices (up to position %lld).\n",
                static_cast<long long>(full->submissions_checked), static_cast<long long>(full->acknowledged.position));
  }
  auto storage = OpenStorage(spec, dir, false);
  const bool revalidated = storage && ListNotRevalidated(spec, *storage);
  const bool applied = storage && ListUnappliedCorrections(spec, *storage);
  return full->problems.empty() && full->missing.empty() && revalidated && applied ? 0 : 1;
}

}  // namespace

int CheckCommand(const Args& args) { return RunAdmin(CheckSpec(), args, Check); }

}  // namespace chosa::collector_tool
