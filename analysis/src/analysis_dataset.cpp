#include "chosa/analysis_dataset.h"

#include "chosa/base/private_file.h"
#include <cmath>
#include <cstdio>
#include <set>

#include "chosa/csv_writer.h"
#include "chosa/xlsx_writer.h"
#include "chosa/sqlite/sqlite_handle.h"

namespace chosa::analysis {
namespace {

constexpr int64_t kApplicationId = 0x63686461;  // "chda": a chosa analysis dataset
constexpr int64_t kSchemaVersion = 1;

constexpr const char* kSchema = R"SQL(
CREATE TABLE dataset_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE form_versions (
  position INTEGER PRIMARY KEY,     -- the order versions were added: oldest first
  version TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL,
  definition TEXT NOT NULL          -- as published: self-contained form JSON
);
-- The main table; its question columns are added as versions come (ALTER TABLE).
CREATE TABLE submissions (
  _seq INTEGER PRIMARY KEY,         -- the order submissions were added
  _received_ms INTEGER NOT NULL,
  _body TEXT NOT NULL,              -- the submission's canonical bytes, as received
  "_uuid" TEXT NOT NULL UNIQUE, "_form_version" TEXT, "_device_id" TEXT, "_enumerator_id" TEXT,
  "_started_at" TEXT, "_ended_at" TEXT, "_received_at" TEXT, "_received_from" TEXT, "_replaces" TEXT
);
-- Every UUID some submission corrects: kept out of a latest-only dataset even if it comes later.
CREATE TABLE replaced (uuid TEXT PRIMARY KEY) WITHOUT ROWID;
)SQL";

std::string Quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string TableName(const Table& table) { return table.name.empty() ? "submissions" : "repeat_" + table.name; }

void BindCell(Statement& statement, int index, const Cell& cell) {
  switch (cell.kind) {
    case CellKind::kNotRelevant: statement.BindNull(index); return;
    case CellKind::kEmpty: statement.Bind(index, std::string_view()); return;
    case CellKind::kNumber:
      if (std::trunc(cell.number) == cell.number && std::fabs(cell.number) < 9007199254740992.0) {
        statement.Bind(index, static_cast<int64_t>(cell.number));
      } else {
        sqlite3_bind_double(statement.get(), index, cell.number);
      }
      return;
    default: statement.Bind(index, cell.text); return;
  }
}

}  // namespace

struct AnalysisDataset::Db {
  Connection connection;
  std::string path;
};

AnalysisDataset::AnalysisDataset() : db_(std::make_unique<Db>()) {}
AnalysisDataset::~AnalysisDataset() = default;

Result<std::unique_ptr<AnalysisDataset>> AnalysisDataset::Open(const std::string& path, std::string_view form_id,
                                                               bool all_versions) {
  std::unique_ptr<AnalysisDataset> dataset(new AnalysisDataset());
  dataset->db_->path = path;
  Connection& db = dataset->db_->connection;
  Status status = db.Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!status.ok()) return status;
  status = db.Exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                   "opening the dataset " + path);
  if (!status.ok()) return status;
  Result<int64_t> application = db.QueryInt("PRAGMA application_id", "reading " + path);
  if (!application.ok()) return application.status();
  if (*application == 0) {
    Result<int64_t> tables = db.QueryInt("SELECT COUNT(*) FROM sqlite_master", "reading " + path);
    if (!tables.ok()) return tables.status();
    if (*tables != 0) return Status::InvalidArgument(path + " is an SQLite file, but not a chosa dataset");
    status = db.Exec("BEGIN IMMEDIATE;" + std::string(kSchema), "creating the dataset " + path);
    if (!status.ok()) return status;
    Statement info(db.get(), "INSERT INTO dataset_info VALUES ('form_id', ?), ('all_versions', ?), ('cursor', '')");
    info.Bind(1, form_id).Bind(2, all_versions ? "true" : "false");
    const int code = info.ok() ? info.Step() : info.prepare_code();
    status = code == SQLITE_DONE ? Status::Ok() : SqliteStatus(db.get(), code, "creating the dataset " + path);
    if (status.ok()) {
      status = db.Exec("PRAGMA application_id = " + std::to_string(kApplicationId) + "; PRAGMA user_version = " +
                           std::to_string(kSchemaVersion) + "; COMMIT;",
                       "creating the dataset " + path);
    }
    if (!status.ok()) {
      IgnoreError(db.Exec("ROLLBACK", "abandoning the dataset"), "the failure that made it roll back is returned");
      return status;
    }
  }
  status = dataset->Load();
  if (!status.ok()) return status;
  if (dataset->form_id_ != form_id) {
    return Status::InvalidArgument(path + " is the dataset of form " + dataset->form_id_ + ", not " +
                                   std::string(form_id));
  }
  if (dataset->all_versions_ != all_versions) {
    return Status::InvalidArgument(path + (dataset->all_versions_
                                               ? " keeps every version of corrected submissions: pull it with --all-versions"
                                               : " keeps only the latest of each correction: pull it without --all-versions"));
  }
  return dataset;
}

