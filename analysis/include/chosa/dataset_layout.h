// The tables a form's submissions make for analysis (docs/exports.md): one row per submission in
// the main table, one row per repeat instance in a table per repeat. Built from every published
// version of the form, oldest first, so that one dataset holds them all: the union of their
// columns, each version's new columns placed after the column they follow in that version.
//
// Columns, in order: the metadata (`_uuid`, `_form_version`, `_device_id`, `_enumerator_id`,
// `_started_at`, `_ended_at`, `_received_at`, `_received_from`, `_replaces`), then one per
// question named by its `name` (matrix rows are questions; pages, groups, notes and the matrix
// itself have none); a `select_multiple` has its raw list column followed by one 0/1 column per
// choice, `name/choice`. A repeat's table starts with `_submission_uuid` and `_position` (1-based).
// Names of questions cannot start with `_`, so no question's column can clash with a metadata one.
//
// Thread safety: a DatasetLayout is immutable once built and may be read from several threads.
// Ownership: it shares its Forms (shared_ptr); its Tables and Columns, and the Forms it returns,
// are valid as long as the layout is. Writers and builders that take a layout borrow it.
#ifndef CHOSA_DATASET_LAYOUT_H_
#define CHOSA_DATASET_LAYOUT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chosa/form.h"
#include "chosa/status.h"

namespace chosa::analysis {

enum class ColumnRole : uint8_t {
  kMetadata,    // of the submission (or, in a repeat table, of the instance)
  kAnswer,      // a question's answer: for a select_multiple, its raw list of values
  kChoiceFlag,  // 1 when the choice is ticked, 0 when not, empty when the question was unanswered
};

// The metadata columns, in table order.
enum MetadataColumn : int32_t {
  kUuidColumn, kFormVersionColumn, kDeviceIdColumn, kEnumeratorIdColumn, kStartedAtColumn,
  kEndedAtColumn, kReceivedAtColumn, kReceivedFromColumn, kReplacesColumn, kMetadataColumnCount
};
// The first columns of a repeat's table.
enum RepeatKeyColumn : int32_t { kSubmissionUuidColumn, kPositionColumn, kRepeatKeyColumnCount };

struct Column {
  std::string name;      // the header: "_uuid", "age", "services/nursing"
  ColumnRole role = ColumnRole::kMetadata;
  ItemType type = ItemType::kText;  // the question's type (kText for metadata)
  std::string question;  // the question's name (answers and flags)
  std::string choice;    // the choice's value (flags)
  int32_t list = kNone;  // the question's choice list in the newest version that has the question
};

struct Table {
  std::string name;  // "" for the main table, else the repeat's name
  std::vector<Column> columns;
  // The column holding question `name`'s answer (its raw list for a select_multiple), or kNone.
  int32_t AnswerColumn(std::string_view question) const;
  int32_t ColumnIndex(std::string_view column_name) const;

 private:
  friend class DatasetLayout;
  std::unordered_map<std::string, int32_t> index_of_name_;
};

class DatasetLayout {
 public:
  // `versions`: every version of one form, oldest first (non-empty, all of the same form id).
  static Result<DatasetLayout> FromForms(std::vector<std::shared_ptr<const Form>> versions);

  const std::string& form_id() const { return versions_.back()->id(); }
  const std::vector<std::shared_ptr<const Form>>& versions() const { return versions_; }
  // The newest version: its titles, labels and choice lists describe the dataset.
  const Form& newest() const { return *versions_.back(); }
  // The version named `version`, or null.
  const Form* Version(std::string_view version) const;

  const Table& main_table() const { return tables_.front(); }
  // tables()[0] is the main table, then one per repeat in the order they first appear.
  const std::vector<Table>& tables() const { return tables_; }
  // The table of repeat `name`, or kNone.
  int32_t RepeatTable(std::string_view name) const;

  // The label of `value` in `column`'s choice list, in the newest version's language `language`
  // (an index into newest().languages()); `value` itself when no version has that choice.
  std::string_view ChoiceLabel(const Column& column, std::string_view value, size_t language) const;
  // The score of `value` in `column`'s choice list (`score` in the form), from the newest version
  // that has the choice; none when that version gives it no score.
  std::optional<double> ChoiceScore(const Column& column, std::string_view value) const;
  // The question's label in the newest version that has it ("" for metadata).
  std::string_view QuestionLabel(const Column& column, size_t language) const;

 private:
  // The newest version whose list for `column` has `value`, and that choice; {nullptr, nullptr}
  // when none has it.
  std::pair<const Form*, const Choice*> NewestChoice(const Column& column, std::string_view value) const;

  std::vector<std::shared_ptr<const Form>> versions_;
  std::vector<Table> tables_;
  // Where a question is defined, newest version first: its labels and choices come from there.
  std::unordered_map<std::string, std::pair<const Form*, int32_t>> definition_of_;
};

}  // namespace chosa::analysis

#endif  // CHOSA_DATASET_LAYOUT_H_
