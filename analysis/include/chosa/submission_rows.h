// A stored submission as rows of its dataset's tables (chosa/dataset_layout.h): the main table's
// row and one row per repeat instance, each cell typed so that every sink (CSV, Excel, the
// analysis dataset's SQLite) writes it its own way.
//
// Thread safety: a SubmissionFlattener is used by one thread at a time; the layout is shared.
// Ownership: the flattener borrows its layout, which must outlive it. Rows own their cells' text:
// nothing in them refers to the submission's bytes after Flatten returns.
#ifndef CHOSA_SUBMISSION_ROWS_H_
#define CHOSA_SUBMISSION_ROWS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chosa/dataset_layout.h"
#include "chosa/status.h"

namespace chosa::analysis {

enum class CellKind : uint8_t {
  kEmpty,        // no answer (or, unless relevance is marked, a question that was not relevant)
  kNotRelevant,  // only with FlattenOptions::mark_relevance: the question was not relevant
  kText,         // text, a date or time, a choice's value (or label), a list of them
  kNumber,       // `text` is the number as the submission writes it, `number` its value
  kBoolean,      // a calculation's true or false: `text` is "true" or "false"
};

struct Cell {
  CellKind kind = CellKind::kEmpty;
  std::string text;
  double number = 0;
  bool blank() const { return kind == CellKind::kEmpty || kind == CellKind::kNotRelevant; }
};

using Row = std::vector<Cell>;

// One submission's rows. Reused from one submission to the next so that its strings keep their
// capacity: only the first `count` rows of each repeat table are this submission's.
struct SubmissionRows {
  Row main;
  struct RepeatRows {
    std::vector<Row> rows;
    size_t count = 0;
  };
  std::vector<RepeatRows> repeats;  // indexed like DatasetLayout::tables(); [0] is unused
};

struct FlattenOptions {
  // Choices as their labels in this language (an index into the newest version's languages)
  // instead of their values; the values of a multiple choice are then joined by "; ".
  bool labels = false;
  size_t language = 0;
  // Replay each submission in its form version to tell a relevant but unanswered question
  // (kEmpty) from one that was not relevant (kNotRelevant); the submission keys neither.
  bool mark_relevance = false;
};

// What the collector knows of a submission beside its bytes.
struct Receipt {
  int64_t received_at_millis = 0;
  std::string_view received_from;  // the enrolled device that pushed it
};

class SubmissionFlattener {
 public:
  SubmissionFlattener(const DatasetLayout& layout, FlattenOptions options = {});
  ~SubmissionFlattener();
  SubmissionFlattener(const SubmissionFlattener&) = delete;
  SubmissionFlattener& operator=(const SubmissionFlattener&) = delete;

  // Fills `rows` from a stored submission of the layout's form. InvalidArgument when the bytes
  // are not a submission of one of the layout's versions (a stored submission always is).
  Status Flatten(std::string_view body, const Receipt& receipt, SubmissionRows* rows);

 private:
  struct Parser;
  Status MarkRelevance(std::string_view body, SubmissionRows* rows);
  const DatasetLayout& layout_;
  FlattenOptions options_;
  std::unique_ptr<Parser> parser_;
  // Per table: column index by column name (views of the layout's names).
  std::vector<std::unordered_map<std::string_view, int32_t>> column_of_;
  std::unordered_map<std::string_view, int32_t> table_of_repeat_;
};

}  // namespace chosa::analysis

#endif  // CHOSA_SUBMISSION_ROWS_H_
