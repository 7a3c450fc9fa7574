// Counting submissions into a report's tables (chosa/report.h).
#include <algorithm>
#include <unordered_map>

#include "chosa/report.h"
#include "chosa/value.h"
#include "report_statistics.h"
#include "report_words.h"

namespace chosa::analysis {
namespace {

// Counts and values of one question in one column (a group, no answer to the grouping, or all).
struct Tally {
  int64_t n = 0;
  int64_t no_answer = 0;
  std::vector<int64_t> counts;  // per category; grows as categories do
  NumberAccumulator numbers;
};

// The categories a question's answers fall into: its choices in list order, then any value of
// an older version, appended when first seen.
struct Categories {
  std::vector<ReportCategory> list;
  std::unordered_map<std::string, size_t> index_of_value;

  size_t IndexOf(std::string_view value, const DatasetLayout& layout, const Column& column, size_t language) {
    auto found = index_of_value.find(std::string(value));
    if (found != index_of_value.end()) return found->second;
    return Append(std::string(value), std::string(layout.ChoiceLabel(column, value, language)));
  }
  size_t Append(std::string value, std::string label) {
    index_of_value.emplace(value, list.size());
    list.push_back(ReportCategory{std::move(value), std::move(label)});
    return list.size() - 1;
  }
};

constexpr size_t kNoAnswerGroup = static_cast<size_t>(-1);

// A question that splits the submissions into groups: the grouping question, or a cross
// table's column question.
struct Grouping {
  int32_t column = kNone;
  Categories groups;
  int64_t without_answer = 0;     // submissions in the no-answer group
  size_t current = kNoAnswerGroup;  // the group of the submission being added
};

struct TableState {
  ReportTableKind kind = ReportTableKind::kChoices;
  int32_t column = kNone;    // the question's column in the main table (a cross table's row question)
  int32_t grouping = kNone;  // index into State::groupings, or kNone
  std::string name, title, section;
  Categories categories;
  bool calculation = false;      // a calculate: reported only when its values are numbers
  // A scored choice question's scores (choice value -> score), for its table of scores.
  std::unordered_map<std::string, double> scores;
  bool saw_number = false, saw_other = false;
  std::vector<Tally> by_group;   // indexed like the grouping's groups
  Tally no_answer_group, total;
};

const Form* DefiningForm(const DatasetLayout& layout, std::string_view question) {
  for (auto it = layout.versions().rbegin(); it != layout.versions().rend(); ++it) {
    if ((*it)->Find(question) != kNone) return it->get();
  }
  return nullptr;
}

size_t LanguageIndexIn(const Form& form, std::string_view language) {
  const auto& languages = form.languages();
  auto found = std::find(languages.begin(), languages.end(), language);
  return found == languages.end() ? form.default_language() : static_cast<size_t>(found - languages.begin());
}

bool IsSingleChoice(ItemType type) { return type == ItemType::kSelectOne || type == ItemType::kMatrixRow; }

// The main-table column of a select_one question named in the options, or why it cannot be one.
Result<int32_t> SingleChoiceColumn(const DatasetLayout& layout, const std::string& question, const char* role) {
  const int32_t column = layout.main_table().AnswerColumn(question);
  if (column == kNone) {
    for (size_t t = 1; t < layout.tables().size(); ++t) {
      if (layout.tables()[t].AnswerColumn(question) != kNone) {
        return Status::InvalidArgument(std::string(role) + " \"" + question + "\" is inside repeat \"" +
                                       layout.tables()[t].name + "\": a report takes main-table questions only");
      }
    }
    return Status::InvalidArgument(std::string(role) + " \"" + question + "\": form " + layout.form_id() +
                                   " has no such question");
  }
  const ItemType type = layout.main_table().columns[static_cast<size_t>(column)].type;
  if (!IsSingleChoice(type)) {
    return Status::InvalidArgument(std::string(role) + " \"" + question + "\" is a " + ItemTypeName(type) +
                                   " question: it must be a select_one");
  }
  return column;
}

std::string LabelOr(std::string_view label, const std::string& name) {
  return label.empty() ? name : std::string(label);
}

}  // namespace

struct ReportBuilder::State {
  const DatasetLayout* layout = nullptr;
  ReportOptions options;
  std::string language_code;
  int64_t submissions = 0;
  std::vector<Grouping> groupings;
  std::vector<TableState> tables;

