// What the administration commands of chosa-collector share (commands.h): their arguments, with
// the data directory (--data DIR, default ./collector-data), and opening the collector's storage
// in it. They may run while the server serves the same directory: SQLite's locks keep them apart.
//
// Secrets (an enrolment code, an analyst token) go alone on standard output, so that a script
// can take them with $(...); what they are for goes to standard error. Text that came from a
// device (its name, a quarantined body) is shown with control characters escaped (Printable).
#ifndef CHOSA_TOOLS_COLLECTOR_ADMIN_COMMON_H_
#define CHOSA_TOOLS_COLLECTOR_ADMIN_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa::collector_tool {

constexpr char kDefaultDataDir[] = "collector-data";

// An administration command's arguments: its options besides --data, and how many arguments.
struct AdminSpec {
  cli::CommandSpec command;
  size_t min_positional = 0, max_positional = 0;
  // OpenStorage warns when the database is behind the acknowledged position (a command that
  // reports that itself, as check does, turns it off).
  bool warn_if_behind = true;
};

// The usage of `name`: "usage: chosa-collector NAME SYNOPSIS [--data DIR]", the description
// (indented), --data and the exit statuses.
AdminSpec MakeAdminSpec(const std::string& name, const std::string& synopsis, const std::string& description,
                        size_t min_positional, size_t max_positional, const std::vector<std::string>& value_options,
                        const std::vector<std::string>& flag_options);

using AdminRun = int (*)(const AdminSpec& spec, const cli::ParsedArgs& parsed);
// Parses `args` by `spec` (a usage error exits 2, --help 0), then runs `run`.
int RunAdmin(const AdminSpec& spec, const Args& args, AdminRun run);

// --data DIR, or the default.
std::string DataDir(const cli::ParsedArgs& parsed);

// "chosa-collector NAME: message" on standard error; returns 1.
int Fail(const AdminSpec& spec, const std::string& message);
// The same and the usage; returns 2.
int UsageError(const AdminSpec& spec, const std::string& message);

// The collector's database in `dir`; created only by commands that make something new, so that a
// mistyped --data does not leave an empty collector behind. Null (said why) when it cannot be.
// A database behind the position acknowledged to devices (a lost -wal), which serve refuses, is
// opened with a warning on standard error saying what is missing (unless spec.warn_if_behind is off).
std::unique_ptr<collector::CollectorStorage> OpenStorage(const AdminSpec& spec, const std::string& dir, bool create);

int64_t Now();
// "a, b, c".
std::string Join(const std::vector<std::string>& items);

}  // namespace chosa::collector_tool

#endif  // CHOSA_TOOLS_COLLECTOR_ADMIN_COMMON_H_
