#include "chosa/submission_rows.h"

#include <charconv>
#include <simdjson.h>

#include "chosa/submission_check.h"
#include "chosa/engine/datetime.h"
#include "chosa/engine/canonical_json.h"

namespace chosa::analysis {

struct SubmissionFlattener::Parser {
  simdjson::dom::parser parser;
  // Per table, per column: the 0/1 columns of a select_multiple's choices.
  std::vector<std::vector<std::vector<std::pair<std::string_view, int32_t>>>> flags_of;
  // The form versions by name, for replays.
  std::unordered_map<std::string_view, std::shared_ptr<const Form>> version_of;
};

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void ResetRow(Row* row, size_t columns) {
  row->resize(columns);
  for (Cell& cell : *row) {
    cell.kind = CellKind::kEmpty;
    cell.text.clear();
  }
}

void SetText(Cell* cell, std::string_view text) {
  cell->kind = CellKind::kText;
  cell->text.assign(text.data(), text.size());
}

void SetInteger(Cell* cell, int64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  (void)error;  // 24 characters hold any int64
  cell->kind = CellKind::kNumber;
  cell->text.assign(digits, end);
  cell->number = static_cast<double>(value);
}

// A number as the submission's canonical bytes write it.
void SetNumber(Cell* cell, element value) {
  switch (value.type()) {
    case element_type::INT64: return SetInteger(cell, value.get_int64().value_unsafe());
    case element_type::UINT64: {
      const uint64_t number = value.get_uint64().value_unsafe();
      cell->kind = CellKind::kNumber;
      cell->text = std::to_string(number);
      cell->number = static_cast<double>(number);
      return;
    }
    default: {
      const double number = value.get_double().value_unsafe();
      CanonicalJsonWriter writer;
      writer.Number(number);
      cell->kind = CellKind::kNumber;
      cell->text = writer.text();
      cell->number = number;
    }
  }
}

}  // namespace

SubmissionFlattener::SubmissionFlattener(const DatasetLayout& layout, FlattenOptions options)
    : layout_(layout), options_(options), parser_(std::make_unique<Parser>()) {
  const auto& tables = layout_.tables();
  column_of_.resize(tables.size());
  parser_->flags_of.resize(tables.size());
  for (size_t t = 0; t < tables.size(); ++t) {
    const auto& columns = tables[t].columns;
    parser_->flags_of[t].resize(columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      const Column& column = columns[c];
      if (column.role == ColumnRole::kAnswer) column_of_[t].emplace(column.name, static_cast<int32_t>(c));
    }
    for (size_t c = 0; c < columns.size(); ++c) {
      const Column& column = columns[c];
      if (column.role != ColumnRole::kChoiceFlag) continue;
      const int32_t answer = column_of_[t].at(column.question);
      parser_->flags_of[t][static_cast<size_t>(answer)].emplace_back(column.choice, static_cast<int32_t>(c));
    }
    if (t > 0) table_of_repeat_.emplace(tables[t].name, static_cast<int32_t>(t));
  }
  for (const auto& version : layout_.versions()) parser_->version_of.emplace(version->version(), version);
}

SubmissionFlattener::~SubmissionFlattener() = default;

