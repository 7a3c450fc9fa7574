#include "chosa/collector/admin.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "credentials.h"
#include "chosa/collector/sqlite_storage.h"
#include "chosa/base/hex_digest.h"
#include "chosa/base/private_file.h"

namespace chosa::collector {
namespace {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

bool ReadWholeFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  *text = buffer.str();
  return true;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// JSON text rather than a path: its first character past white space (and a BOM) is '{'.
bool IsJsonText(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

// A code list's choices as the form will hold them: a label given in several languages keeps
// only the form's (in the form's order), as the engine reads a code list for that form; a
// language the form lacks would be a fault once the list is inlined.
OrderedJson ChoicesForForm(const OrderedJson& choices, const std::vector<std::string>& languages) {
  OrderedJson out = choices;
  for (OrderedJson& choice : out) {
    if (!choice.is_object()) continue;
    auto label = choice.find("label");
    if (label == choice.end() || !label->is_object()) continue;
    OrderedJson narrowed = OrderedJson::object();
    for (const std::string& language : languages) {
      auto text = label->find(language);
      if (text != label->end()) narrowed[language] = *text;
    }
    *label = std::move(narrowed);
  }
  return out;
}

// `json` with every {"$ref": "..."} choice list replaced by the referenced code list's
// "choices", looked up in `directories` in order, as the engine's reader does. The form has
// loaded already, so every reference is known to resolve.
Result<std::string> InlineCodeLists(std::string_view json, const std::vector<std::string>& directories,
                                    const std::vector<std::string>& languages) {
  OrderedJson form = OrderedJson::parse(json, nullptr, false);
  if (form.is_discarded() || !form.is_object()) return Status::InvalidArgument("the form is not a JSON object");
  auto lists = form.find("choice_lists");
  if (lists != form.end() && lists->is_object()) {
    for (auto& entry : lists->items()) {
      OrderedJson& list = entry.value();
      if (!list.is_object() || list.size() != 1 || !list.contains("$ref") || !list["$ref"].is_string()) continue;
      const std::string ref = list["$ref"].get<std::string>();
      const std::string pointer = "/choice_lists/" + entry.key() + "/$ref";
      bool found = false;
      for (const std::string& directory : directories) {
        std::string text;
        if (!ReadWholeFile(directory + "/" + ref, &text)) continue;
        OrderedJson codelist = OrderedJson::parse(text, nullptr, false);
        if (codelist.is_discarded() || !codelist.is_object() || !codelist.contains("choices")) {
          return Status::InvalidArgument("code list " + ref + " cannot be read", pointer);
        }
        list = ChoicesForForm(codelist["choices"], languages);
        found = true;
        break;
      }
      if (!found) return Status::InvalidArgument("code list not found: " + ref, pointer);
    }
  }
  try {
    // Compact, as the device store writes a form it installs: the bytes (and hash) agree.
    return form.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& error) {
    return Status::InvalidArgument(std::string("the form cannot be written back as JSON: ") + error.what());
  }
}

// A name carries data in a submission (an answer, a repeat's instances, a matrix's rows).
bool CarriesData(ItemType type) { return HoldsAnswer(type) || type == ItemType::kRepeat || type == ItemType::kMatrix; }

// A matrix row is a select_one in the form's name space: turning one into the other keeps the data.
ItemType DataKind(ItemType type) { return type == ItemType::kMatrixRow ? ItemType::kSelectOne : type; }

// "an integer", "a text".
std::string WithArticle(ItemType type) {
  const std::string name = ItemTypeName(type);
  return (std::string("aeiou").find(name[0]) != std::string::npos ? "an " : "a ") + name;
}

// One question of `later` whose name an earlier version gave another type.
struct TypeChange {
  std::string name;
  Status fault;
};

std::vector<TypeChange> FindTypeChanges(const Form& earlier, const Form& later) {
  std::vector<TypeChange> changes;
  for (const Item& item : later.items()) {
    if (item.name.empty() || !CarriesData(item.type)) continue;
    const int32_t index = earlier.Find(item.name);
    if (index == kNone) continue;
    const Item& before = earlier.item(index);
    if (!CarriesData(before.type) || DataKind(before.type) == DataKind(item.type)) continue;
    changes.push_back(
        {item.name, Status::InvalidArgument(
                        "question \"" + item.name + "\" is " + WithArticle(before.type) + " in version " +
                        earlier.version() + " but " + WithArticle(item.type) + " in version " + later.version() +
                        ": a question keeps its type in every version of a form (their answers meet "
                        "in one export); give the new question another name")});
  }
  return changes;
}

std::string FormatUtc(int64_t millis, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, format, &utc);
  return text;
}

bool IsAnalystName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ResolvedForm ResolveForm(std::string_view path_or_json, const std::vector<std::string>& search_paths) {
  ResolvedForm out;
  std::string text;
  std::vector<std::string> directories;
  if (IsJsonText(path_or_json)) {
    text = std::string(path_or_json);
  } else {
    const std::string path(path_or_json);
    if (!ReadWholeFile(path, &text)) {
      out.faults.push_back(Status::IOError("cannot read " + path + ": " + std::strerror(errno)));
      return out;
    }
    directories.push_back(DirectoryOf(path));
  }
  directories.insert(directories.end(), search_paths.begin(), search_paths.end());
  if (directories.empty()) directories.push_back(".");

  FormLoadOptions options;
  options.search_paths = directories;
  FormLoadResult loaded = Form::Load(text, options);
  if (!loaded.ok()) {
    out.faults = std::move(loaded.faults);
    return out;
  }
  Result<std::string> resolved = InlineCodeLists(text, directories, loaded.form->languages());
  if (!resolved.ok()) {
    out.faults.push_back(resolved.status());
    return out;
  }
  // What is stored must load on its own, on a device with no code lists at hand.
  FormLoadResult alone = Form::Load(*resolved);
  if (!alone.ok()) {
    for (const Status& fault : alone.faults) {
      out.faults.push_back(Status::Internal("the resolved form does not load on its own: " + fault.ToString()));
    }
    return out;
  }
  out.form = std::move(alone.form);
  out.json = std::move(resolved).value();
  return out;
}

std::vector<Status> TypeChanges(const Form& earlier, const Form& later) {
  std::vector<Status> faults;
  for (TypeChange& change : FindTypeChanges(earlier, later)) faults.push_back(std::move(change.fault));
  return faults;
}

PublishOutcome PublishForm(CollectorStorage& storage, std::string_view path_or_json,
                           const std::vector<std::string>& search_paths, int64_t now) {
  PublishOutcome out;
  ResolvedForm resolved = ResolveForm(path_or_json, search_paths);
  if (!resolved.ok()) {
    out.faults = std::move(resolved.faults);
    out.status = Status::InvalidArgument("the form has " + std::to_string(out.faults.size()) +
                                         (out.faults.size() == 1 ? " fault" : " faults") + "; nothing was published");
    return out;
  }
  const Form& form = *resolved.form;
  FormVersion version{form.id(), form.version(), resolved.json, Sha256Hex(resolved.json), now};
  const std::string name = "form " + version.form_id + " version " + version.version;

  Result<FormVersion> existing = storage.GetFormVersion(version.form_id, version.version);
  if (existing.ok()) {
    if (existing->sha256 == version.sha256) {
      out.version = std::move(existing).value();
      out.already_published = true;
      return out;
    }
    out.status = Status::AlreadyExists(name + " is already published with other content (SHA-256 " +
                                       existing->sha256.substr(0, 12) + "…, this one " + version.sha256.substr(0, 12) +
                                       "…); a published version never changes: publish the change as a new version");
    return out;
  }
  if (existing.status().code() != StatusCode::kNotFound) {
    out.status = existing.status();
    return out;
  }

  // Against every earlier version, newest first; a question is named once.
  Result<std::vector<FormVersion>> read_earlier = storage.FormVersions(version.form_id);
  if (!read_earlier.ok()) {
    out.status = read_earlier.status();  // never publish unchecked
    return out;
  }
  const std::vector<FormVersion>& earlier = *read_earlier;
  std::set<std::string> named;
  for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
    FormLoadResult before = Form::Load(it->json);
    if (!before.ok()) continue;  // stored versions load; one that no longer does cannot be compared
    for (TypeChange& change : FindTypeChanges(*before.form, form)) {
      if (named.insert(change.name).second) out.faults.push_back(std::move(change.fault));
    }
  }
  if (!out.faults.empty()) {
    out.status = Status::InvalidArgument(name + " changes the type of " + std::to_string(out.faults.size()) +
                                         (out.faults.size() == 1 ? " question" : " questions") +
                                         " of an earlier version; nothing was published");
    return out;
  }

