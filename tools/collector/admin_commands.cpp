// The administration subcommands of chosa-collector (commands.h), acting on the data directory
// (--data DIR, default ./collector-data) through sync/src/collector/admin.h. They may run while
// the server serves the same directory: SQLite's locks keep them apart.
//
// Secrets (an enrolment code, an analyst token) go alone on standard output, so that a script
// can take them with $(...); what they are for goes to standard error. Text that came from a
// device (its name, a quarantined body) is shown with control characters escaped.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/env.h"
#include "chosa/protocol.h"
#include "chosa/collector/admin.h"
#include "chosa/csv_writer.h"
#include "chosa/collector/export.h"
#include "chosa/collector/sqlite_storage.h"
#include "commands.h"
#include "chosa/base/utf8.h"

namespace chosa::collector_tool {
namespace {

using collector::CollectorStorage;

constexpr char kDefaultDataDir[] = "collector-data";
constexpr int64_t kDayMillis = 24 * 60 * 60 * 1000;

// --- arguments ---------------------------------------------------------------------------------

struct Parsed {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;  // an option taking a value: every value given
  std::vector<std::string> flags;
  std::string data_dir = kDefaultDataDir;
  bool help = false;

  bool Flag(std::string_view name) const {
    for (const std::string& flag : flags) {
      if (flag == name) return true;
    }
    return false;
  }
  const std::string* Value(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second.back();
  }
};

struct Spec {
  std::string name;
  std::string synopsis;  // what follows "chosa-collector NAME"
  std::string description;
  size_t min_positional = 0, max_positional = 0;
  std::vector<std::string> value_options;  // besides --data
  std::vector<std::string> flag_options;
};

void PrintUsage(const Spec& spec, std::FILE* out) {
  std::fprintf(out, "usage: chosa-collector %s%s%s [--data DIR]\n\n%s", spec.name.c_str(),
               spec.synopsis.empty() ? "" : " ", spec.synopsis.c_str(), spec.description.c_str());
  std::fprintf(out, "\n  --data DIR   the collector's data directory (default ./%s)\n", kDefaultDataDir);
}

int UsageError(const Spec& spec, const std::string& message) {
  std::fprintf(stderr, "chosa-collector %s: %s\n", spec.name.c_str(), message.c_str());
  PrintUsage(spec, stderr);
  return 2;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  for (const std::string& entry : list) {
    if (entry == item) return true;
  }
  return false;
}

// Options anywhere among the arguments, as --name VALUE or --name=VALUE; "--" ends them.
bool Parse(const Spec& spec, const Args& args, Parsed* out, std::string* error) {
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      out->positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out->help = true;
      continue;
    }
    std::string name = arg, value;
    const size_t equals = arg.find('=');
    const bool inline_value = equals != std::string::npos;
    if (inline_value) {
      name = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    }
    if (name == "--data" || Contains(spec.value_options, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          *error = name + " needs a value";
          return false;
        }
        value = args[++i];
      }
      if (name == "--data") {
        out->data_dir = value;
      } else {
        out->values[name].push_back(value);
      }
    } else if (Contains(spec.flag_options, name) && !inline_value) {
      out->flags.push_back(name);
    } else {
      *error = "unknown option \"" + arg + "\"";
      return false;
    }
  }
  if (out->positional.size() < spec.min_positional) {
    *error = "missing " + spec.synopsis.substr(0, spec.synopsis.find(' '));
    return false;
  }
  if (out->positional.size() > spec.max_positional) {
    *error = "unexpected argument \"" + out->positional[spec.max_positional] + "\"";
    return false;
  }
  return true;
}

// --- output ------------------------------------------------------------------------------------

// Control characters (C0, DEL, C1) and bytes outside well-formed UTF-8 as \xNN: text from a
// device must not drive the terminal.
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t length = Utf8SequenceLength(text, i);
    const bool control =
        c < 0x20 || c == 0x7F || (c == 0xC2 && length == 2 && static_cast<unsigned char>(text[i + 1]) < 0xA0);
    if (length == 0 || control) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
      ++i;
      continue;
    }
    out.append(text, i, length);
    i += length;
  }
  return out;
}