Result<std::unique_ptr<AnalysisDataset>> AnalysisDataset::OpenExisting(const std::string& path) {
  std::unique_ptr<AnalysisDataset> dataset(new AnalysisDataset());
  dataset->db_->path = path;
  Status status = dataset->db_->connection.Open(path, SQLITE_OPEN_READWRITE);
  if (!status.ok()) return Status::NotFound("no dataset " + path + ": " + status.message());
  status = dataset->db_->connection.Exec("PRAGMA busy_timeout = 5000;", "opening " + path);
  if (!status.ok()) return status;
  status = dataset->Load();
  if (!status.ok()) return status;
  return dataset;
}

Status AnalysisDataset::Load() {
  Connection& db = db_->connection;
  Result<int64_t> application = db.QueryInt("PRAGMA application_id", "reading " + db_->path);
  if (!application.ok()) return application.status();
  if (*application != kApplicationId) return Status::InvalidArgument(db_->path + " is not a chosa dataset");
  Result<int64_t> version = db.QueryInt("PRAGMA user_version", "reading " + db_->path);
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return Status::Unsupported(db_->path + " was written by a newer chosa (dataset schema " +
                               std::to_string(*version) + ")");
  }
  Statement info(db.get(), "SELECT key, value FROM dataset_info");
  while (info.ok() && info.Step() == SQLITE_ROW) {
    const std::string key = info.Text(0);
    if (key == "form_id") form_id_ = info.Text(1);
    if (key == "all_versions") all_versions_ = info.Text(1) == "true";
    if (key == "cursor") cursor_ = info.Text(1);
  }
  if (form_id_.empty()) return Status::Corruption(db_->path + " names no form");
  versions_.clear();
  definitions_.clear();
  Statement versions(db.get(), "SELECT version, sha256, definition FROM form_versions ORDER BY position");
  while (versions.ok() && versions.Step() == SQLITE_ROW) {
    versions_.push_back({versions.Text(0), versions.Text(1)});
    definitions_.push_back(versions.Text(2));
  }
  return versions_.empty() ? Status::Ok() : BuildLayout();
}

Status AnalysisDataset::BuildLayout() {
  std::vector<std::shared_ptr<const Form>> forms;
  for (size_t i = 0; i < definitions_.size(); ++i) {
    FormLoadResult loaded = Form::Load(definitions_[i]);
    if (!loaded.ok()) {
      return Status::InvalidArgument("version " + versions_[i].version + " of form " + form_id_ + " does not load: " +
                                     (loaded.faults.empty() ? "" : loaded.faults[0].ToString()));
    }
    forms.push_back(std::move(loaded.form));
  }
  Result<DatasetLayout> layout = DatasetLayout::FromForms(std::move(forms));
  if (!layout.ok()) return layout.status();
  layout_ = std::make_unique<DatasetLayout>(std::move(layout).value());
  return Status::Ok();
}

Result<const DatasetLayout*> AnalysisDataset::layout() const {
  if (!layout_) return Status::NotFound("the dataset of " + form_id_ + " has no form version yet");
  return layout_.get();
}

