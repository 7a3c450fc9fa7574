#include "chosa/dataset_layout.h"

#include <algorithm>

namespace chosa::analysis {
namespace {

std::vector<std::string> MetadataNames() {
  return {"_uuid", "_form_version", "_device_id", "_enumerator_id", "_started_at",
          "_ended_at", "_received_at", "_received_from", "_replaces"};
}

// The columns one version gives each table, in document order.
struct VersionColumns {
  std::vector<std::string> table_names;     // "" then repeats
  std::vector<std::vector<Column>> tables;  // by the same index
};

void AddQuestionColumns(const Form& form, const Item& item, std::vector<Column>* out) {
  Column answer;
  answer.name = item.name;
  answer.role = ColumnRole::kAnswer;
  answer.type = item.type;
  answer.question = item.name;
  answer.list = item.list;
  out->push_back(answer);
  if (item.type != ItemType::kSelectMultiple || item.list == kNone) return;
  for (const Choice& choice : form.choice_lists()[static_cast<size_t>(item.list)].choices) {
    Column flag = answer;
    flag.name = item.name + "/" + choice.value;
    flag.role = ColumnRole::kChoiceFlag;
    flag.choice = choice.value;
    out->push_back(std::move(flag));
  }
}

VersionColumns ColumnsOf(const Form& form) {
  VersionColumns out;
  out.table_names.push_back("");
  out.tables.emplace_back();
  std::unordered_map<int32_t, size_t> table_of_repeat;
  for (int32_t index = 0; index < static_cast<int32_t>(form.items().size()); ++index) {
    const Item& item = form.item(index);
    if (item.type == ItemType::kRepeat) {
      table_of_repeat[index] = out.tables.size();
      out.table_names.push_back(item.name);
      out.tables.emplace_back();
      continue;
    }
    if (!HoldsAnswer(item.type)) continue;
    const size_t table = item.repeat == kNone ? 0 : table_of_repeat.at(item.repeat);
    AddQuestionColumns(form, item, &out.tables[table]);
  }
  return out;
}

// Adds the columns of `version` missing from `merged`, each after the column it follows in
// `version` (or at the start of the questions when it comes first).
void Merge(const std::vector<Column>& version, size_t first_question, std::vector<Column>* merged) {
  size_t insert_at = first_question;
  for (const Column& column : version) {
    auto found = std::find_if(merged->begin(), merged->end(),
                              [&](const Column& existing) { return existing.name == column.name; });
    if (found != merged->end()) {
      insert_at = static_cast<size_t>(found - merged->begin()) + 1;
      continue;
    }
    merged->insert(merged->begin() + static_cast<std::ptrdiff_t>(insert_at), column);
    ++insert_at;
  }
}

// The index of `language` in `form`'s languages, or its default language.
size_t LanguageIn(const Form& form, std::string_view language) {
  const auto& languages = form.languages();
  auto found = std::find(languages.begin(), languages.end(), language);
  return found == languages.end() ? form.default_language() : static_cast<size_t>(found - languages.begin());
}

}  // namespace

int32_t Table::AnswerColumn(std::string_view question) const {
  int32_t index = ColumnIndex(question);
  return index != kNone && columns[static_cast<size_t>(index)].role == ColumnRole::kAnswer ? index : kNone;
}

int32_t Table::ColumnIndex(std::string_view column_name) const {
  auto found = index_of_name_.find(std::string(column_name));
  return found == index_of_name_.end() ? kNone : found->second;
}

Result<DatasetLayout> DatasetLayout::FromForms(std::vector<std::shared_ptr<const Form>> versions) {
  if (versions.empty()) return Status::InvalidArgument("a dataset needs at least one form version");
  for (const auto& version : versions) {
    if (version == nullptr) return Status::InvalidArgument("a form version is missing");
    if (version->id() != versions.front()->id()) {
      return Status::InvalidArgument("form versions of " + versions.front()->id() + " and " + version->id() +
                                     " cannot make one dataset");
    }
  }
  DatasetLayout layout;
  layout.versions_ = std::move(versions);

  std::vector<std::string> names{""};
  layout.tables_.emplace_back();
  for (const std::string& name : MetadataNames()) {
    Column column;
    column.name = name;
    layout.tables_[0].columns.push_back(std::move(column));
  }
  for (const auto& version : layout.versions_) {
    VersionColumns columns = ColumnsOf(*version);
    for (size_t t = 0; t < columns.tables.size(); ++t) {
      auto found = std::find(names.begin(), names.end(), columns.table_names[t]);
      size_t table = static_cast<size_t>(found - names.begin());
      if (found == names.end()) {
        names.push_back(columns.table_names[t]);
        layout.tables_.emplace_back();
        layout.tables_.back().name = columns.table_names[t];
        for (const char* key : {"_submission_uuid", "_position"}) {
          Column column;
          column.name = key;
          layout.tables_.back().columns.push_back(std::move(column));
        }
      }
      const size_t first_question = t == 0 ? size_t{kMetadataColumnCount} : size_t{kRepeatKeyColumnCount};
      Merge(columns.tables[t], first_question, &layout.tables_[table].columns);
    }
  }
  for (Table& table : layout.tables_) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      table.index_of_name_.emplace(table.columns[i].name, static_cast<int32_t>(i));
    }
  }
  // Newest first: the first version found to define a question describes it.
  for (auto it = layout.versions_.rbegin(); it != layout.versions_.rend(); ++it) {
    const Form& form = **it;
    for (int32_t index = 0; index < static_cast<int32_t>(form.items().size()); ++index) {
      if (HoldsAnswer(form.item(index).type)) layout.definition_of_.emplace(form.item(index).name, std::make_pair(&form, index));
    }
  }
  for (Table& table : layout.tables_) {
    for (Column& column : table.columns) {
      auto found = layout.definition_of_.find(column.question);
      if (found != layout.definition_of_.end()) column.list = found->second.first->item(found->second.second).list;
    }
  }
  return layout;
}

