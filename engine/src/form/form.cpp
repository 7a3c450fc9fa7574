// The compiled form's accessors. Loading and checking live in form_compiler.cpp.
#include "chosa/form.h"

#include <algorithm>
#include <functional>

#include "expr/ast.h"
#include "form/dependency_graph.h"
#include "form/form_internals.h"
#include "form/text_arena.h"

namespace chosa {

const char kEncryptedFormsUnavailable[] =
    "encrypted forms are not available yet: chosa does not encrypt submissions, so this form's answers would be "
    "sent and stored in clear; remove settings.public_key";

const char* ItemTypeName(ItemType type) {
  switch (type) {
    case ItemType::kPage: return "page";
    case ItemType::kGroup: return "group";
    case ItemType::kRepeat: return "repeat";
    case ItemType::kText: return "text";
    case ItemType::kInteger: return "integer";
    case ItemType::kDecimal: return "decimal";
    case ItemType::kSelectOne: return "select_one";
    case ItemType::kSelectMultiple: return "select_multiple";
    case ItemType::kRank: return "rank";
    case ItemType::kDate: return "date";
    case ItemType::kTime: return "time";
    case ItemType::kDateTime: return "datetime";
    case ItemType::kAcknowledge: return "acknowledge";
    case ItemType::kNote: return "note";
    case ItemType::kCalculate: return "calculate";
    case ItemType::kMatrix: return "matrix";
    case ItemType::kMatrixRow: return "matrix_row";
  }
  return "unknown";
}

bool IsStructural(ItemType type) {
  return type == ItemType::kPage || type == ItemType::kGroup || type == ItemType::kRepeat || type == ItemType::kMatrix;
}

bool HoldsAnswer(ItemType type) { return !IsStructural(type) && type != ItemType::kNote; }

bool IsSelect(ItemType type) {
  return type == ItemType::kSelectOne || type == ItemType::kSelectMultiple || type == ItemType::kRank ||
         type == ItemType::kMatrixRow;
}

std::string_view LocalizedText::Get(size_t language) const {
  if (encoded_ == nullptr) return {};
  const uint32_t count = encoded_[0];
  const size_t i = language < count ? language : 0;
  const uint32_t begin = i == 0 ? 0 : encoded_[i];  // the end of the text before
  const char* chars = reinterpret_cast<const char*>(encoded_ + 1 + count);
  return std::string_view(chars + begin, encoded_[1 + i] - begin);
}

const std::string* Choice::Attribute(std::string_view name) const {
  for (const auto& attribute : attributes) {
    if (attribute.first == name) return &attribute.second;
  }
  return nullptr;
}

int32_t ChoiceList::Find(std::string_view value) const {
  // Most lists are short (yes/no, a 4-point scale): comparing values costs less than hashing
  // a copy of the text, and every select answer is looked up on every check.
  constexpr size_t kScanned = 8;
  if (choices.size() <= kScanned) {
    for (size_t i = 0; i < choices.size(); ++i) {
      if (choices[i].value == value) return static_cast<int32_t>(i);
    }
    return kNone;
  }
  auto it = index_of_value.find(std::string(value));
  return it == index_of_value.end() ? kNone : it->second;
}

Form::Form() : texts_(std::make_unique<TextArena>()) {}
Form::~Form() = default;

int32_t Form::Find(std::string_view name) const {
  if (name_table_.empty()) return kNone;
  return name_table_[NameSlot(name)];
}

size_t Form::NameSlot(std::string_view name) const {
  const size_t mask = name_table_.size() - 1;  // the size is a power of two, never full
  for (size_t slot = std::hash<std::string_view>()(name) & mask;; slot = (slot + 1) & mask) {
    const int32_t item = name_table_[slot];
    if (item == kNone || items_[static_cast<size_t>(item)].name == name) return slot;
  }
}

int32_t Form::repeat_slots(int32_t repeat) const {
  auto it = repeat_slots_.find(repeat);
  return it == repeat_slots_.end() ? 0 : it->second;
}

const Expression& ExpressionOf(const Form& form, int32_t index) { return form.expressions_[static_cast<size_t>(index)]; }
const DependencyGraph& GraphOf(const Form& form) { return *form.graph_; }
size_t Form::expression_count() const { return expressions_.size(); }

std::vector<int32_t> Form::ItemsReadBy(int32_t index) const {
  std::vector<int32_t> read;
  for (const Node& n : expressions_[static_cast<size_t>(index)].nodes) {
    const bool reads = (n.kind == NodeKind::kRef || n.kind == NodeKind::kRefAll) && n.target != kNone;
    if (reads && std::find(read.begin(), read.end(), n.target) == read.end()) read.push_back(n.target);
  }
  return read;
}

const char* NodePropertyName(NodeProperty property) {
  switch (property) {
    case NodeProperty::kRelevant: return "relevant";
    case NodeProperty::kCalculation: return "calculation";
    case NodeProperty::kRequired: return "required";
    case NodeProperty::kReadOnly: return "read_only";
    case NodeProperty::kConstraint: return "constraint";
    case NodeProperty::kRepeatCount: return "count";
  }
  return "unknown";
}

int32_t DependencyGraph::repeat_node_slots(int32_t repeat) const {
  for (const auto& entry : repeat_node_slots_) {
    if (entry.first == repeat) return entry.second;
  }
  return 0;
}

}  // namespace chosa