  // A grouping by the question in `column`, its groups the choices of its list.
  int32_t AddGrouping(int32_t column) {
    Grouping grouping;
    grouping.column = column;
    SeedCategories(column, &grouping.groups);
    groupings.push_back(std::move(grouping));
    return static_cast<int32_t>(groupings.size() - 1);
  }

  void SeedCategories(int32_t column, Categories* categories) const {
    const Column& of = layout->main_table().columns[static_cast<size_t>(column)];
    const Form* form = DefiningForm(*layout, of.question);
    if (form == nullptr) return;
    const Item& item = form->item(form->Find(of.question));
    if (item.list == kNone) return;
    for (const Choice& choice : form->choice_lists()[static_cast<size_t>(item.list)].choices) {
      categories->Append(choice.value, std::string(layout->ChoiceLabel(of, choice.value, options.language)));
    }
  }

  std::string Title(int32_t column) const {
    const Column& of = layout->main_table().columns[static_cast<size_t>(column)];
    return LabelOr(layout->QuestionLabel(of, options.language), of.question);
  }

  // The matrix's label when the question is one of its rows.
  std::string Section(int32_t column) const {
    const Column& of = layout->main_table().columns[static_cast<size_t>(column)];
    const Form* form = DefiningForm(*layout, of.question);
    if (form == nullptr) return {};
    const Item& item = form->item(form->Find(of.question));
    if (item.parent == kNone || form->item(item.parent).type != ItemType::kMatrix) return {};
    return std::string(form->item(item.parent).label.Get(LanguageIndexIn(*form, language_code)));
  }

  // The scores of the question's choices, when its list has them.
  bool Scores(int32_t column, std::unordered_map<std::string, double>* scores) const {
    const Column& of = layout->main_table().columns[static_cast<size_t>(column)];
    const Form* form = DefiningForm(*layout, of.question);
    if (form == nullptr) return false;
    const Item& item = form->item(form->Find(of.question));
    if (item.list == kNone || !form->choice_lists()[static_cast<size_t>(item.list)].has_scores) return false;
    for (const Choice& choice : form->choice_lists()[static_cast<size_t>(item.list)].choices) {
      if (choice.score) scores->emplace(choice.value, *choice.score);
    }
    return !scores->empty();
  }