Status SubmissionFlattener::Flatten(std::string_view body, const Receipt& receipt, SubmissionRows* rows) {
  const auto& tables = layout_.tables();
  ResetRow(&rows->main, tables[0].columns.size());
  rows->repeats.resize(tables.size());
  for (auto& repeat : rows->repeats) repeat.count = 0;

  element root;
  if (parser_->parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Status::InvalidArgument("a stored submission is not JSON");
  }
  std::string_view text;
  auto envelope = [&](const char* key, MetadataColumn column) {
    if (root[key].get_string().get(text) == simdjson::SUCCESS) SetText(&rows->main[column], text);
  };
  envelope("uuid", kUuidColumn);
  envelope("form_version", kFormVersionColumn);
  envelope("device_id", kDeviceIdColumn);
  envelope("enumerator_id", kEnumeratorIdColumn);
  envelope("started_at", kStartedAtColumn);
  envelope("ended_at", kEndedAtColumn);
  envelope("replaces", kReplacesColumn);
  SetText(&rows->main[kReceivedAtColumn], FormatIsoDateTime(static_cast<double>(receipt.received_at_millis), 0));
  if (!receipt.received_from.empty()) SetText(&rows->main[kReceivedFromColumn], receipt.received_from);
  const std::string_view uuid = rows->main[kUuidColumn].text;

  simdjson::dom::object answers;
  if (root["answers"].get_object().get(answers) != simdjson::SUCCESS) {
    return Status::InvalidArgument("submission " + std::string(uuid) + " has no answers");
  }

  const std::string_view separator = options_.labels ? "; " : " ";
  // Sets the answer `value` of column `c` of table `t` in `row`.
  auto set_answer = [&](size_t t, int32_t c, element value, Row& row) -> Status {
    const Column& column = tables[t].columns[static_cast<size_t>(c)];
    Cell& cell = row[static_cast<size_t>(c)];
    auto choice_text = [&](std::string_view code) {
      return options_.labels ? layout_.ChoiceLabel(column, code, options_.language) : code;
    };
    switch (value.type()) {
      case element_type::STRING: {
        std::string_view answer = value.get_string().value_unsafe();
        if (IsSelect(column.type)) answer = choice_text(answer);
        SetText(&cell, answer);
        return Status::Ok();
      }
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE: SetNumber(&cell, value); return Status::Ok();
      case element_type::BOOL:
        cell.kind = CellKind::kBoolean;
        cell.text = value.get_bool().value_unsafe() ? "true" : "false";
        return Status::Ok();
      case element_type::ARRAY: {
        cell.kind = CellKind::kText;
        const auto& flags = parser_->flags_of[t][static_cast<size_t>(c)];
        for (const auto& [choice, flag] : flags) SetInteger(&row[static_cast<size_t>(flag)], 0);
        simdjson::dom::array list = value.get_array().value_unsafe();
        for (element item : list) {
          std::string_view code;
          if (item.get_string().get(code) != simdjson::SUCCESS) {
            return Status::InvalidArgument("submission " + std::string(uuid) + ": a list of " + column.name +
                                           " holds a non-string");
          }
          if (!cell.text.empty()) cell.text.append(separator);
          cell.text.append(choice_text(code));
          for (const auto& [choice, flag] : flags) {
            if (choice == code) SetInteger(&row[static_cast<size_t>(flag)], 1);
          }
        }
        return Status::Ok();
      }
      default:
        return Status::InvalidArgument("submission " + std::string(uuid) + ": " + column.name +
                                       " holds an object or null");
    }
  };

  for (auto field : answers) {
    auto column = column_of_[0].find(field.key);
    if (column != column_of_[0].end()) {
      Status status = set_answer(0, column->second, field.value, rows->main);
      if (!status.ok()) return status;
      continue;
    }
    auto repeat = table_of_repeat_.find(field.key);
    simdjson::dom::array instances;
    if (repeat == table_of_repeat_.end() || field.value.get_array().get(instances) != simdjson::SUCCESS) {
      return Status::InvalidArgument("submission " + std::string(uuid) + ": " + std::string(field.key) +
                                     " is no question of form " + layout_.form_id());
    }
    const size_t t = static_cast<size_t>(repeat->second);
    SubmissionRows::RepeatRows& repeat_rows = rows->repeats[t];
    for (element instance : instances) {
      if (repeat_rows.rows.size() <= repeat_rows.count) repeat_rows.rows.emplace_back();
      Row& row = repeat_rows.rows[repeat_rows.count++];
      ResetRow(&row, tables[t].columns.size());
      SetText(&row[kSubmissionUuidColumn], uuid);
      SetInteger(&row[kPositionColumn], static_cast<int64_t>(repeat_rows.count));
      simdjson::dom::object children;
      if (instance.get_object().get(children) != simdjson::SUCCESS) {
        return Status::InvalidArgument("submission " + std::string(uuid) + ": an instance of " + tables[t].name +
                                       " is not an object");
      }
      for (auto child : children) {
        auto child_column = column_of_[t].find(child.key);
        if (child_column == column_of_[t].end()) {
          return Status::InvalidArgument("submission " + std::string(uuid) + ": " + std::string(child.key) +
                                         " is no question of repeat " + tables[t].name);
        }
        Status status = set_answer(t, child_column->second, child.value, row);
        if (!status.ok()) return status;
      }
    }
  }
  if (options_.mark_relevance) return MarkRelevance(body, rows);
  return Status::Ok();
}

Status SubmissionFlattener::MarkRelevance(std::string_view body, SubmissionRows* rows) {
  const auto& tables = layout_.tables();
  auto version = parser_->version_of.find(rows->main[kFormVersionColumn].text);
  if (version == parser_->version_of.end()) {
    return Status::InvalidArgument("submission " + rows->main[kUuidColumn].text + " is of version " +
                                   rows->main[kFormVersionColumn].text + ", which the dataset does not have");
  }
  Result<ReplayedSubmission> replayed = ReplaySubmission(version->second, body);
  if (!replayed.ok()) {
    return Status::InvalidArgument("submission " + rows->main[kUuidColumn].text + " cannot be replayed: " +
                                   replayed.status().message());
  }
  const Session& session = *replayed->session;
  const Form& form = *version->second;
  // Unanswered cells of questions this version lacks, or that were not relevant, are marked.
  auto mark = [&](size_t t, Row& row, const std::string& prefix) {
    std::string path;
    for (size_t c = 0; c < row.size(); ++c) {
      const Column& column = tables[t].columns[c];
      if (column.role == ColumnRole::kMetadata || !row[c].blank()) continue;
      bool relevant = false;
      if (form.Find(column.question) != kNone) {
        path = prefix + column.question;
        Result<bool> is_relevant = session.IsRelevant(path);
        relevant = is_relevant.ok() && *is_relevant;
      }
      if (!relevant) row[c].kind = CellKind::kNotRelevant;
    }
  };
  mark(0, rows->main, "");
  for (size_t t = 1; t < tables.size(); ++t) {
    for (size_t i = 0; i < rows->repeats[t].count; ++i) {
      mark(t, rows->repeats[t].rows[i], tables[t].name + "[" + std::to_string(i + 1) + "]/");
    }
  }
  return Status::Ok();
}

}  // namespace chosa::analysis
