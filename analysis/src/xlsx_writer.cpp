#include "chosa/xlsx_writer.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "excel_limits.h"
#include "chosa/base/private_file.h"

namespace chosa::analysis {
namespace {

constexpr const char* kQuestionsSheet = "questions";

Status LxwFailure(const std::string& what, lxw_error error) {
  return Status::IOError(what + ": " + lxw_strerror(error));
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

const char* RoleName(ColumnRole role) {
  switch (role) {
    case ColumnRole::kMetadata: return "metadata";
    case ColumnRole::kAnswer: return "answer";
    case ColumnRole::kChoiceFlag: return "choice_flag";
  }
  return "";
}

// The values of the choices a select column may hold: its newest list's, then those only older
// versions have, so that every code in the data is described.
std::vector<std::string_view> ChoiceValues(const DatasetLayout& layout, const Column& column) {
  std::vector<std::string_view> values;
  std::unordered_set<std::string_view> seen;
  for (auto it = layout.versions().rbegin(); it != layout.versions().rend(); ++it) {
    const Form& form = **it;
    const int32_t item = form.Find(column.question);
    if (item == kNone || form.item(item).list == kNone) continue;
    for (const Choice& choice : form.choice_lists()[static_cast<size_t>(form.item(item).list)].choices) {
      if (seen.insert(choice.value).second) values.push_back(choice.value);
    }
  }
  return values;
}

}  // namespace

// The libxlsxwriter side: the workbook and, per table (and for the questions), the sheet being
// filled.
struct XlsxWorkbook::Book {
  // A table's sheets: part 1 is named `name`, then "name (2)" and so on.
  struct Series {
    std::string name;
    std::vector<std::string> header;
    lxw_worksheet* sheet = nullptr;  // the part being filled
    std::string sheet_name;
    int part = 0;
    uint32_t next_row = 0;
  };

  ~Book() {
    if (workbook != nullptr) lxw_workbook_free(workbook);
  }

  // Adds the next sheet of `series` and writes its header (the sheet before it finished).
  Status StartSheet(Series* series);
  // Gives the sheet being filled its filter buttons over the rows written (an analyst filters
  // by ward or answer at once), once its last row is known.
  Status FinishSheet(Series* series);
  // The row to write next in `series`, on a new sheet when the current one is full or there is
  // none yet.
  Status NextRow(Series* series, uint32_t max_rows, lxw_row_t* row);

