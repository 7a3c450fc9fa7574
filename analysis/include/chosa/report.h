// The bureau's tables of a survey (docs/reports.md): for each question of the main table, the
// counts and percentages of its choices, or n, mean, SD, min and max of its numbers, by a
// grouping question when asked; cross tables of two questions. Written as one self-contained
// HTML page (inline SVG charts, no scripts, no external assets) and one CSV per table.
//
// Repeats are not reported: only the main table's questions.
//
// Thread safety: a ReportBuilder is used by one thread at a time; the layout is shared
// read-only and must outlive the builder. A Report is a plain value that owns its data.
#ifndef CHOSA_REPORT_H_
#define CHOSA_REPORT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chosa/dataset_layout.h"
#include "chosa/status.h"
#include "chosa/submission_rows.h"

namespace chosa::analysis {

// --- exact rounding (report_statistics.cpp) ----------------------------------------------------
// Every figure is shown to one decimal, rounded half away from zero from exact integers, never
// from a binary double: 5/9 = 55.6 %, 1/8 = 12.5 %, 1/16 = 6.3 %, a mean of 0.15 is 0.2.

// `count` out of `n` as a percentage in tenths: PercentTenths(5, 9) == 556. REQUIRES: n > 0,
// 0 <= count.
int64_t PercentTenths(int64_t count, int64_t n);
// Tenths as text with one decimal: 556 -> "55.6", -3 -> "-0.3", 0 -> "0.0".
std::string FormatTenths(int64_t tenths);
// `count` out of `n` as the report shows it: "55.6"; "—" when n is 0.
std::string PercentText(int64_t count, int64_t n);

// --- what a report holds -----------------------------------------------------------------------

struct ReportOptions {
  std::string by;       // a grouping question (a select_one or a matrix row), or "" for none
  size_t language = 0;  // index into the newest form version's languages (labels, headings)
  // Extra cross tables: row question x column question, both select_one or matrix rows.
  std::vector<std::pair<std::string, std::string>> crosses;
};

enum class ReportTableKind : uint8_t {
  kChoices,          // a select_one or a matrix row: one choice per submission
  kMultipleChoices,  // a select_multiple: percentages out of n may sum past 100
  kNumbers,          // an integer, a decimal or a numeric calculation
  kCross,            // a row question by a column question
};

struct ReportCategory {
  std::string code;   // the choice's value
  std::string label;  // its label in the report's language (the value when it has none)
};

// A choice question's counts in one column of its table (a group, or everyone).
struct ChoiceCounts {
  int64_t n = 0;                // submissions where the question was relevant
  std::vector<int64_t> counts;  // per category: submissions that chose it
  int64_t no_answer = 0;        // relevant but unanswered
};

// A numeric question's figures in one column of its table.
struct NumberSummary {
  int64_t n = 0;          // submissions where the question was relevant
  int64_t no_answer = 0;  // relevant but unanswered; the figures below are of the other n - no_answer
  std::optional<int64_t> mean_tenths;  // with at least one value
  std::optional<int64_t> sd_tenths;    // the sample (n - 1) standard deviation, with two values or more
  std::string min, max;                // as the submissions write them; "" without values
  int64_t answered() const { return n - no_answer; }
};

// One column of a table: a group of the grouping question (the column question of a cross
// table), the submissions without an answer to it, or everyone.
struct ReportColumn {
  enum class Role : uint8_t { kGroup, kNoAnswer, kTotal };
  Role role = Role::kTotal;
  std::string code;   // the group's value ("" for kNoAnswer and kTotal)
  std::string label;  // the group's label, or the heading (無回答 / 合計, No answer / Total)
  ChoiceCounts choices;  // kChoices, kMultipleChoices, kCross
  NumberSummary numbers;  // kNumbers
};

struct ReportTable {
  ReportTableKind kind = ReportTableKind::kChoices;
  // The question's name; "NAME.score" for the scores of a single choice whose list scores its
  // choices (kNumbers); "ROW-COLUMN" for a cross table (names have no '-' nor '.').
  std::string name;
  std::string title;    // the question's label; "ROW × COLUMN" labels for a cross table
  std::string section;  // the matrix's label when the question is one of its rows, else ""
  std::vector<ReportCategory> categories;  // choice-list order, then values of older versions
  // Groups in choice-list order (values of older versions after them, then the submissions
  // without an answer to the grouping question, when there are any), then kTotal last. Without
  // a grouping, kTotal alone.
  std::vector<ReportColumn> columns;
  std::string column_title;  // the grouping (or column) question's label, or ""
};

struct Report {
  std::string form_id, form_version;  // the newest version's
  std::string title;                  // the form's title in the report's language
  std::string language;               // its code ("ja", "en")
  int64_t submissions = 0;
  std::string by, by_label;           // the grouping question, or ""
  std::vector<ReportTable> tables;    // the questions in the main table's order, then the crosses
};

// --- building it (report_builder.cpp) ---------------------------------------------------------

class ReportBuilder {
 public:
  // InvalidArgument when `by` or a cross names no question of the main table, or one that is not
  // a select_one (or matrix row), or when the language is not one of the newest version's.
  static Result<ReportBuilder> Create(const DatasetLayout& layout, ReportOptions options);

  // Counts one submission. REQUIRES: `rows` flattened from this layout with codes (not labels)
  // and FlattenOptions::mark_relevance. InvalidArgument when the main row has the wrong width.
  Status Add(const SubmissionRows& rows);
  // The report of every submission added so far.
  Report Finish() const;

  ReportBuilder(ReportBuilder&&) noexcept;
  ReportBuilder& operator=(ReportBuilder&&) noexcept;
  ~ReportBuilder();

 private:
  struct State;
  explicit ReportBuilder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// --- writing it (report_files.cpp) ------------------------------------------------------------

// The page alone: UTF-8 HTML with inline SVG charts, every text escaped.
std::string RenderReportHtml(const Report& report);
// Writes out_dir/report.html and one CSV per table (UTF-8 with a byte order mark, as CsvWriter):
// out_dir/NAME.csv, NAME being the table's name. Creates out_dir when missing; IOError when a file
// cannot be written.
Status WriteReport(const Report& report, const std::string& out_dir);

}  // namespace chosa::analysis

#endif  // CHOSA_REPORT_H_
