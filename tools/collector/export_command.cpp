// chosa-collector export: a form's dataset as JSON Lines, CSV or an Excel workbook, whole or only
// what arrived after a cursor (commands.h, admin_common.h).
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "admin_common.h"
#include "chosa/collector_storage.h"
#include "chosa/base/private_file.h"
#include "chosa/csv_writer.h"
#include "chosa/protocol.h"
#include "chosa/collector/export.h"

namespace chosa::collector_tool {
namespace {

// A file written whole or not at all: bytes go to PATH.partial, renamed to PATH by Commit().
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
    file_ = OpenPrivateFile(partial_, "wb");  // people's answers: the owner's only
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

const AdminSpec& ExportSpec() {
  static const AdminSpec spec = MakeAdminSpec(
      "export", "FORM_ID [--since CURSOR] [--all-versions] [--format jsonl|csv|xlsx] [--out DIR | --table REPEAT] [--labels LANG]",
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
        "arrives after these (--since). With --since, the files are named FORM-since-CURSOR.EXT\n"
        "(and FORM-REPEAT-since-CURSOR.csv), never replacing a whole export's; a cursor past\n"
        "everything the collector holds (another collector's, or one from before a restore) is\n"
        "refused.\n",
        1, 1, {"--since", "--format", "--out", "--table", "--labels"}, {"--all-versions"});
  return spec;
}

// DIR/FORM[-REPEAT][-since-CURSOR].EXT: an export of what came after a cursor never replaces the
// whole export's file beside it.
std::string OutputPath(const std::string& dir, const std::string& form_id, const std::string& table,
                       const collector::ExportOptions& options, const char* extension) {
  return dir + "/" + form_id + (table.empty() ? "" : "-" + table) +
         (options.after > 0 ? "-since-" + protocol::EncodeCursor(options.after) : "") + extension;
}

int Export(const AdminSpec& spec, const cli::ParsedArgs& parsed) {
  const std::string& form_id = parsed.positionals[0];
  collector::ExportOptions options;
  if (const std::string* since = parsed.Value("--since")) {
    Result<int64_t> position = protocol::DecodeCursor(*since);
    if (!position.ok()) return UsageError(spec, position.status().message());
    options.after = *position;
  }
  options.all_versions = parsed.Has("--all-versions");
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
  auto storage = OpenStorage(spec, DataDir(parsed), false);
  if (!storage) return 1;
  auto write_stdout = [](std::string_view bytes) {
    return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
  };
  auto finished = [&](int64_t exported, int64_t end) {
    std::fprintf(stderr, "%lld submission%s of %s. The next export of what arrives later: --since %s\n",
                 static_cast<long long>(exported), exported == 1 ? "" : "s", form_id.c_str(),
                 protocol::EncodeCursor(end).c_str());
    return 0;
  };

  if (format == "jsonl") {
    Result<collector::SubmissionExport> dataset = collector::SubmissionExport::Begin(*storage, form_id, options);
    if (!dataset.ok()) return Fail(spec, dataset.status().message());  // no such form, said as such
    // Into DIR/FORM.jsonl with --out, else on standard output.
    std::unique_ptr<OutputFile> file;
    if (out_dir) {
      file = std::make_unique<OutputFile>(OutputPath(*out_dir, form_id, "", options, ".jsonl"));
      if (!file->ok()) return Fail(spec, "cannot write " + file->path());
    }
    auto write = [&](std::string_view bytes) { return file ? file->Write(bytes) : write_stdout(bytes); };
    while (dataset->NextPage([&](const collector::StoredSubmission& stored) { return write(dataset->Line(stored)); })) {
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
    const std::string workbook = OutputPath(*out_dir, form_id, "", options, ".xlsx");
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
      files[t] = std::make_unique<OutputFile>(OutputPath(*out_dir, form_id, t == 0 ? "" : tables[t].name, options, ".csv"));
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

}  // namespace

int ExportCommand(const Args& args) { return RunAdmin(ExportSpec(), args, Export); }

}  // namespace chosa::collector_tool