// Creates the tables and columns of the layout that the file does not have yet.
Status AnalysisDataset::AddColumns() {
  Connection& db = db_->connection;
  for (const Table& table : layout_->tables()) {
    const std::string name = TableName(table);
    std::set<std::string> existing;
    Statement columns(db.get(), "SELECT name FROM pragma_table_info(?)");
    columns.Bind(1, name);
    while (columns.ok() && columns.Step() == SQLITE_ROW) existing.insert(columns.Text(0));
    if (existing.empty()) {
      Status status = db.Exec("CREATE TABLE " + Quoted(name) +
                                  " (\"_submission_uuid\" TEXT NOT NULL, \"_position\" INTEGER NOT NULL);"
                                  "CREATE INDEX " + Quoted(name + "_by_submission") + " ON " + Quoted(name) +
                                  " (\"_submission_uuid\");",
                              "adding the table of repeat " + table.name);
      if (!status.ok()) return status;
      existing = {"_submission_uuid", "_position"};
    }
    for (const Column& column : table.columns) {
      if (existing.count(column.name) != 0) continue;
      Status status = db.Exec("ALTER TABLE " + Quoted(name) + " ADD COLUMN " + Quoted(column.name),
                              "adding column " + column.name);
      if (!status.ok()) return status;
    }
  }
  return Status::Ok();
}

Status AnalysisDataset::AddFormVersion(const DatasetVersion& version, std::string_view definition) {
  for (const DatasetVersion& known : versions_) {
    if (known.version != version.version) continue;
    if (known.sha256 == version.sha256) return Status::Ok();
    return Status::AlreadyExists("version " + version.version + " of form " + form_id_ +
                                 " differs from the one in the dataset (published versions never change)");
  }
  FormLoadResult loaded = Form::Load(definition);
  if (!loaded.ok()) {
    return Status::InvalidArgument("version " + version.version + " of form " + form_id_ + " does not load: " +
                                   (loaded.faults.empty() ? "" : loaded.faults[0].ToString()));
  }
  if (loaded.form->id() != form_id_ || loaded.form->version() != version.version) {
    return Status::InvalidArgument("the definition sent as version " + version.version + " of " + form_id_ +
                                   " is version " + loaded.form->version() + " of " + loaded.form->id());
  }
  Connection& db = db_->connection;
  Status status = db.Exec("BEGIN IMMEDIATE", "adding a form version");
  if (!status.ok()) return status;
  versions_.push_back(version);
  definitions_.emplace_back(definition);
  // Kept to be put back if the version cannot be added: no need to build it again.
  std::unique_ptr<DatasetLayout> previous_layout = std::move(layout_);
  status = BuildLayout();
  if (status.ok()) status = AddColumns();
  if (status.ok()) {
    Statement insert(db.get(), "INSERT INTO form_versions (version, sha256, definition) VALUES (?, ?, ?)");
    insert.Bind(1, version.version).Bind(2, version.sha256).Bind(3, definition);
    const int code = insert.ok() ? insert.Step() : insert.prepare_code();
    if (code != SQLITE_DONE) status = SqliteStatus(db.get(), code, "adding a form version");
  }
  if (status.ok()) status = db.Exec("COMMIT", "adding a form version");
  if (!status.ok()) {
    IgnoreError(db.Exec("ROLLBACK", "abandoning a form version"), "the failure that made it roll back is returned");
    versions_.pop_back();
    definitions_.pop_back();
    layout_ = std::move(previous_layout);
  }
  return status;
}