  void Count(TableState& table, const Cell& cell, Grouping* grouping);
};

void ReportBuilder::State::Count(TableState& table, const Cell& cell, Grouping* grouping) {
  if (cell.kind == CellKind::kNotRelevant) return;
  const Column& column = layout->main_table().columns[static_cast<size_t>(table.column)];
  // The categories this answer falls into (all of a multiple choice's).
  std::vector<size_t> chosen;
  bool number = false;
  std::string score_text;
  double score_value = 0;
  if (cell.kind != CellKind::kEmpty) {
    switch (table.kind) {
      case ReportTableKind::kChoices:
      case ReportTableKind::kCross:
        chosen.push_back(table.categories.IndexOf(cell.text, *layout, column, options.language));
        break;
      case ReportTableKind::kMultipleChoices:
        for (size_t start = 0; start < cell.text.size();) {
          size_t end = cell.text.find(' ', start);
          if (end == std::string::npos) end = cell.text.size();
          if (end > start) {
            chosen.push_back(table.categories.IndexOf(std::string_view(cell.text).substr(start, end - start),
                                                      *layout, column, options.language));
          }
          start = end + 1;
        }
        break;
      case ReportTableKind::kNumbers:
        if (!table.scores.empty()) {  // the score of the chosen choice (none: not counted as a number)
          auto score = table.scores.find(cell.text);
          if (score == table.scores.end()) break;
          number = true;
          score_text = FormatNumber(score->second);
          score_value = score->second;
          break;
        }
        number = cell.kind == CellKind::kNumber;
        (number ? table.saw_number : table.saw_other) = true;
        if (!number) return;  // a calculation that is not a number: the table is dropped
        break;
    }
  }
  auto add = [&](Tally& tally) {
    ++tally.n;
    if (cell.kind == CellKind::kEmpty) {
      ++tally.no_answer;
      return;
    }
    if (number && !table.scores.empty()) tally.numbers.Add(score_text, score_value);
    else if (number) tally.numbers.Add(cell.text, cell.number);
    for (size_t category : chosen) {
      if (tally.counts.size() <= category) tally.counts.resize(table.categories.list.size());
      ++tally.counts[category];
    }
  };
  add(table.total);
  if (grouping == nullptr) return;
  if (grouping->current == kNoAnswerGroup) {
    add(table.no_answer_group);
    return;
  }
  if (table.by_group.size() <= grouping->current) table.by_group.resize(grouping->groups.list.size());
  add(table.by_group[grouping->current]);
}

Result<ReportBuilder> ReportBuilder::Create(const DatasetLayout& layout, ReportOptions options) {
  const auto& languages = layout.newest().languages();
  if (options.language >= languages.size()) {
    std::string names;
    for (const std::string& language : languages) names += (names.empty() ? "" : ", ") + language;
    return Status::InvalidArgument("language " + std::to_string(options.language) + " is not one of form " +
                                   layout.form_id() + "'s languages (" + names + ")");
  }
  auto state = std::make_unique<State>();
  state->layout = &layout;
  state->language_code = languages[options.language];
  state->options = std::move(options);
  const ReportOptions& chosen = state->options;

  int32_t by_grouping = kNone;
  int32_t by_column = kNone;
  if (!chosen.by.empty()) {
    Result<int32_t> column = SingleChoiceColumn(layout, chosen.by, "the grouping question");
    if (!column.ok()) return column.status();
    by_column = *column;
    by_grouping = state->AddGrouping(by_column);
  }

  const Table& main = layout.main_table();
  for (int32_t c = 0; c < static_cast<int32_t>(main.columns.size()); ++c) {
    const Column& column = main.columns[static_cast<size_t>(c)];
    if (column.role != ColumnRole::kAnswer) continue;
    TableState table;
    switch (column.type) {
      case ItemType::kSelectOne:
      case ItemType::kMatrixRow: table.kind = ReportTableKind::kChoices; break;
      case ItemType::kSelectMultiple: table.kind = ReportTableKind::kMultipleChoices; break;
      case ItemType::kInteger:
      case ItemType::kDecimal: table.kind = ReportTableKind::kNumbers; break;
      case ItemType::kCalculate:
        table.kind = ReportTableKind::kNumbers;
        table.calculation = true;
        break;
      default: continue;  // text, dates, times, rankings, acknowledgements: not tabulated
    }
    table.column = c;
    table.grouping = c == by_column ? kNone : by_grouping;  // the grouping question by itself is plain
    table.name = column.question;
    table.title = state->Title(c);
    table.section = state->Section(c);
    if (table.kind != ReportTableKind::kNumbers) state->SeedCategories(c, &table.categories);
    // A single choice whose list scores its choices (a 4-point scale) also gets a table of its
    // scores: their mean and SD by group.
    TableState scored;
    if (IsSingleChoice(column.type) && state->Scores(c, &scored.scores)) {
      scored.kind = ReportTableKind::kNumbers;
      scored.column = c;
      scored.grouping = table.grouping;
      scored.name = table.name + ".score";
      scored.title = table.title + std::string(WordsFor(state->language_code).score);
      scored.section = table.section;
    }
    state->tables.push_back(std::move(table));
    if (!scored.scores.empty()) state->tables.push_back(std::move(scored));
  }

  for (const auto& [row_question, column_question] : chosen.crosses) {
    Result<int32_t> row = SingleChoiceColumn(layout, row_question, "the cross table's row question");
    if (!row.ok()) return row.status();
    Result<int32_t> column = SingleChoiceColumn(layout, column_question, "the cross table's column question");
    if (!column.ok()) return column.status();
    TableState table;
    table.kind = ReportTableKind::kCross;
    table.column = *row;
    table.grouping = state->AddGrouping(*column);
    table.name = row_question + "-" + column_question;
    table.title = state->Title(*row) + " × " + state->Title(*column);
    state->SeedCategories(*row, &table.categories);
    state->tables.push_back(std::move(table));
  }
  return ReportBuilder(std::move(state));
}

ReportBuilder::ReportBuilder(std::unique_ptr<State> state) : state_(std::move(state)) {}
ReportBuilder::ReportBuilder(ReportBuilder&&) noexcept = default;
ReportBuilder& ReportBuilder::operator=(ReportBuilder&&) noexcept = default;
ReportBuilder::~ReportBuilder() = default;

Status ReportBuilder::Add(const SubmissionRows& rows) {
  State& state = *state_;
  const Table& main = state.layout->main_table();
  if (rows.main.size() != main.columns.size()) {
    return Status::InvalidArgument("a row of " + std::to_string(rows.main.size()) + " cells is not of form " +
                                   state.layout->form_id() + "'s main table (" +
                                   std::to_string(main.columns.size()) + " columns)");
  }
  ++state.submissions;
  for (Grouping& grouping : state.groupings) {
    const Cell& cell = rows.main[static_cast<size_t>(grouping.column)];
    if (cell.blank()) {
      grouping.current = kNoAnswerGroup;
      ++grouping.without_answer;
    } else {
      grouping.current = grouping.groups.IndexOf(cell.text, *state.layout,
                                                 main.columns[static_cast<size_t>(grouping.column)],
                                                 state.options.language);
    }
  }
  for (TableState& table : state.tables) {
    Grouping* grouping = table.grouping == kNone ? nullptr : &state.groupings[static_cast<size_t>(table.grouping)];
    state.Count(table, rows.main[static_cast<size_t>(table.column)], grouping);
  }
  return Status::Ok();
}

Report ReportBuilder::Finish() const {
  const State& state = *state_;
  const DatasetLayout& layout = *state.layout;
  const ReportWords& words = WordsFor(state.language_code);
  Report report;
  report.form_id = layout.form_id();
  report.form_version = layout.newest().version();
  report.title = std::string(layout.newest().title().Get(state.options.language));
  report.language = state.language_code;
  report.submissions = state.submissions;
  report.by = state.options.by;
  if (!report.by.empty()) {
    report.by_label = state.Title(state.groupings.front().column);
  }

  for (const TableState& table : state.tables) {
    if (table.calculation && (table.saw_other || !table.saw_number)) continue;
    ReportTable out;
    out.kind = table.kind;
    out.name = table.name;
    out.title = table.title;
    out.section = table.section;
    out.categories = table.categories.list;
    auto column_of = [&](ReportColumn::Role role, std::string code, std::string label, const Tally& tally) {
      ReportColumn column;
      column.role = role;
      column.code = std::move(code);
      column.label = std::move(label);
      if (table.kind == ReportTableKind::kNumbers) {
        column.numbers.n = tally.n;
        column.numbers.no_answer = tally.no_answer;
        tally.numbers.Summarize(&column.numbers);
      } else {
        column.choices.n = tally.n;
        column.choices.no_answer = tally.no_answer;
        column.choices.counts = tally.counts;
        column.choices.counts.resize(out.categories.size());
      }
      return column;
    };
    if (table.grouping != kNone) {
      const Grouping& grouping = state.groupings[static_cast<size_t>(table.grouping)];
      out.column_title = state.Title(grouping.column);
      const Tally empty;
      for (size_t g = 0; g < grouping.groups.list.size(); ++g) {
        const ReportCategory& group = grouping.groups.list[g];
        out.columns.push_back(column_of(ReportColumn::Role::kGroup, group.code, group.label,
                                        g < table.by_group.size() ? table.by_group[g] : empty));
      }
      if (grouping.without_answer > 0) {
        out.columns.push_back(column_of(ReportColumn::Role::kNoAnswer, "", std::string(words.no_answer),
                                        table.no_answer_group));
      }
    }
    out.columns.push_back(column_of(ReportColumn::Role::kTotal, "", std::string(words.total), table.total));
    report.tables.push_back(std::move(out));
  }
  return report;
}

}  // namespace chosa::analysis
