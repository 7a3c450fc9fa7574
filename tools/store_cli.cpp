#include "store_cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "chosa/base/private_file.h"


namespace chosa {
namespace tools {

std::string StorePathOption(const cli::ParsedArgs& options) {
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
      // mkdir -p, each directory made readable by the user only: a tablet's store holds personal data.
      Status made = CreatePrivateDirectories(dir);
      if (!made.ok()) {
        std::fprintf(stderr, "chosa %s: %s\n", command, made.message().c_str());
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

std::string InstanceNamer::Name(const InstanceSummary& instance) {
  auto key = std::make_pair(instance.form_id, instance.form_version);
  auto found = forms_.find(key);
  if (found == forms_.end()) {
    Result<std::shared_ptr<const Form>> loaded = store_->LoadForm(instance.form_id, instance.form_version);
    found = forms_.emplace(key, loaded.ok() ? *loaded : nullptr).first;
  }
  const std::string& stored = instance.instance_name;
  bool blank = std::all_of(stored.begin(), stored.end(), [](char c) { return c == ' ' || c == '\t'; });
  const Form* form = found->second.get();
  if (form == nullptr) return blank ? "-" : stored;
  size_t language = form->default_language();
  if (blank) return std::string(form->title().Get(language));
  if (form->settings().instance_name == kNone) return stored;
  // The lists of the choice questions the name reads, unless the name shows that list's labels
  // already (the form's name uses jr:choice-name): a word of a label that happens to be a value
  // (the "12" of "12 months") is not a code to relabel.
  auto shows_a_label = [&](const ChoiceList& choices) {
    for (const Choice& choice : choices.choices) {
      for (size_t l = 0; l < form->languages().size(); ++l) {
        const std::string_view label = choice.label.Get(l);
        if (!label.empty() && label != choice.value && stored.find(label) != std::string::npos) return true;
      }
    }
    return false;
  };
  std::vector<int32_t> lists;
  for (int32_t item : form->ItemsReadBy(form->settings().instance_name)) {
    const Item& read = form->item(item);
    int32_t list = read.list;
    if (list == kNone && read.type == ItemType::kMatrixRow && read.parent != kNone) list = form->item(read.parent).list;
    if (list != kNone && !shows_a_label(form->choice_lists()[static_cast<size_t>(list)])) lists.push_back(list);
  }
  std::string named;
  size_t start = 0;
  while (start <= stored.size()) {
    size_t end = stored.find(' ', start);
    if (end == std::string::npos) end = stored.size();
    std::string word = stored.substr(start, end - start);
    for (int32_t list : lists) {
      const ChoiceList& choices = form->choice_lists()[static_cast<size_t>(list)];
      int32_t at = word.empty() ? -1 : choices.Find(word);
      if (at >= 0) {
        std::string label(choices.choices[static_cast<size_t>(at)].label.Get(language));
        if (!label.empty()) word = label;
        break;
      }
    }
    named += (start == 0 ? "" : " ") + word;
    start = end + 1;
  }
  return named;
}

}  // namespace tools
}  // namespace chosa