Status AnalysisDataset::AddPage(const std::vector<ReceivedSubmission>& page, std::string_view cursor) {
  if (!layout_) return Status::NotFound("the dataset of " + form_id_ + " has no form version yet");
  Connection& db = db_->connection;
  sqlite3* handle = db.get();
  const auto& tables = layout_->tables();
  // One INSERT per table, over the layout's columns.
  std::vector<Statement> inserts;
  for (const Table& table : tables) {
    std::string sql = "INSERT INTO " + Quoted(TableName(table)) + " (";
    std::string values = table.name.empty() ? "?, ?" : "";
    if (table.name.empty()) sql += "_received_ms, _body";
    for (size_t c = 0; c < table.columns.size(); ++c) {
      sql += (c == 0 && !table.name.empty() ? "" : ", ") + Quoted(table.columns[c].name);
      values += (c == 0 && !table.name.empty() ? "?" : ", ?");
    }
    inserts.emplace_back(handle, sql + ") VALUES (" + values + ")");
    if (!inserts.back().ok()) return SqliteStatus(handle, inserts.back().prepare_code(), "preparing the dataset");
  }
  Statement held(handle, "SELECT 1 FROM submissions WHERE \"_uuid\" = ?1 UNION ALL SELECT 2 FROM replaced WHERE uuid = ?1");
  Statement mark_replaced(handle, "INSERT OR IGNORE INTO replaced (uuid) VALUES (?)");
  Statement save_cursor(handle, "UPDATE dataset_info SET value = ? WHERE key = 'cursor'");
  std::vector<Statement> forget;  // deletes a corrected submission's rows, table by table
  for (const Table& table : tables) {
    forget.emplace_back(handle, "DELETE FROM " + Quoted(TableName(table)) + " WHERE " +
                                    Quoted(table.name.empty() ? "_uuid" : "_submission_uuid") + " = ?");
  }

  FlattenOptions cells;
  cells.mark_relevance = true;
  SubmissionFlattener flattener(*layout_, cells);
  SubmissionRows rows;
  Status status = db.Exec("BEGIN IMMEDIATE", "adding submissions");
  if (!status.ok()) return status;
  auto run = [&](Statement& statement, const char* doing) {
    const int code = statement.Step();
    statement.Reset();
    return code == SQLITE_DONE || code == SQLITE_ROW ? Status::Ok() : SqliteStatus(handle, code, doing);
  };
  for (const ReceivedSubmission& received : page) {
    status = flattener.Flatten(received.body, Receipt{received.received_at_millis, received.received_from}, &rows);
    if (!status.ok()) break;
    const std::string& uuid = rows.main[kUuidColumn].text;
    // Only a correction the collector applies hides what it names: never another device's
    // submission (docs/protocol.md, "Who may correct a submission").
    const std::string& replaces = received.corrects ? *received.corrects : rows.main[kReplacesColumn].text;
    if (!replaces.empty()) {
      mark_replaced.Bind(1, replaces);
      status = run(mark_replaced, "recording a correction");
      for (size_t t = 0; t < tables.size() && status.ok() && !all_versions_; ++t) {
        forget[t].Bind(1, replaces);
        status = run(forget[t], "removing a corrected submission");
      }
      if (!status.ok()) break;
    }
    // Held already (a page added again after an interruption), or corrected by one added earlier.
    held.Bind(1, uuid);
    int found = held.Step();
    bool skip = false;
    while (found == SQLITE_ROW) {
      skip = skip || held.Int(0) == 1 || !all_versions_;
      found = held.Step();
    }
    held.Reset();
    if (found != SQLITE_DONE) {
      status = SqliteStatus(handle, found, "reading the dataset");
      break;
    }
    if (skip) continue;
    Statement& main = inserts[0];
    main.Bind(1, received.received_at_millis).Bind(2, received.body);
    for (size_t c = 0; c < rows.main.size(); ++c) BindCell(main, static_cast<int>(c) + 3, rows.main[c]);
    status = run(main, "adding a submission");
    for (size_t t = 1; t < tables.size() && status.ok(); ++t) {
      for (size_t i = 0; i < rows.repeats[t].count && status.ok(); ++i) {
        const Row& row = rows.repeats[t].rows[i];
        for (size_t c = 0; c < row.size(); ++c) BindCell(inserts[t], static_cast<int>(c) + 1, row[c]);
        status = run(inserts[t], "adding a repeat instance");
      }
    }
    if (!status.ok()) break;
  }
  if (status.ok()) {
    save_cursor.Bind(1, cursor);
    status = run(save_cursor, "saving the cursor");
  }
  if (status.ok()) status = db.Exec("COMMIT", "adding submissions");
  if (!status.ok()) {
    IgnoreError(db.Exec("ROLLBACK", "abandoning a page"), "the failure that made it roll back is returned");
    return status;
  }
  cursor_ = std::string(cursor);
  return Status::Ok();
}

Result<int64_t> AnalysisDataset::SubmissionCount() const {
  return db_->connection.QueryInt("SELECT COUNT(*) FROM submissions", "counting the dataset's submissions");
}

