#include "store_cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "terminal_ui.h"

namespace chosa {
namespace tools {

bool ParsedOptions::Has(const std::string& name) const {
  if (std::find(flags.begin(), flags.end(), name) != flags.end()) return true;
  return std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
}

std::string ParsedOptions::Get(const std::string& name, const std::string& fallback) const {
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return fallback;
}

bool ParseOptions(const char* command, int argc, char** argv, const std::vector<OptionSpec>& specs,
                  ParsedOptions* out) {
  bool only_positionals = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positionals || arg == "-" || arg.empty() || arg[0] != '-') {
      out->positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      out->help = true;
      continue;
    }
    std::string name = arg;
    bool has_inline = false;
    std::string inline_value;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
      has_inline = true;
    }
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return name == s.name; });
    if (spec == specs.end()) {
      std::fprintf(stderr, "chosa %s: unknown option \"%s\"\n", command, ForDisplay(arg, 60).c_str());
      return false;
    }
    if (!spec->takes_value) {
      if (has_inline) {
        std::fprintf(stderr, "chosa %s: %s takes no value\n", command, name.c_str());
        return false;
      }
      out->flags.push_back(name);
      continue;
    }
    std::string value;
    if (has_inline) {
      value = inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    if (value.empty()) {  // `--store ""` must not quietly mean the default store
      std::fprintf(stderr, "chosa %s: %s needs a value\n", command, name.c_str());
      return false;
    }
    out->values.emplace_back(name, value);
  }
  return true;
}

std::string StorePathOption(const ParsedOptions& options) {
  std::string path = options.Get("--store");
  return path.empty() ? DeviceStore::DefaultPath() : path;
}

bool FileExists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "chosa-cli";
  return name;
}

namespace {

std::string Parent(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// mkdir -p, each directory made readable by the user only: a tablet's store holds personal data.
bool MakeDirectories(const std::string& dir, std::string* error) {
  if (dir.empty() || FileExists(dir)) return true;
  if (!MakeDirectories(Parent(dir), error)) return false;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = dir + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<DeviceStore> OpenStoreOrSay(const char* command, const std::string& path, bool create,
                                            const std::string& device_id) {
  if (!FileExists(path)) {
    if (!create) {
      std::fprintf(stderr, "chosa %s: there is no store at %s (nothing was filled with it yet; --store PATH names another)\n",
                   command, path.c_str());
      return nullptr;
    }
    std::string dir = Parent(path);
    if (path == DeviceStore::DefaultPath()) {
      std::string error;
      if (!MakeDirectories(dir, &error)) {
        std::fprintf(stderr, "chosa %s: cannot create the store's directory %s\n", command, error.c_str());
        return nullptr;
      }
    } else if (!FileExists(dir)) {
      std::fprintf(stderr, "chosa %s: cannot create the store %s: the directory %s does not exist\n", command,
                   path.c_str(), dir.c_str());
      return nullptr;
    }
  }
  StoreOptions options;
  options.device_id = device_id;  // "": the store's own identity (a new store makes one)
  Result<std::unique_ptr<DeviceStore>> opened = DeviceStore::Open(path, options);
  if (!opened.ok()) {
    const Status& status = opened.status();
    std::fprintf(stderr, "chosa %s: cannot open the store %s: %s\n", command, path.c_str(), status.message().c_str());
    if (status.code() == StatusCode::kCorruption) {
      std::string store = StoreArgument(path);
      std::fprintf(stderr,
                   "  What is wrong:                 chosa store check%s\n"
                   "  Copy what is readable to NEW:  chosa store salvage%s --into NEW\n",
                   store.c_str(), store.c_str());
    }
    return nullptr;
  }
  return std::move(opened).value();
}

std::string ShellQuote(const std::string& text) {
  bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("/._-+:,@%=", c) != nullptr;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string StoreArgument(const std::string& store_path) {
  return store_path == DeviceStore::DefaultPath() ? "" : " --store " + ShellQuote(store_path);
}

std::string ResumeCommandLine(int64_t id, const std::string& store_path) {
  return "chosa resume " + std::to_string(id) + StoreArgument(store_path);
}

int64_t ParseId(const std::string& text) {
  if (text.empty() || text.size() > 18) return -1;
  int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? id : -1;
}

std::string LocalTime(int64_t millis) {
  if (millis <= 0) return "-";
  time_t seconds = static_cast<time_t>(millis / 1000);
  struct tm local;
  if (localtime_r(&seconds, &local) == nullptr) return "-";
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local) == 0) return "-";
  return text;
}

void PrintTable(std::FILE* out, const std::vector<std::vector<std::string>>& rows) {
  constexpr int kMaxCell = 40;  // an instance name made of long answers must not push the rest away
  std::vector<std::vector<std::string>> shown;
  std::vector<int> widths;
  for (const std::vector<std::string>& row : rows) {
    std::vector<std::string> cells;
    for (size_t c = 0; c < row.size(); ++c) {
      // The last column is not padded, so it is not cut either (a rejection's whole reason).
      cells.push_back(ForDisplay(row[c], c + 1 < row.size() ? kMaxCell : 0));
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], DisplayWidth(cells.back()));
    }
    shown.push_back(std::move(cells));
  }
  for (const std::vector<std::string>& row : shown) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(static_cast<size_t>(widths[c] - DisplayWidth(row[c]) + 2), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();  // an empty last cell
    std::fprintf(out, "%s\n", line.c_str());
  }
}

}  // namespace tools
}  // namespace chosa