// Terminal columns: East Asian wide and full-width characters take two.
int DisplayWidth(std::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      ++width;
      ++i;
      continue;
    }
    uint32_t code = static_cast<unsigned char>(text[i]);
    if (length > 1) {
      code &= 0xFFu >> (length + 1);
      for (size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    const bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) ||
                      (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                      (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                      (code >= 0xFFE0 && code <= 0xFFE6) || (code >= 0x20000 && code <= 0x3FFFD);
    width += wide ? 2 : 1;
    i += length;
  }
  return width;
}

// Rows as columns two spaces apart; the first row is the header.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<int> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(static_cast<size_t>(widths[c] - DisplayWidth(row[c]) + 2), ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Local time, "2024-11-03 10:30" (with "+09:00" when `offset`); "-" for 0.
std::string LocalTime(int64_t millis, bool offset = false) {
  if (millis <= 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  std::strftime(text, sizeof text, offset ? "%Y-%m-%d %H:%M %z" : "%Y-%m-%d %H:%M", &local);
  std::string out = text;
  if (offset && out.size() >= 5) out.insert(out.size() - 2, ":");
  return out;
}

int Fail(const Spec& spec, const std::string& message) {
  std::fprintf(stderr, "chosa-collector %s: %s\n", spec.name.c_str(), message.c_str());
  return 1;
}

// --- the storage -------------------------------------------------------------------------------

// The collector's database in `dir`; created only by commands that make something new, so that a
// mistyped --data does not leave an empty collector behind.
std::unique_ptr<CollectorStorage> OpenStorage(const Spec& spec, const std::string& dir, bool create) {
  const std::string path = collector::SqliteDatabasePath(dir);
  if (!create && ::access(path.c_str(), F_OK) != 0) {
    Fail(spec, "there is no collector data in " + dir + " (no " + path +
                   "): give --data DIR, or publish a form first (chosa-collector publish FORM.json --data DIR)");
    return nullptr;
  }
  Result<std::unique_ptr<CollectorStorage>> storage = collector::OpenSqliteStorage(dir);
  if (!storage.ok()) {
    Fail(spec, "cannot open the collector data in " + dir + ": " + storage.status().ToString());
    return nullptr;
  }
  return std::move(storage).value();
}

int64_t Now() { return Env::Default()->NowMillis(); }

// --- the commands ------------------------------------------------------------------------------

int Publish(const Spec& spec, const Parsed& parsed) {
  const std::string& file = parsed.positional[0];
  std::vector<std::string> search_paths;
  if (auto it = parsed.values.find("--search-path"); it != parsed.values.end()) search_paths = it->second;
  auto storage = OpenStorage(spec, parsed.data_dir, true);
  if (!storage) return 1;
  collector::PublishOutcome outcome = collector::PublishForm(*storage, file, search_paths, Now());
  for (const Status& fault : outcome.faults) std::fprintf(stderr, "%s: %s\n", file.c_str(), fault.ToString().c_str());
  if (!outcome.ok()) return Fail(spec, file + ": " + outcome.status.message());
  const collector::FormVersion& version = outcome.version;
  if (outcome.already_published) {
    std::printf("%s version %s is already published with the same content (SHA-256 %s): nothing changed.\n",
                version.form_id.c_str(), version.version.c_str(), version.sha256.c_str());
    return 0;
  }
  std::printf("Published %s version %s (%zu bytes with its code lists, SHA-256 %s).\n", version.form_id.c_str(),
              version.version.c_str(), version.json.size(), version.sha256.c_str());
  Result<collector::FormState> state = storage->GetFormState(version.form_id);
  if (state.ok() && *state != collector::FormState::kOpen) {
    std::printf("The form is %s: devices see it after `chosa-collector reopen %s`.\n", collector::FormStateName(*state),
                version.form_id.c_str());
  } else {
    std::printf("Devices enrolled for %s get it at their next sync.\n", version.form_id.c_str());
  }
  return 0;
}

int Forms(const Spec& spec, const Parsed& parsed) {
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Result<std::vector<collector::FormSummary>> listed = storage->ListForms();
  if (!listed.ok()) return Fail(spec, listed.status().ToString());
  const std::vector<collector::FormSummary>& forms = *listed;
  if (forms.empty()) {
    std::printf("No forms published in %s yet: chosa-collector publish FORM.json\n", parsed.data_dir.c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"FORM", "STATE", "SUBMISSIONS", "QUARANTINED", "VERSIONS"}};
  for (const auto& form : forms) {
    rows.push_back({form.form_id, collector::FormStateName(form.state), std::to_string(form.submissions),
                    std::to_string(form.quarantined), Join(form.versions)});
  }
  PrintTable(rows);
  return 0;
}

int SetState(const Spec& spec, const Parsed& parsed, collector::FormState state) {
  const std::string& form_id = parsed.positional[0];
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Status status = storage->SetFormState(form_id, state);
  if (!status.ok()) return Fail(spec, status.message());
  switch (state) {
    case collector::FormState::kClosed:
      std::printf("Closed %s: devices no longer see it; submissions already filled are still accepted.\n",
                  form_id.c_str());
      break;
    case collector::FormState::kArchived:
      std::printf("Archived %s: devices no longer see it and its pushes are rejected; its data stays.\n",
                  form_id.c_str());
      break;
    case collector::FormState::kOpen:
      std::printf("Reopened %s: devices enrolled for it see it again.\n", form_id.c_str());
      break;
  }
  return 0;
}

int EnrolCode(const Spec& spec, const Parsed& parsed) {
  const std::string* forms_text = parsed.Value("--forms");
  if (forms_text == nullptr) return UsageError(spec, "--forms is required: the forms the device will fill");
  std::vector<std::string> forms;
  size_t start = 0;
  while (start <= forms_text->size()) {
    size_t comma = forms_text->find(',', start);
    if (comma == std::string::npos) comma = forms_text->size();
    std::string form = forms_text->substr(start, comma - start);
    const size_t first = form.find_first_not_of(' ');
    form = first == std::string::npos ? "" : form.substr(first, form.find_last_not_of(' ') - first + 1);
    if (!form.empty()) forms.push_back(form);
    start = comma + 1;
  }
  if (forms.empty()) return UsageError(spec, "--forms names no form");
  int64_t days = 7;
  if (const std::string* text = parsed.Value("--valid-days")) {
    char* end = nullptr;
    days = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || days < 1 || days > 365) {
      return UsageError(spec, "--valid-days takes a whole number of days from 1 to 365, not \"" + *text + "\"");
    }
  }
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Result<collector::EnrolmentCode> code = collector::CreateEnrolmentCode(*storage, forms, days * kDayMillis, Now());
  if (!code.ok()) return Fail(spec, code.status().message());
  std::printf("%s\n", code->code.c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "Enrolment code for %s, valid until %s (%lld day%s), for one device.\n"
               "Shown once: the collector keeps only its hash.\n",
               Join(code->forms).c_str(), LocalTime(code->expires_at, true).c_str(), static_cast<long long>(days),
               days == 1 ? "" : "s");
  return 0;
}

// Lists the stored submissions that were never re-validated against their form version; exit
// status 1 when there are any, so that a script notices.
int Check(const Spec& spec, const Parsed& parsed) {
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Result<std::vector<collector::StoredSubmission>> unchecked = storage->NotRevalidated();
  if (!unchecked.ok()) return Fail(spec, unchecked.status().ToString());
  if (unchecked->empty()) {
    std::printf("Every stored submission was re-validated against its form version when it was stored.\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"UUID", "FORM", "VERSION", "DEVICE", "RECEIVED"}};
  for (const auto& stored : *unchecked) {
    rows.push_back({stored.uuid, stored.form_id, Printable(stored.form_version), stored.device_id,
                    LocalTime(stored.received_at)});
  }
  PrintTable(rows);
  std::printf("%zu stored submission%s never re-validated against %s form version: released from quarantine by\n"
              "the bureau, or stored unchecked by an older collector (a form with settings.public_key).\n",
              unchecked->size(), unchecked->size() == 1 ? " was" : "s were", unchecked->size() == 1 ? "its" : "their");
  return 1;
}

int Devices(const Spec& spec, const Parsed& parsed) {
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Result<std::vector<collector::Device>> listed = storage->ListDevices();
  if (!listed.ok()) return Fail(spec, listed.status().ToString());
  const std::vector<collector::Device>& devices = *listed;
  if (devices.empty()) {
    std::printf("No devices enrolled yet: chosa-collector enrol-code --forms FORM_ID makes a code for one.\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"DEVICE", "NAME", "FORMS", "ENROLLED", "LAST PUSH", "STATUS"}};
  size_t revoked = 0;
  for (const auto& device : devices) {
    revoked += device.revoked ? 1 : 0;
    rows.push_back({device.device_id, device.name.empty() ? "-" : Printable(device.name), Join(device.forms),
                    LocalTime(device.enrolled_at), device.last_seen_at == 0 ? "never" : LocalTime(device.last_seen_at),
                    device.revoked ? "revoked" : "active"});
  }
  PrintTable(rows);
  std::printf("%zu device%s, %zu revoked.\n", devices.size(), devices.size() == 1 ? "" : "s", revoked);
  return 0;
}

int Revoke(const Spec& spec, const Parsed& parsed) {
  const std::string& device_id = parsed.positional[0];
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Status status = storage->RevokeDevice(device_id);
  if (!status.ok()) return Fail(spec, status.message());
  std::printf("Revoked %s: its token is refused from now on (401). A new enrolment code enrols it again.\n",
              device_id.c_str());
  return 0;
}

int AnalystToken(const Spec& spec, const Parsed& parsed) {
  const std::string& name = parsed.positional[0];
  auto storage = OpenStorage(spec, parsed.data_dir, true);
  if (!storage) return 1;
  Result<std::string> token = collector::CreateAnalystToken(*storage, name);
  if (!token.ok()) return Fail(spec, token.status().message());
  std::printf("%s\n", token->c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "Analyst token for %s (send it as \"Authorization: Bearer TOKEN\").\n"
               "Shown once: the collector keeps only its hash.\n",
               name.c_str());
  return 0;
}

int AnalystTokens(const Spec& spec, const Parsed& parsed) {
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Result<std::vector<collector::AnalystToken>> listed = storage->ListAnalystTokens();
  if (!listed.ok()) return Fail(spec, listed.status().ToString());
  if (listed->empty()) {
    std::printf("No analyst tokens yet: chosa-collector analyst-token NAME makes one.\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "CREATED", "STATUS"}};
  for (const collector::AnalystToken& token : *listed) {
    rows.push_back({Printable(token.name), LocalTime(token.created_at), token.revoked ? "revoked" : "active"});
  }
  PrintTable(rows);
  return 0;
}

int RevokeAnalyst(const Spec& spec, const Parsed& parsed) {
  const std::string& name = parsed.positional[0];
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Status status = storage->RevokeAnalystToken(name);
  if (!status.ok()) return Fail(spec, status.message());
  std::printf("Revoked the analyst token %s: it is refused from now on (401).\n", name.c_str());
  return 0;
}

// A file written whole or not at all: bytes go to PATH.partial, renamed to PATH by Commit().
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
    file_ = std::fopen(partial_.c_str(), "wb");
  }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) std::remove(partial_.c_str());
  }
  bool ok() const { return file_ != nullptr; }
  bool Write(std::string_view bytes) { return std::fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size(); }
  bool Commit() {
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    committed_ = closed && std::rename(partial_.c_str(), path_.c_str()) == 0;
    return committed_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_, partial_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

int Export(const Spec& spec, const Parsed& parsed) {
  const std::string& form_id = parsed.positional[0];
  collector::ExportOptions options;
  if (const std::string* since = parsed.Value("--since")) {
    Result<int64_t> position = protocol::DecodeCursor(*since);
    if (!position.ok()) return UsageError(spec, position.status().message());
    options.after = *position;
  }
  options.all_versions = parsed.Flag("--all-versions");
  const std::string format = parsed.Value("--format") ? *parsed.Value("--format") : "jsonl";
  if (format != "jsonl" && format != "csv" && format != "xlsx") return UsageError(spec, "--format is jsonl, csv or xlsx");
  const std::string* out_dir = parsed.Value("--out");
  const std::string* table_name = parsed.Value("--table");
  const std::string* labels = parsed.Value("--labels");
  if (format == "jsonl" && (table_name || labels)) return UsageError(spec, "--table and --labels go with --format csv or xlsx");
  if (format == "xlsx" && (!out_dir || table_name)) {
    return UsageError(spec, "--format xlsx writes every table into the workbook DIR/" + form_id + ".xlsx: give --out DIR");
  }
  if (out_dir && table_name) return UsageError(spec, "--out writes every table; --table picks one for standard output");
  // --out is a directory whatever the format: DIR/FORM.jsonl, DIR/FORM.csv (and DIR/FORM-REPEAT.csv), DIR/FORM.xlsx.
  struct stat out_stat;
  if (out_dir && (::stat(out_dir->c_str(), &out_stat) != 0 || !S_ISDIR(out_stat.st_mode))) {
    return Fail(spec, "--out takes a directory (the export goes into DIR/" + form_id + "." + format + "); " + *out_dir +
                          " is not a directory");
  }
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  auto write_stdout = [](std::string_view bytes) {
    return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
  };
  auto finished = [&](int64_t exported, int64_t end) {
    std::fprintf(stderr, "%lld submissions of %s. The next export of what arrives later: --since %s\n",
                 static_cast<long long>(exported), form_id.c_str(), protocol::EncodeCursor(end).c_str());
    return 0;
  };

  if (format == "jsonl") {
    Result<collector::SubmissionExport> dataset = collector::SubmissionExport::Begin(*storage, form_id, options);
    if (!dataset.ok()) return Fail(spec, dataset.status().message());  // no such form, said as such
    // Into DIR/FORM.jsonl with --out, else on standard output.
    std::unique_ptr<OutputFile> file;
    if (out_dir) {
      file = std::make_unique<OutputFile>(*out_dir + "/" + form_id + ".jsonl");
      if (!file->ok()) return Fail(spec, "cannot write " + file->path());
    }
    auto write = [&](std::string_view bytes) { return file ? file->Write(bytes) : write_stdout(bytes); };
    while (dataset->NextPage([&](const collector::StoredSubmission& stored) { return write(collector::ExportLine(stored)); })) {
    }
    const bool written = file ? file->Commit() : std::fflush(stdout) == 0;
    if (!dataset->status().ok() || !written) {
      return Fail(spec, dataset->status().ok() ? "cannot write the export" : dataset->status().ToString());
    }
    if (file) std::fprintf(stderr, "Wrote %s\n", file->path().c_str());
    return finished(dataset->exported(), dataset->end());
  }

  Result<std::unique_ptr<collector::TablesExport>> begun =
      collector::TablesExport::Begin(*storage, form_id, options, labels ? *labels : "");
  if (!begun.ok()) {
    // An unknown form fails (1); a language the form does not have is a usage error (2).
    if (begun.status().code() == StatusCode::kInvalidArgument) return UsageError(spec, begun.status().message());
    return Fail(spec, begun.status().message());
  }
  collector::TablesExport& dataset = **begun;
  if (format == "xlsx") {
    const std::string workbook = *out_dir + "/" + form_id + ".xlsx";
    Status written = collector::WriteWorkbook(dataset, workbook);
    if (!written.ok()) return Fail(spec, written.ToString());
    std::fprintf(stderr, "Wrote %s\n", workbook.c_str());
    return finished(dataset.exported(), dataset.end());
  }
  const auto& tables = dataset.layout().tables();

  // Where each table goes: every table into its file under --out, or one to standard output.
  std::vector<std::unique_ptr<OutputFile>> files(tables.size());
  std::vector<std::unique_ptr<analysis::CsvWriter>> writers(tables.size());
  if (out_dir) {
    for (size_t t = 0; t < tables.size(); ++t) {
      files[t] = std::make_unique<OutputFile>(*out_dir + "/" + form_id + (t == 0 ? "" : "-" + tables[t].name) + ".csv");
      if (!files[t]->ok()) return Fail(spec, "cannot write " + files[t]->path());
      OutputFile* file = files[t].get();
      writers[t] = std::make_unique<analysis::CsvWriter>([file](std::string_view bytes) { return file->Write(bytes); });
    }
  } else {
    const int32_t t = table_name ? dataset.layout().RepeatTable(*table_name) : 0;
    if (t == kNone) return UsageError(spec, "form " + form_id + " has no repeat " + *table_name);
    writers[static_cast<size_t>(t)] = std::make_unique<analysis::CsvWriter>(write_stdout);
  }
  for (size_t t = 0; t < tables.size(); ++t) {
    if (writers[t]) writers[t]->WriteHeader(tables[t]);
  }
  while (dataset.NextPage([&](const analysis::SubmissionRows& rows) {
    bool ok = !writers[0] || writers[0]->WriteRow(rows.main);
    for (size_t t = 1; t < tables.size() && ok; ++t) {
      if (!writers[t]) continue;
      for (size_t i = 0; i < rows.repeats[t].count && ok; ++i) ok = writers[t]->WriteRow(rows.repeats[t].rows[i]);
    }
    return ok;
  })) {
  }
  bool written = dataset.status().ok();
  for (auto& writer : writers) written = written && (!writer || writer->Flush());
  if (!out_dir) written = written && std::fflush(stdout) == 0;
  for (auto& file : files) written = written && (!file || file->Commit());
  if (!written) return Fail(spec, dataset.status().ok() ? "cannot write the export" : dataset.status().ToString());
  if (out_dir) {
    for (auto& file : files) std::fprintf(stderr, "Wrote %s\n", file->path().c_str());
  }
  return finished(dataset.exported(), dataset.end());
}

bool ParseId(const std::string& text, int64_t* id) {
  char* end = nullptr;
  *id = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && *id > 0;
}

int Quarantine(const Spec& spec, const Parsed& parsed) {
  const std::string action = parsed.positional.empty() ? "list" : parsed.positional[0];
  if (action != "list" && action != "show" && action != "release") {
    return UsageError(spec, "unknown action \"" + action + "\" (list, show or release)");
  }
  if (action == "list" && parsed.positional.size() > 1) {
    return UsageError(spec, "unexpected argument \"" + parsed.positional[1] + "\"");
  }
  int64_t id = 0;
  if (action != "list" && (parsed.positional.size() != 2 || !ParseId(parsed.positional[1], &id))) {
    return UsageError(spec, action + " takes the id of a quarantined item (a number, as `quarantine list` shows)");
  }
  if (parsed.Flag("--all") && action != "list") return UsageError(spec, "--all goes with list");
  if (parsed.Flag("--body") && action != "show") return UsageError(spec, "--body goes with show");
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;

  if (action == "list") {
    const bool all = parsed.Flag("--all");
    Result<std::vector<collector::QuarantinedItem>> listed = storage->ListQuarantine(all);
    if (!listed.ok()) return Fail(spec, listed.status().ToString());
    const std::vector<collector::QuarantinedItem>& items = *listed;
    if (items.empty()) {
      std::printf(all ? "The quarantine is empty.\n" : "No submissions are held in quarantine.\n");
      return 0;
    }
    std::vector<std::vector<std::string>> rows{{"ID", "RECEIVED", "DEVICE", "FORM", "UUID", "STATE", "REASON"}};
    for (const auto& item : items) {
      std::string form = item.form_id.empty() ? "-" : Printable(item.form_id + " " + item.form_version);
      rows.push_back({std::to_string(item.id), LocalTime(item.received_at), item.device_id, form,
                      item.uuid.empty() ? "-" : Printable(item.uuid), item.released ? "released" : "held",
                      Printable(item.reason)});
    }
    PrintTable(rows);
    std::printf("`chosa-collector quarantine show ID` prints one; `release ID` keeps it as a submission.\n");
    return 0;
  }

  if (action == "show") {
    Result<collector::QuarantinedItem> item = storage->GetQuarantined(id);
    if (!item.ok()) return Fail(spec, item.status().message());
    if (parsed.Flag("--body")) {
      std::fwrite(item->body.data(), 1, item->body.size(), stdout);  // the exact bytes received
      return 0;
    }
    std::printf("Quarantined item %lld\n", static_cast<long long>(item->id));
    std::printf("  received  %s\n", LocalTime(item->received_at, true).c_str());
    std::printf("  device    %s\n", item->device_id.c_str());
    std::printf("  form      %s\n",
                item->form_id.empty() ? "-" : Printable(item->form_id + " version " + item->form_version).c_str());
    std::printf("  uuid      %s\n", item->uuid.empty() ? "- (unreadable)" : Printable(item->uuid).c_str());
    std::printf("  reason    %s\n", Printable(item->reason).c_str());
    std::printf("  state     %s\n", item->released ? "released (stored as a submission)" : "held");
    std::printf("  body      %zu bytes (--body prints them exactly):\n%s\n", item->body.size(),
                Printable(item->body).c_str());
    return 0;
  }

  Status released = storage->ReleaseQuarantined(id, Now());
  if (!released.ok()) return Fail(spec, released.message());
  std::printf("Released quarantined item %lld: it is stored as a submission and goes into the exports.\n",
              static_cast<long long>(id));
  return 0;
}

int Backup(const Spec& spec, const Parsed& parsed) {
  const std::string& path = parsed.positional[0];
  auto storage = OpenStorage(spec, parsed.data_dir, false);
  if (!storage) return 1;
  Status status = storage->Backup(path);
  if (!status.ok()) return Fail(spec, status.message());
  std::printf("Backed up %s into %s (checked; readable by its owner only).\n",
              collector::SqliteDatabasePath(parsed.data_dir).c_str(), path.c_str());
  std::printf("To restore it: stop the collector, then chosa-collector restore %s --data %s\n", path.c_str(),
              parsed.data_dir.c_str());
  return 0;
}

int Restore(const Spec& spec, const Parsed& parsed) {
  const std::string& backup = parsed.positional[0];
  Result<std::string> aside = collector::RestoreSqliteBackup(backup, parsed.data_dir, Now());
  if (!aside.ok()) return Fail(spec, aside.status().message());
  std::printf("Restored %s as %s.\n", backup.c_str(), collector::SqliteDatabasePath(parsed.data_dir).c_str());
  if (!aside->empty()) std::printf("The database it replaced is kept as %s.\n", aside->c_str());
  std::printf("Start the collector again.\n");
  return 0;
}

struct Command {
  Spec spec;
  std::function<int(const Spec&, const Parsed&)> run;
};

// One command per entry reads better than one field per line.
// clang-format off
const std::vector<Command>& AllCommands() {
  static const std::vector<Command> kCommands = {
      {{"publish", "FORM.json [--search-path DIR]...",
        "Checks a form version with the engine (every fault with its JSON Pointer), replaces its\n"
        "{\"$ref\": ...} choice lists by the code lists (looked up beside the form, then in each\n"
        "--search-path) and publishes it. A published version never changes: publishing it again is\n"
        "accepted only with the same content. A new version may not give a question of an earlier\n"
        "version another type.\n",
        1, 1, {"--search-path"}, {}},
       Publish},
      {{"forms", "", "Lists the published forms: state, submissions, quarantined items and versions.\n", 0, 0, {}, {}},
       Forms},
      {{"check", "",
        "Lists the stored submissions that were never re-validated against their form version\n"
        "(released from quarantine, or stored unchecked by an older collector). Exit status 1 if any.\n",
        0, 0, {}, {}},
       Check},
      {{"close", "FORM_ID",
        "Closes a form (e.g. after the half-year): devices no longer see it; submissions already\n"
        "filled are still accepted.\n",
        1, 1, {}, {}},
       [](const Spec& spec, const Parsed& parsed) { return SetState(spec, parsed, collector::FormState::kClosed); }},
      {{"archive", "FORM_ID",
        "Archives a form: devices no longer see it and its pushes are rejected (into the quarantine);\n"
        "its data stays for export.\n",
        1, 1, {}, {}},
       [](const Spec& spec, const Parsed& parsed) { return SetState(spec, parsed, collector::FormState::kArchived); }},
      {{"reopen", "FORM_ID", "Opens a closed or archived form again: devices enrolled for it see it.\n", 1, 1, {}, {}},
       [](const Spec& spec, const Parsed& parsed) { return SetState(spec, parsed, collector::FormState::kOpen); }},
      {{"enrol-code", "--forms FORM_ID[,FORM_ID...] [--valid-days N]",
        "Makes a one-time code that enrols one device for these forms, valid N days (default 7, at\n"
        "most 365). The code goes alone on standard output; the collector keeps only its hash.\n",
        0, 0, {"--forms", "--valid-days"}, {}},
       EnrolCode},
      {{"devices", "", "Lists the enrolled devices: name, forms, enrolment, last push, revoked or not.\n", 0, 0, {}, {}},
       Devices},
      {{"revoke", "DEVICE_ID", "Revokes a device: its token is refused from now on (401).\n", 1, 1, {}, {}}, Revoke},
      {{"analyst-token", "NAME",
        "Makes a token for an analyst (exports) named NAME. The token goes alone on standard output;\n"
        "the collector keeps only its hash.\n",
        1, 1, {}, {}},
       AnalystToken},
      {{"analyst-tokens", "", "Lists the analyst tokens: name, when made, revoked or not.\n", 0, 0, {}, {}},
       AnalystTokens},
      {{"revoke-analyst", "NAME", "Revokes an analyst token: it is refused from now on (401).\n", 1, 1, {}, {}},
       RevokeAnalyst},
      {{"quarantine", "[list [--all] | show ID [--body] | release ID]",
        "Rejected submissions are kept in the quarantine, never dropped. list: those held (--all: the\n"
        "released ones too); show: one, with its reason and body (--body: the exact bytes only);\n"
        "release: store it as a submission after all (its UUID must not be stored already).\n",
        0, 2, {}, {"--all", "--body"}},
       Quarantine},
      {{"export", "FORM_ID [--since CURSOR] [--all-versions] [--format jsonl|csv|xlsx] [--out DIR | --table REPEAT] [--labels LANG]",
        "Writes the form's submissions in the order they arrived, all versions of the form in one\n"
        "dataset, keeping the latest of each correction chain (--all-versions: every submission).\n"
        "--out DIR, an existing directory, takes the files whatever the format: each is written\n"
        "beside as .partial and renamed when complete.\n"
        "jsonl (default): {\"received_at\", \"device_id\", \"submission\"} per line on standard output\n"
        "(--out: into DIR/FORM.jsonl), the submission exactly as received. csv: the main table on\n"
        "standard output (--table: a repeat's), or with --out every table into DIR/FORM.csv and\n"
        "DIR/FORM-REPEAT.csv; one column per question, a select_multiple's list and a 0/1 column per\n"
        "choice, choices as values (--labels LANG: as labels). xlsx (needs --out): an Excel workbook\n"
        "DIR/FORM.xlsx, a sheet per table (past 1,048,576 rows a table goes on in a next sheet) and\n"
        "one describing the questions.\n"
        "Standard error ends with the cursor that exports only what\n"
        "arrives after these (--since).\n",
        1, 1, {"--since", "--format", "--out", "--table", "--labels"}, {"--all-versions"}},
       Export},
      {{"backup", "PATH",
        "Copies the collector's database into PATH, a new file, while the collector runs (SQLite's\n"
        "online backup: a consistent snapshot), and checks the copy.\n\n" +
            std::string(collector::kRestoreInstructions),
        1, 1, {}, {}},
       Backup},
      {{"restore", "BACKUP", std::string(collector::kRestoreInstructions), 1, 1, {}, {}}, Restore},
  };
  return kCommands;
}
// clang-format on

}  // namespace

bool IsAdminCommand(const std::string& name) {
  for (const Command& command : AllCommands()) {
    if (command.spec.name == name) return true;
  }
  return false;
}

int AdminCommand(const std::string& name, const Args& args) {
  for (const Command& command : AllCommands()) {
    if (command.spec.name != name) continue;
    Parsed parsed;
    std::string error;
    const bool ok = Parse(command.spec, args, &parsed, &error);
    if (parsed.help) {
      PrintUsage(command.spec, stdout);
      return 0;
    }
    if (!ok) return UsageError(command.spec, error);
    return command.run(command.spec, parsed);
  }
  std::fprintf(stderr, "chosa-collector: unknown command \"%s\"\n", name.c_str());
  return 2;
}

}  // namespace chosa::collector_tool
