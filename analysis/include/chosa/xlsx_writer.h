// A form's dataset as an Excel workbook (docs/exports.md), written through libxlsxwriter in its
// constant-memory mode: each row goes to a temporary file as it comes, so memory stays flat
// however many submissions are added.
//
// Sheets, in order: the main table (named by the form id), one per repeat table (named by the
// repeat), then "questions", which describes every column. A table longer than a sheet goes on
// in another sheet, "visit_record (2)", with the header repeated; such a sheet is added when it
// is needed, so it comes after the sheets that exist by then. Header rows are bold and frozen.
//
// Cells: text (and every answer of a select question) as strings, so that codes keep their
// leading zeros; numbers (the 0/1 flags too) as numbers; true/false as booleans; blank cells
// not written. A text longer than Excel's 32,767 characters is cut at a character boundary.
//
// Thread safety: an XlsxWorkbook is used by one thread at a time.
// Ownership: Create's workbook belongs to its caller and borrows the layout, which must outlive
// it; the rows given to Add are read during the call only.
#ifndef CHOSA_XLSX_WRITER_H_
#define CHOSA_XLSX_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chosa/dataset_layout.h"
#include "chosa/status.h"
#include "chosa/submission_rows.h"

namespace chosa::analysis {

struct XlsxOptions {
  // How the rows were flattened (they must be flattened with these): the workbook's title is
  // the form's in this language, and its comments say whether choices are codes or labels.
  FlattenOptions cells;
  // Rows per sheet, the header included: Excel's limit; smaller only in tests.
  uint32_t max_rows_per_sheet = 1048576;
  // Where rows wait until Close. "" = the directory of the workbook's file, not /tmp, which may
  // be held in memory.
  std::string tmpdir;
};

class XlsxWorkbook {
 public:
  // Starts a workbook at `path`, replacing any file there. IOError when `path` cannot be
  // written (found now rather than at Close); InvalidArgument for options out of range;
  // Unsupported for a table wider than Excel's 16,384 columns. `layout` must outlive the workbook.
  static Result<std::unique_ptr<XlsxWorkbook>> Create(const std::string& path, const DatasetLayout& layout,
                                                      XlsxOptions options = {});
  // Discards a workbook that was not closed: no file is left at `path`.
  ~XlsxWorkbook();
  XlsxWorkbook(const XlsxWorkbook&) = delete;
  XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;

  // Adds one submission: its main row and its repeats' rows (the first `count` of each).
  // InvalidArgument when a row does not have its table's columns; IOError (naming the sheet and
  // row) when libxlsxwriter fails. After a failure, and after Close, every call fails.
  Status Add(const SubmissionRows& rows);
  // Writes the questions sheet and the file. The workbook takes no more rows. On failure no
  // file is left at `path`.
  Status Close();

  // Cells whose text was cut to Excel's 32,767 characters.
  int64_t truncated_cells() const { return truncated_cells_; }
  // Rows written per table (data rows, without headers), indexed like DatasetLayout::tables().
  const std::vector<int64_t>& rows_written() const { return rows_written_; }

 private:
  struct Book;
  XlsxWorkbook(const std::string& path, const DatasetLayout& layout, XlsxOptions options);
  Status AddRow(size_t table, const Row& row);
  Status WriteQuestions();
  Status Fail(Status status);

  std::string path_;
  const DatasetLayout& layout_;
  XlsxOptions options_;
  std::unique_ptr<Book> book_;  // null once closed
  Status failure_;
  int64_t truncated_cells_ = 0;
  std::vector<int64_t> rows_written_;
};

}  // namespace chosa::analysis

#endif  // CHOSA_XLSX_WRITER_H_
