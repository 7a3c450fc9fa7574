#include "admin_common.h"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <utility>

#include "chosa/env.h"
#include "chosa/collector/sqlite_storage.h"

namespace chosa::collector_tool {

AdminSpec MakeAdminSpec(const std::string& name, const std::string& synopsis, const std::string& description,
                        size_t min_positional, size_t max_positional, const std::vector<std::string>& value_options,
                        const std::vector<std::string>& flag_options) {
  AdminSpec spec;
  spec.command.program = "chosa-collector";
  spec.command.name = name;
  spec.command.synopsis = synopsis.empty() ? "[--data DIR]" : synopsis + " [--data DIR]";
  for (size_t start = 0; start < description.size();) {
    size_t end = description.find('\n', start);
    if (end == std::string::npos) end = description.size();
    const std::string line = description.substr(start, end - start);
    spec.command.text += line.empty() ? "\n" : "  " + line + "\n";
    start = end + 1;
  }
  spec.command.text += std::string("  --data DIR   the collector's data directory (default ./") + kDefaultDataDir + ")\n" +
                       "  Exit: 0 ok, 1 failure, 2 usage.\n";
  spec.command.options.push_back({"--data", true});
  for (const std::string& option : value_options) spec.command.options.push_back({option, true});
  for (const std::string& option : flag_options) spec.command.options.push_back({option, false});
  spec.min_positional = min_positional;
  spec.max_positional = max_positional;
  return spec;
}

int RunAdmin(const AdminSpec& spec, const Args& args, AdminRun run) {
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(spec.command, args, &parsed)) return *exit;
  if (parsed.positionals.size() < spec.min_positional) {
    const std::string& synopsis = spec.command.synopsis;
    return UsageError(spec, "missing " + synopsis.substr(0, synopsis.find(' ')));
  }
  if (parsed.positionals.size() > spec.max_positional) {
    return UsageError(spec, "unexpected argument \"" + parsed.positionals[spec.max_positional] + "\"");
  }
  return run(spec, parsed);
}

std::string DataDir(const cli::ParsedArgs& parsed) { return parsed.Get("--data", kDefaultDataDir); }

int Fail(const AdminSpec& spec, const std::string& message) {
  std::fprintf(stderr, "chosa-collector %s: %s\n", spec.command.name.c_str(), message.c_str());
  return 1;
}

int UsageError(const AdminSpec& spec, const std::string& message) { return cli::UsageError(spec.command, message); }

std::unique_ptr<collector::CollectorStorage> OpenStorage(const AdminSpec& spec, const std::string& dir, bool create) {
  const std::string path = collector::SqliteDatabasePath(dir);
  if (!create && ::access(path.c_str(), F_OK) != 0) {
    Fail(spec, "there is no collector data in " + dir + " (no " + path +
                   "): give --data DIR, or publish a form first (chosa-collector publish FORM.json --data DIR)");
    return nullptr;
  }
  Result<std::unique_ptr<collector::CollectorStorage>> storage = collector::OpenSqliteStorage(dir);
  if (!storage.ok()) {
    Fail(spec, "cannot open the collector data in " + dir + ": " + storage.status().ToString());
    return nullptr;
  }
  if (spec.warn_if_behind) {
    const std::string missing = collector::SqliteMissingAcknowledged(dir);
    if (!missing.empty()) {
      std::fprintf(stderr, "chosa-collector %s: warning: %s; chosa-collector serve refuses this database "
                   "(docs/operations.md, \"Damage and loss\")\n", spec.command.name.c_str(), missing.c_str());
    }
  }
  return std::move(storage).value();
}

int64_t Now() { return Env::Default()->NowMillis(); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace chosa::collector_tool