  lxw_workbook* workbook = nullptr;
  lxw_format* bold = nullptr;
  std::string tmpdir;  // libxlsxwriter keeps a pointer to it
  std::string title, comments;
  SheetNames names;
  std::vector<Series> tables;  // indexed like DatasetLayout::tables()
  Series questions;
  std::string cut;  // a text shortened to Excel's limit (its capacity reused)
};

Status XlsxWorkbook::Book::FinishSheet(Series* series) {
  if (series->sheet == nullptr || series->header.empty()) return Status::Ok();
  const lxw_error error = worksheet_autofilter(series->sheet, 0, 0, series->next_row - 1,
                                               static_cast<lxw_col_t>(series->header.size() - 1));
  if (error != LXW_NO_ERROR) return LxwFailure("adding the filter of sheet \"" + series->sheet_name + "\"", error);
  return Status::Ok();
}

Status XlsxWorkbook::Book::StartSheet(Series* series) {
  Status finished = FinishSheet(series);
  if (!finished.ok()) return finished;
  ++series->part;
  series->sheet_name = series->part == 1 ? series->name : names.Claim(series->name, series->part);
  const char* name = series->sheet_name.c_str();
  const lxw_error invalid = workbook_validate_sheet_name(workbook, name);
  if (invalid != LXW_NO_ERROR) return LxwFailure("naming a sheet \"" + series->sheet_name + "\"", invalid);
  series->sheet = workbook_add_worksheet(workbook, name);
  if (series->sheet == nullptr) {
    return Status::IOError("adding sheet \"" + series->sheet_name + "\": libxlsxwriter could not create its " +
                           "temporary file in " + tmpdir);
  }
  worksheet_freeze_panes(series->sheet, 1, 0);
  // Codes are text on purpose (01 stays 01, a ward is 271276 not a quantity): Excel's "number
  // stored as text" triangle would invite converting them.
  const lxw_error ignore = worksheet_ignore_errors(series->sheet, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:XFD1048576");
  if (ignore != LXW_NO_ERROR) return LxwFailure("setting up sheet \"" + series->sheet_name + "\"", ignore);
  for (size_t c = 0; c < series->header.size(); ++c) {
    const lxw_error error =
        worksheet_write_string(series->sheet, 0, static_cast<lxw_col_t>(c), series->header[c].c_str(), bold);
    if (error != LXW_NO_ERROR) return LxwFailure("writing the header of sheet \"" + series->sheet_name + "\"", error);
  }
  series->next_row = 1;
  return Status::Ok();
}

Status XlsxWorkbook::Book::NextRow(Series* series, uint32_t max_rows, lxw_row_t* row) {
  if (series->sheet == nullptr || series->next_row >= max_rows) {
    Status started = StartSheet(series);
    if (!started.ok()) return started;
  }
  *row = series->next_row++;
  return Status::Ok();
}

XlsxWorkbook::XlsxWorkbook(const std::string& path, const DatasetLayout& layout, XlsxOptions options)
    : path_(path), layout_(layout), options_(std::move(options)), book_(std::make_unique<Book>()),
      rows_written_(layout.tables().size(), 0) {}

XlsxWorkbook::~XlsxWorkbook() {
  if (book_ != nullptr) {
    book_.reset();
    std::remove(path_.c_str());
  }
}

Result<std::unique_ptr<XlsxWorkbook>> XlsxWorkbook::Create(const std::string& path, const DatasetLayout& layout,
                                                           XlsxOptions options) {
  if (options.max_rows_per_sheet < 2 || options.max_rows_per_sheet > LXW_ROW_MAX) {
    return Status::InvalidArgument("rows per sheet must be from 2 (a header and a row) to Excel's 1048576, not " +
                                   std::to_string(options.max_rows_per_sheet));
  }
  for (const Table& table : layout.tables()) {
    if (table.columns.size() > LXW_COL_MAX) {
      return Status::Unsupported("table " + (table.name.empty() ? layout.form_id() : table.name) + " has " +
                                 std::to_string(table.columns.size()) +
                                 " columns; an Excel sheet holds 16384 (export it as CSV)");
    }
  }
  // libxlsxwriter opens the file only at the end; an unwritable path is better known now. Made
  // private here, it stays so: libxlsxwriter truncates and rewrites the same file.
  std::FILE* probe = OpenPrivateFile(path, "wb");
  if (probe == nullptr) return Status::IOError("cannot write the workbook " + path + ": " + std::strerror(errno));
  std::fclose(probe);

  std::unique_ptr<XlsxWorkbook> workbook(new XlsxWorkbook(path, layout, std::move(options)));
  Book& book = *workbook->book_;
  book.tmpdir = workbook->options_.tmpdir.empty() ? DirectoryOf(path) : workbook->options_.tmpdir;
  lxw_workbook_options lxw_options{};
  lxw_options.constant_memory = LXW_TRUE;
  lxw_options.tmpdir = book.tmpdir.data();
  book.workbook = workbook_new_opt(path.c_str(), &lxw_options);
  if (book.workbook == nullptr) return workbook->Fail(Status::IOError("libxlsxwriter could not start " + path));
  book.bold = workbook_add_format(book.workbook);
  if (book.bold == nullptr) return workbook->Fail(Status::IOError("libxlsxwriter could not add a format"));
  format_set_bold(book.bold);

  const Form& newest = layout.newest();
  const FlattenOptions& cells = workbook->options_.cells;
  const size_t language = std::min(cells.language, newest.languages().empty() ? 0 : newest.languages().size() - 1);
  book.title = std::string(newest.title().Get(language));
  book.comments = "Form " + layout.form_id() + ", choices as " +
                  (cells.labels && language < newest.languages().size()
                       ? "labels (" + newest.languages()[language] + ")"
                       : std::string("codes"));
  lxw_doc_properties properties{};
  properties.title = book.title.empty() ? nullptr : book.title.data();
  properties.comments = book.comments.data();
  const lxw_error error = workbook_set_properties(book.workbook, &properties);
  if (error != LXW_NO_ERROR) return workbook->Fail(LxwFailure("setting the workbook's title", error));

  // The questions sheet comes last but keeps its name whatever the tables are called.
  book.questions.name = book.names.Claim(kQuestionsSheet);
  for (const Table& table : layout.tables()) {
    Book::Series& series = book.tables.emplace_back();
    series.name = book.names.Claim(table.name.empty() ? layout.form_id() : table.name);
    for (const Column& column : table.columns) series.header.push_back(column.name);
  }
  // Every table has its sheet, rows or not; their first rows follow the headers.
  for (Book::Series& series : book.tables) {
    Status started = book.StartSheet(&series);
    if (!started.ok()) return workbook->Fail(started);
  }
  return Result<std::unique_ptr<XlsxWorkbook>>(std::move(workbook));
}

Status XlsxWorkbook::Fail(Status status) {
  failure_ = status;
  book_.reset();
  std::remove(path_.c_str());
  return status;
}

Status XlsxWorkbook::Add(const SubmissionRows& rows) {
  if (book_ == nullptr) {
    return failure_.ok() ? Status::InvalidArgument("the workbook " + path_ + " is closed") : failure_;
  }
  Status status = AddRow(0, rows.main);
  for (size_t t = 1; status.ok() && t < layout_.tables().size() && t < rows.repeats.size(); ++t) {
    const SubmissionRows::RepeatRows& repeat = rows.repeats[t];
    for (size_t i = 0; status.ok() && i < repeat.count && i < repeat.rows.size(); ++i) status = AddRow(t, repeat.rows[i]);
  }
  return status.ok() ? status : Fail(status);
}

Status XlsxWorkbook::AddRow(size_t t, const Row& row) {
  const Table& table = layout_.tables()[t];
  Book::Series& series = book_->tables[t];
  if (row.size() != table.columns.size()) {
    return Status::InvalidArgument("a row of " + series.name + " has " + std::to_string(row.size()) +
                                   " cells for its " + std::to_string(table.columns.size()) + " columns");
  }
  lxw_row_t r = 0;
  Status status = book_->NextRow(&series, options_.max_rows_per_sheet, &r);
  if (!status.ok()) return status;
  for (size_t c = 0; c < row.size(); ++c) {
    const Cell& cell = row[c];
    if (cell.blank()) continue;
    const Column& column = table.columns[c];
    const lxw_col_t col = static_cast<lxw_col_t>(c);
    // A select's answer is a code even when it looks like a number ("01").
    const bool code = column.role == ColumnRole::kAnswer && IsSelect(column.type);
    lxw_error error = LXW_NO_ERROR;
    if (cell.kind == CellKind::kText || code) {
      const char* text = cell.text.c_str();
      const size_t keep = ExcelPrefixBytes(cell.text, kExcelCellCharacters);
      if (keep < cell.text.size()) {
        book_->cut.assign(cell.text, 0, keep);
        text = book_->cut.c_str();
        ++truncated_cells_;
      }
      error = worksheet_write_string(series.sheet, r, col, text, nullptr);
    } else if (cell.kind == CellKind::kNumber) {
      error = worksheet_write_number(series.sheet, r, col, cell.number, nullptr);
    } else {
      error = worksheet_write_boolean(series.sheet, r, col, cell.text == "true", nullptr);
    }
    if (error != LXW_NO_ERROR) {
      return LxwFailure("writing row " + std::to_string(r + 1) + ", column " + column.name + " of sheet \"" +
                            series.sheet_name + "\"",
                        error);
    }
  }
  ++rows_written_[t];
  return Status::Ok();
}

Status XlsxWorkbook::WriteQuestions() {
  const std::vector<std::string>& languages = layout_.newest().languages();
  Book::Series& series = book_->questions;
  series.header = {"table", "column", "role", "type"};
  for (const std::string& language : languages) series.header.push_back("label (" + language + ")");
  series.header.push_back("choice");
  for (const std::string& language : languages) series.header.push_back("choice label (" + language + ")");
  series.header.push_back("score");  // a scored choice's points (a checklist's 4 to 1)
  const lxw_col_t choice_col = static_cast<lxw_col_t>(4 + languages.size());
  const lxw_col_t score_col = static_cast<lxw_col_t>(choice_col + 1 + languages.size());

  auto write = [&](lxw_row_t r, size_t c, std::string_view text) -> Status {
    if (text.empty()) return Status::Ok();
    const std::string value(text.substr(0, ExcelPrefixBytes(text, kExcelCellCharacters)));
    const lxw_error error = worksheet_write_string(series.sheet, r, static_cast<lxw_col_t>(c), value.c_str(), nullptr);
    if (error != LXW_NO_ERROR) {
      return LxwFailure("writing row " + std::to_string(r + 1) + " of sheet \"" + series.sheet_name + "\"", error);
    }
    return Status::Ok();
  };
  // One row: the column, and the choice `choice` (with its labels) when there is one.
  auto describe = [&](size_t t, const Column& column, std::string_view role, bool about_question,
                      std::string_view choice) -> Status {
    lxw_row_t r = 0;
    Status status = book_->NextRow(&series, options_.max_rows_per_sheet, &r);
    if (status.ok()) status = write(r, 0, book_->tables[t].name);
    if (status.ok()) status = write(r, 1, column.name);
    if (status.ok()) status = write(r, 2, role);
    if (about_question && column.role != ColumnRole::kMetadata) {
      if (status.ok()) status = write(r, 3, ItemTypeName(column.type));
      for (size_t l = 0; status.ok() && l < languages.size(); ++l) {
        status = write(r, 4 + l, layout_.QuestionLabel(column, l));
      }
    }
    if (!choice.empty()) {
      if (status.ok()) status = write(r, choice_col, choice);
      for (size_t l = 0; status.ok() && l < languages.size(); ++l) {
        status = write(r, choice_col + 1 + l, layout_.ChoiceLabel(column, choice, l));
      }
      const std::optional<double> score = layout_.ChoiceScore(column, choice);
      if (status.ok() && score) {
        const lxw_error error = worksheet_write_number(series.sheet, r, score_col, *score, nullptr);
        if (error != LXW_NO_ERROR) {
          status = LxwFailure("writing row " + std::to_string(r + 1) + " of sheet \"" + series.sheet_name + "\"", error);
        }
      }
    }
    return status;
  };

  for (size_t t = 0; t < layout_.tables().size(); ++t) {
    for (const Column& column : layout_.tables()[t].columns) {
      Status status = describe(t, column, RoleName(column.role), true, column.choice);
      if (!status.ok()) return status;
      if (column.role != ColumnRole::kAnswer || !IsSelect(column.type)) continue;
      for (std::string_view value : ChoiceValues(layout_, column)) {
        status = describe(t, column, "choice", false, value);
        if (!status.ok()) return status;
      }
    }
  }
  return Status::Ok();
}

Status XlsxWorkbook::Close() {
  if (book_ == nullptr) {
    return failure_.ok() ? Status::InvalidArgument("the workbook " + path_ + " is already closed") : failure_;
  }
  Status questions = WriteQuestions();
  for (size_t t = 0; questions.ok() && t < book_->tables.size(); ++t) questions = book_->FinishSheet(&book_->tables[t]);
  if (questions.ok()) questions = book_->FinishSheet(&book_->questions);
  if (!questions.ok()) return Fail(questions);
  lxw_workbook* workbook = book_->workbook;
  book_->workbook = nullptr;
  book_.reset();
  const lxw_error error = workbook_close(workbook);  // frees the workbook, written or not
  if (error != LXW_NO_ERROR) {
    std::remove(path_.c_str());
    failure_ = LxwFailure("writing the workbook " + path_, error);
    return failure_;
  }
  return Status::Ok();
}

}  // namespace chosa::analysis
