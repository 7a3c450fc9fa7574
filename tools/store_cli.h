// What the commands of the device store share (`chosa fill`, `drafts`, `resume`, `outbox`,
// `store`): options parsing, finding and opening the store with errors a person can act on,
// local times, and plain-text tables.
#ifndef CHOSA_TOOLS_STORE_CLI_H_
#define CHOSA_TOOLS_STORE_CLI_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "chosa/store.h"

namespace chosa {
namespace tools {

constexpr int kExitOk = 0;
constexpr int kExitFault = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoSubmission = 3;  // fill, resume: quit or end of input before finalizing

// --- options -----------------------------------------------------------------------------------

struct OptionSpec {
  const char* name;  // "--store"
  bool takes_value;
};

struct ParsedOptions {
  std::vector<std::pair<std::string, std::string>> values;  // options with values, last one wins
  std::vector<std::string> flags;
  std::vector<std::string> positionals;
  bool help = false;  // -h / --help
  bool Has(const std::string& name) const;
  // The last value of `name`, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Parses `--name VALUE`, `--name=VALUE`, flags and positionals. On an unknown option or a
// missing value prints "chosa COMMAND: ..." on standard error and returns false.
bool ParseOptions(const char* command, int argc, char** argv, const std::vector<OptionSpec>& specs,
                  ParsedOptions* out);

// --- the store ---------------------------------------------------------------------------------

// --store PATH, or DeviceStore::DefaultPath().
std::string StorePathOption(const ParsedOptions& options);
bool FileExists(const std::string& path);
std::string HostName();

// Opens the store at `path` for `chosa COMMAND`. When the file is missing it is created with
// `create` (and, for the default path, its directory, readable by the user only); otherwise it
// says so. On any failure prints why on standard error, with what to do about a damaged or newer
// store, and returns null.
std::unique_ptr<DeviceStore> OpenStoreOrSay(const char* command, const std::string& path, bool create,
                                            const std::string& device_id = "");

// " --store PATH" (quoted for a shell), or "" when PATH is the default store: to complete a
// command line that a message suggests.
std::string StoreArgument(const std::string& store_path);
// "chosa resume 12" with " --store PATH" (quoted for a shell) unless PATH is the default store.
std::string ResumeCommandLine(int64_t id, const std::string& store_path);
// `text` quoted for a POSIX shell when it needs it.
std::string ShellQuote(const std::string& text);

// Parses a positive decimal id; -1 when `text` is not one.
int64_t ParseId(const std::string& text);

// --- output ------------------------------------------------------------------------------------

// "2024-11-01 14:03" in the local time zone (TZ); "-" for 0.
std::string LocalTime(int64_t millis);

// Prints rows as columns padded to their display width (East Asian wide characters count two
// columns); the first row is the header. Cells are shown through ForDisplay, cut at 40 columns
// except in the last column.
void PrintTable(std::FILE* out, const std::vector<std::vector<std::string>>& rows);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_STORE_CLI_H_
