// chosa store check|salvage [--store PATH] [--into NEW]: the first aid for a device store.
// `check` reads the store without changing it (SQLite's integrity check, the schema version) and
// prints each problem; `salvage` copies every readable form, draft, answer and submission of a
// damaged store into a new store at NEW, leaving the damaged file as it is.
//
// Exit status: 0 the store is sound / the salvage was written; 1 the store has problems / the
// salvage failed; 2 a usage error.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "chosa/store.h"
#include "cli_args.h"
#include "commands.h"
#include "display_text.h"
#include "store_cli.h"
#include "terminal_ui.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& StoreSpec() {
  static const cli::CommandSpec spec{
      "chosa", "store", "check [--store PATH]\n       chosa store salvage [--store PATH] --into NEW",
      Format(
               "  check     reads the store without changing it and prints every problem found\n"
               "  salvage   copies what is readable of a damaged store into a new store NEW\n"
               "  --store PATH   the device store (default: %s)\n"
               "  --into NEW     where salvage writes (a file that does not exist yet)\n"
               "  Exit: 0 sound / salvaged, 1 problems found / salvage failed, 2 usage.\n",
               DeviceStore::DefaultPath().c_str()),
      {{"--store", true}, {"--into", true}}};
  return spec;
}

// A store of a newer schema is sound for the chosa that wrote it: it must be neither salvaged
// nor otherwise rewritten by this one (that would drop what the newer schema keeps).
bool WrittenByNewerChosa(const StoreCheck& check) {
  return std::any_of(check.problems.begin(), check.problems.end(),
                     [](const std::string& problem) { return problem.find("newer") != std::string::npos; });
}

int Check(const std::string& path) {
  if (!FileExists(path)) {
    std::printf("%s: there is no store here\n", path.c_str());
    return kExitFault;
  }
  StoreCheck check = DeviceStore::Check(path);
  if (check.ok && check.problems.empty()) {
    std::printf("%s: ok\n", path.c_str());
    return kExitOk;
  }
  // integrity_check may put several lines in one problem ("*** in database main ***\nPage 4: ...").
  for (const std::string& problem : check.problems) {
    size_t start = 0;
    while (start <= problem.size()) {
      size_t end = std::min(problem.find('\n', start), problem.size());
      if (end > start) std::printf("%s: %s\n", path.c_str(), ForDisplay(problem.substr(start, end - start)).c_str());
      start = end + 1;
    }
  }
  if (check.problems.empty()) std::printf("%s: not a sound store\n", path.c_str());
  if (WrittenByNewerChosa(check)) {
    std::printf("Update chosa to use this store; this version leaves it unchanged.\n");
    return kExitFault;
  }
  std::printf("`chosa store salvage%s --into NEW` copies what is readable into a new store NEW.\n",
              StoreArgument(path).c_str());
  return kExitFault;
}

int Salvage(const std::string& path, const std::string& into) {
  if (FileExists(into)) {
    std::fprintf(stderr, "chosa store: %s exists; salvage writes a new store and overwrites nothing\n", into.c_str());
    return kExitUsage;
  }
  if (!FileExists(path)) {
    std::fprintf(stderr, "chosa store: there is no store at %s\n", path.c_str());
    return kExitFault;
  }
  if (WrittenByNewerChosa(DeviceStore::Check(path))) {
    std::fprintf(stderr, "chosa store: %s was written by a newer chosa; update chosa rather than salvage it\n",
                 path.c_str());
    return kExitFault;
  }
  Result<int64_t> saved = DeviceStore::Salvage(path, into);
  if (!saved.ok()) {
    std::fprintf(stderr, "chosa store: cannot salvage %s into %s: %s\n", path.c_str(), into.c_str(),
                 saved.status().message().c_str());
    return kExitFault;
  }
  std::printf("Salvaged %lld instance%s (drafts and submissions) from %s into %s.\n", static_cast<long long>(*saved),
              *saved == 1 ? "" : "s", path.c_str(), into.c_str());
  std::printf("Check it with `chosa store check --store %s`; keep the damaged file until the salvage is checked.\n",
              ShellQuote(into).c_str());
  return kExitOk;
}

}  // namespace

int RunStore(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(StoreSpec(), argc, argv, &options)) return *exit;
  if (options.positionals.size() != 1) {
    cli::PrintUsage(StoreSpec(), stderr);
    return kExitUsage;
  }
  const std::string& action = options.positionals.front();
  std::string path = StorePathOption(options);
  if (action == "check") {
    if (options.Has("--into")) {
      std::fprintf(stderr, "chosa store: --into is for salvage\n");
      return kExitUsage;
    }
    return Check(path);
  }
  if (action == "salvage") {
    std::string into = options.Get("--into");
    if (into.empty()) {
      std::fprintf(stderr, "chosa store: salvage needs --into NEW, the new store to write\n");
      cli::PrintUsage(StoreSpec(), stderr);
      return kExitUsage;
    }
    return Salvage(path, into);
  }
  std::fprintf(stderr, "chosa store: unknown action \"%s\" (check or salvage)\n", ForDisplay(action, 40).c_str());
  cli::PrintUsage(StoreSpec(), stderr);
  return kExitUsage;
}

}  // namespace tools
}  // namespace chosa