Status AnalysisDataset::ForEachSubmission(const FlattenOptions& cells,
                                          const std::function<Status(const SubmissionRows&)>& each) const {
  if (!layout_) return Status::Ok();  // no version, no submission
  sqlite3* handle = db_->connection.get();
  Statement rows_query(handle, "SELECT _body, _received_ms, \"_received_from\" FROM submissions ORDER BY _seq");
  if (!rows_query.ok()) return SqliteStatus(handle, rows_query.prepare_code(), "reading the dataset");
  SubmissionFlattener flattener(*layout_, cells);
  SubmissionRows rows;
  int code;
  while ((code = rows_query.Step()) == SQLITE_ROW) {
    const std::string body = rows_query.Text(0);
    const std::string from = rows_query.Text(2);
    Status status = flattener.Flatten(body, Receipt{rows_query.Int(1), from}, &rows);
    if (status.ok()) status = each(rows);
    if (!status.ok()) return status;
  }
  return code == SQLITE_DONE ? Status::Ok() : SqliteStatus(handle, code, "reading the dataset");
}

Result<std::vector<std::string>> AnalysisDataset::WriteCsvFiles(const std::string& dir, const FlattenOptions& cells) const {
  if (!layout_) return Status::NotFound("the dataset of " + form_id_ + " has no form version yet");
  const auto& tables = layout_->tables();
  struct Output {
    std::string path, partial;
    std::FILE* file = nullptr;
    std::unique_ptr<CsvWriter> csv;
  };
  std::vector<Output> outputs(tables.size());
  auto close_all = [&] {
    for (Output& output : outputs) {
      if (output.file != nullptr) std::fclose(output.file);
      output.file = nullptr;
    }
  };
  for (size_t t = 0; t < tables.size(); ++t) {
    Output& output = outputs[t];
    output.path = dir + "/" + form_id_ + (t == 0 ? "" : "-" + tables[t].name) + ".csv";
    output.partial = output.path + ".partial";
    output.file = OpenPrivateFile(output.partial, "wb");  // people's answers: the owner's only
    if (output.file == nullptr) {
      close_all();
      return Status::IOError("cannot write " + output.partial);
    }
    std::FILE* file = output.file;
    output.csv = std::make_unique<CsvWriter>(
        [file](std::string_view bytes) { return std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size(); });
    output.csv->WriteHeader(tables[t]);
  }
  Status status = ForEachSubmission(cells, [&](const SubmissionRows& rows) {
    bool ok = outputs[0].csv->WriteRow(rows.main);
    for (size_t t = 1; t < tables.size() && ok; ++t) {
      for (size_t i = 0; i < rows.repeats[t].count && ok; ++i) ok = outputs[t].csv->WriteRow(rows.repeats[t].rows[i]);
    }
    return ok ? Status::Ok() : Status::IOError("cannot write the CSV files in " + dir);
  });
  std::vector<std::string> written;
  for (Output& output : outputs) {
    if (status.ok() && !output.csv->Flush()) status = Status::IOError("cannot write " + output.partial);
    if (std::fclose(output.file) != 0 && status.ok()) status = Status::IOError("cannot write " + output.partial);
    output.file = nullptr;
  }
  for (Output& output : outputs) {
    if (status.ok() && std::rename(output.partial.c_str(), output.path.c_str()) != 0) {
      status = Status::IOError("cannot rename " + output.partial);
    }
    if (!status.ok()) std::remove(output.partial.c_str());
    written.push_back(output.path);
  }
  if (!status.ok()) return status;
  return written;
}

Status AnalysisDataset::WriteWorkbook(const std::string& path, const FlattenOptions& cells) const {
  if (!layout_) return Status::NotFound("the dataset of " + form_id_ + " has no form version yet");
  const std::string partial = path + ".partial.xlsx";
  XlsxOptions options;
  options.cells = cells;
  Result<std::unique_ptr<XlsxWorkbook>> workbook = XlsxWorkbook::Create(partial, *layout_, options);
  if (!workbook.ok()) return workbook.status();
  Status status = ForEachSubmission(cells, [&](const SubmissionRows& rows) { return (*workbook)->Add(rows); });
  if (status.ok()) status = (*workbook)->Close();
  workbook->reset();  // unclosed after a failure: it removes its file
  if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    status = Status::IOError("cannot rename " + partial + " to " + path);
  }
  if (!status.ok()) std::remove(partial.c_str());
  return status;
}

}  // namespace chosa::analysis