  out.status = storage.PublishForm(version);
  if (out.status.ok()) out.version = std::move(version);
  return out;
}

Result<EnrolmentCode> CreateEnrolmentCode(CollectorStorage& storage, const std::vector<std::string>& forms,
                                          int64_t valid_for_ms, int64_t now, std::string_view for_device) {
  if (forms.empty()) return Status::InvalidArgument("name at least one form the device will fill");
  if (valid_for_ms <= 0) return Status::InvalidArgument("an enrolment code must be valid for some time");
  EnrolmentCode out;
  if (!for_device.empty()) {
    Result<std::vector<Device>> devices = storage.ListDevices();
    if (!devices.ok()) return devices.status();
    const bool known = std::any_of(devices->begin(), devices->end(),
                                   [&](const Device& device) { return device.device_id == for_device; });
    if (!known) {
      return Status::NotFound("no device " + std::string(for_device) +
                              " has enrolled (`devices` lists them); a code for a new device needs no --device");
    }
    out.for_device = std::string(for_device);
  }
  for (const std::string& form_id : forms) {
    if (std::find(out.forms.begin(), out.forms.end(), form_id) != out.forms.end()) continue;
    Result<FormState> state = storage.GetFormState(form_id);
    if (!state.ok()) {
      if (state.status().code() != StatusCode::kNotFound) return state.status();
      Result<std::vector<FormSummary>> forms_published = storage.ListForms();
      if (!forms_published.ok()) return forms_published.status();
      std::string published;
      for (const FormSummary& summary : *forms_published) {
        published += (published.empty() ? "" : ", ") + summary.form_id;
      }
      return Status::NotFound("unknown form " + form_id + " (published: " + (published.empty() ? "none" : published) +
                              ")");
    }
    if (*state == FormState::kArchived) {
      return Status::InvalidArgument("form " + form_id + " is archived: a device could not push it");
    }
    out.forms.push_back(form_id);
  }
  Result<std::string> code = NewEnrolmentCode();
  if (!code.ok()) return code.status();
  out.code = std::move(code).value();
  out.expires_at = now + valid_for_ms;
  Status added = storage.AddEnrolmentCode(out.code, out.forms, out.expires_at, out.for_device);
  if (!added.ok()) return added;
  return out;
}

Result<std::string> CreateAnalystToken(CollectorStorage& storage, std::string_view name) {
  if (!IsAnalystName(name)) {
    return Status::InvalidArgument("an analyst token's name is 1 to 64 letters, digits, '.', '_', '-' or '@'");
  }
  Result<std::string> token = NewToken();
  if (!token.ok()) return token.status();
  Status added = storage.AddAnalystToken(name, *token);
  if (!added.ok()) return added;
  return token;
}

Result<std::string> RestoreSqliteBackup(const std::string& backup_path, const std::string& data_dir, int64_t now,
                                        RestoredPosition* position) {
  // Only the main file is copied: a backup with a WAL beside it would lose what the WAL holds.
  std::error_code error;
  if (fs::exists(backup_path + "-wal", error)) {
    return Status::InvalidArgument(backup_path +
                                   " has a -wal file beside it: it is a live database, not a file "
                                   "`chosa-collector backup` wrote; back it up first and restore that");
  }
  Status status = CheckSqliteDatabase(backup_path);
  if (!status.ok()) return Status(status.code(), "the backup cannot be restored: " + status.message());
  const std::string dir = data_dir.empty() ? "." : data_dir;
  status = CreatePrivateDirectories(dir);
  if (!status.ok()) return status;
  const std::string database = SqliteDatabasePath(dir);
  status = CheckSqliteNotInUse(database);
  if (!status.ok()) return status;

  // The current database is moved aside, never deleted: a wrong restore can be undone.
  std::string aside;
  if (fs::exists(database, error)) {
    aside = database + ".replaced-" + FormatUtc(now, "%Y%m%d-%H%M%S");
    if (fs::exists(aside, error)) return Status::AlreadyExists(aside + " exists: try again in a second");
    fs::rename(database, aside, error);
    if (error) return Status::IOError("cannot move " + database + " aside: " + error.message());
    if (fs::exists(database + "-wal", error)) fs::rename(database + "-wal", aside + "-wal", error);
  }
  fs::remove(database + "-wal", error);
  fs::remove(database + "-shm", error);

  const std::string temporary = database + ".restoring-" + std::to_string(::getpid());
  fs::remove(temporary, error);
  if (!fs::copy_file(backup_path, temporary, error)) {
    return Status::IOError("cannot copy " + backup_path + " into " + dir + ": " + error.message());
  }
  // copy_file gives the copy the backup's mode: the database is its owner's only whatever that was.
  if (::chmod(temporary.c_str(), S_IRUSR | S_IWUSR) != 0) {
    const int failure = errno;
    fs::remove(temporary, error);
    return Status::IOError("cannot make " + temporary + " readable by its owner only: " + std::strerror(failure));
  }
  if (FILE* file = std::fopen(temporary.c_str(), "rb+")) {
    ::fsync(::fileno(file));
    std::fclose(file);
  }
  fs::rename(temporary, database, error);
  if (error) {
    fs::remove(temporary, error);
    return Status::IOError("cannot put the backup in place as " + database + ": " + error.message());
  }
  status = CheckSqliteDatabase(database);
  if (!status.ok()) return status;
  // What was acknowledged before is the old database's: the restored one starts its own record.
  RestoredPosition reset;
  status = ResetSqliteAcknowledged(dir, &reset.before, &reset.restored);
  if (!status.ok()) {
    return Status(status.code(), "the backup is in place, but the acknowledged position could not be set to it (" +
                                     status.message() + "): run the restore again");
  }
  if (position != nullptr) *position = reset;
  return aside;
}

const char kRestoreInstructions[] =
    "Restoring a backup (the file `chosa-collector backup PATH` wrote):\n"
    "  1. Stop the collector (SIGTERM: it finishes the batches in flight, then exits).\n"
    "  2. chosa-collector restore BACKUP --data DIR\n"
    "     It checks the backup, refuses while anything has DIR/collector.sqlite open, moves the\n"
    "     current database aside as DIR/collector.sqlite.replaced-YYYYMMDD-HHMMSS (with its -wal),\n"
    "     copies the backup in as DIR/collector.sqlite, removes stale -wal and -shm files, and sets\n"
    "     the acknowledged position (DIR/collector.acknowledged) to the backup's, saying how many\n"
    "     submissions acknowledged to devices the backup lacks.\n"
    "     By hand, the same: mv DIR/collector.sqlite DIR/collector.sqlite.old;\n"
    "     mv DIR/collector.sqlite-wal DIR/collector.sqlite.old-wal (if present);\n"
    "     rm -f DIR/collector.sqlite-shm; cp BACKUP DIR/collector.sqlite; then start the collector\n"
    "     once with --accept-loss (it refuses a database behind what was acknowledged)\n"
    "  3. Start the collector.\n"
    "Submissions received after the backup was taken are not in it, and the devices that sent them\n"
    "have marked them sent: back up often, and keep the devices' retention of sent submissions\n"
    "(the form's settings.retention_days) longer than the time between backups.\n";

}  // namespace chosa::collector