const Form* DatasetLayout::Version(std::string_view version) const {
  for (const auto& form : versions_) {
    if (form->version() == version) return form.get();
  }
  return nullptr;
}

int32_t DatasetLayout::RepeatTable(std::string_view name) const {
  for (size_t i = 1; i < tables_.size(); ++i) {
    if (tables_[i].name == name) return static_cast<int32_t>(i);
  }
  return kNone;
}

std::pair<const Form*, const Choice*> DatasetLayout::NewestChoice(const Column& column, std::string_view value) const {
  for (auto it = versions_.rbegin(); it != versions_.rend(); ++it) {
    const Form& form = **it;
    const int32_t item = form.Find(column.question);
    if (item == kNone || form.item(item).list == kNone) continue;
    const ChoiceList& list = form.choice_lists()[static_cast<size_t>(form.item(item).list)];
    const int32_t choice = list.Find(value);
    if (choice != kNone) return {&form, &list.choices[static_cast<size_t>(choice)]};
  }
  return {nullptr, nullptr};
}

std::string_view DatasetLayout::ChoiceLabel(const Column& column, std::string_view value, size_t language) const {
  const auto [form, choice] = NewestChoice(column, value);
  if (choice == nullptr) return value;
  const std::string& language_code = newest().languages()[std::min(language, newest().languages().size() - 1)];
  std::string_view label = choice->label.Get(LanguageIn(*form, language_code));
  return label.empty() ? value : label;
}

std::optional<double> DatasetLayout::ChoiceScore(const Column& column, std::string_view value) const {
  const Choice* choice = NewestChoice(column, value).second;
  return choice != nullptr ? choice->score : std::nullopt;
}

std::string_view DatasetLayout::QuestionLabel(const Column& column, size_t language) const {
  auto found = definition_of_.find(column.question);
  if (found == definition_of_.end()) return {};
  const Form& form = *found->second.first;
  const std::string& language_code = newest().languages()[std::min(language, newest().languages().size() - 1)];
  return form.item(found->second.second).label.Get(LanguageIn(form, language_code));
}

}  // namespace chosa::analysis
