// What the commands of the device store share (`chosa fill`, `drafts`, `resume`, `outbox`,
// `store`): finding and opening the store with errors a person can act on, and the command lines
// that messages suggest.
#ifndef CHOSA_TOOLS_STORE_CLI_H_
#define CHOSA_TOOLS_STORE_CLI_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chosa/store.h"
#include "cli_args.h"

namespace chosa {
namespace tools {

constexpr int kExitOk = 0;
constexpr int kExitFault = 1;
constexpr int kExitUsage = cli::kExitUsage;
constexpr int kExitNoSubmission = 3;  // fill, resume: quit or end of input before finalizing

// --- the store ---------------------------------------------------------------------------------

// --store PATH, or DeviceStore::DefaultPath().
std::string StorePathOption(const cli::ParsedArgs& options);
bool FileExists(const std::string& path);
std::string HostName();

// Opens the store at `path` for `chosa COMMAND`. When the file is missing it is created with
// `create` (and, for the default path, its directory, readable by the user only); otherwise it
// says so. On any failure prints why on standard error, with what to do about a damaged or newer
// store, and returns null.
std::unique_ptr<DeviceStore> OpenStoreOrSay(const char* command, const std::string& path, bool create,
                                            const std::string& device_id = "");

// An instance's name as people read it in the listings (`chosa drafts`, `chosa outbox`): each word
// of the stored name that is the value of a choice of a question the form's instance_name reads is
// shown as that choice's label, in the form's first language (the ward code 271276 reads 北区),
// unless the name holds a label of that list already (it was made with jr:choice-name); an
// instance with no name yet is named by the form's title. Each form version is loaded from
// the store once.
class InstanceNamer {
 public:
  explicit InstanceNamer(const DeviceStore* store) : store_(store) {}
  std::string Name(const InstanceSummary& instance);

 private:
  const DeviceStore* store_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const Form>> forms_;  // null: not loadable
};

// " --store PATH" (quoted for a shell), or "" when PATH is the default store: to complete a
// command line that a message suggests.
std::string StoreArgument(const std::string& store_path);
// "chosa resume 12" with " --store PATH" (quoted for a shell) unless PATH is the default store.
std::string ResumeCommandLine(int64_t id, const std::string& store_path);
// `text` quoted for a POSIX shell when it needs it.
std::string ShellQuote(const std::string& text);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_STORE_CLI_H_
