// Pass 1 of the form compiler, its items: every item and its properties, checked against the
// property schema (item_properties.h), matrix rows, and the expressions left for pass 2
// (form_reader.cpp has the rest of the document).
#include <algorithm>

#include "form/compiler_support.h"
#include "form/form_compiler.h"
#include "form/item_properties.h"
#include "form/reader_values.h"
#include "form/text_arena.h"
#include "chosa/base/json_reader.h"
#include "chosa/base/suggest.h"

namespace chosa {

using simdjson::dom::element;
using simdjson::dom::element_type;

int32_t FormCompiler::NewItem(ItemType type, std::string_view pointer, int32_t parent, int32_t repeat, int32_t page) {
  Item item;
  item.type = type;
  item.parent = parent;
  item.repeat = repeat;
  item.page = page;
  form_->items_.push_back(std::move(item));
  item_pointers_.append(pointer);
  item_pointer_ends_.push_back(static_cast<uint32_t>(item_pointers_.size()));
  int32_t index = static_cast<int32_t>(form_->items_.size() - 1);
  if (parent == kNone) {
    form_->top_level_.push_back(index);
  } else {
    form_->items_[static_cast<size_t>(parent)].children.push_back(index);
  }
  return index;
}

std::string FormCompiler::ItemPointer(int32_t item) const {
  const size_t i = static_cast<size_t>(item);
  const size_t begin = i == 0 ? 0 : item_pointer_ends_[i - 1];
  return item_pointers_.substr(begin, item_pointer_ends_[i] - begin);
}

void FormCompiler::ReadItems(element value, std::string& pointer, int32_t parent, int32_t repeat, int32_t page) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    Fault(pointer, "items must be an array, not " + TypeOfJson(value));
    return;
  }
  const size_t length = pointer.size();
  size_t index = 0;
  for (element item : array) {
    PointerAppendTo(pointer, index++);
    ReadItem(item, pointer, parent, repeat, page);
    pointer.resize(length);
  }
}

void FormCompiler::ReadItem(element value, std::string& pointer, int32_t parent, int32_t repeat, int32_t page) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    Fault(pointer, "an item must be an object, not " + TypeOfJson(value));
    return;
  }
  std::string_view type_name;
  element type_value;
  if (object["type"].get(type_value) != simdjson::SUCCESS) {
    Fault(pointer, "missing property \"type\"");
    return;
  }
  if (type_value.get_string().get(type_name) != simdjson::SUCCESS) {
    Fault(pointer + "/type", "type must be a string");
    return;
  }
  std::optional<ItemType> type = ParseItemType(type_name);
  if (!type) {
    Fault(pointer + "/type",
          "unknown item type \"" + std::string(type_name) + "\"" + DidYouMean(type_name, ItemTypeNames(), "\"", "\""));
    return;
  }
  if (*type == ItemType::kPage && parent != kNone) {
    Fault(pointer + "/type", "a page can only be a top-level item");
  }
  if (*type == ItemType::kRepeat && repeat != kNone) {
    std::string_view inner;
    if (object["name"].get_string().get(inner) != simdjson::SUCCESS) inner = "?";
    Fault(pointer + "/type", "nested repeat: \"" + std::string(inner) + "\" is inside repeat \"" +
                                 form_->item(repeat).name + "\"; chosa supports one level of repeats");
  }
  int32_t index = NewItem(*type, pointer, parent, repeat, *type == ItemType::kPage ? kNone : page);
  if (*type == ItemType::kPage) {
    form_->items_[static_cast<size_t>(index)].page = index;
    form_->pages_.push_back(index);
  }
  if (*type == ItemType::kRepeat) form_->repeats_.push_back(index);
  auto item = [&]() -> Item& { return form_->items_[static_cast<size_t>(index)]; };

  const std::vector<std::string_view>& allowed = AllowedProperties(*type);
  const uint32_t allowed_mask = AllowedMask(*type);
  bool has_name = false, has_items = false, has_list = false, has_rows = false, has_calculation = false;
  element items_value, rows_value;
  for (auto field : object) {
    std::string_view key = field.key;
    // Most fields never need their pointer: build it only for a fault or a stored expression.
    auto at = [&pointer, key] { return PointerAppend(pointer, key); };
    element v = field.value;
    const Prop prop = LookupProp(key);
    if (prop == Prop::kUnknown || !(allowed_mask & (1u << static_cast<unsigned>(prop)))) {
      if (IsKnownProperty(key)) {
        Fault(at(), "property \"" + std::string(key) + "\" is not allowed on a " + std::string(type_name));
      } else {
        Fault(at(), UnknownKeyMessage(key, allowed));
      }
      continue;
    }
    switch (prop) {
      case Prop::kType:
        break;
      case Prop::kName: {
        has_name = true;
        std::string_view name;
        if (v.get_string().get(name) != simdjson::SUCCESS || !IsName(name)) {
          Fault(at(),
                "a name is ASCII letters, digits and '_', starting with a letter or '_' (it is the export column)");
        } else {
          item().name = std::string(name);
        }
        break;
      }
      case Prop::kLabel:
        item().label = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kHint:
        item().hint = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kRequiredMessage:
        item().required_message = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kConstraintMessage:
        item().constraint_message = ReadText(v, pointer, key, index, true);
        break;
      case Prop::kAppearance: {
        std::string_view appearance;
        if (v.get_string().get(appearance) != simdjson::SUCCESS) {
          Fault(at(), "appearance must be a string such as \"likert\"");
        } else {
          item().appearance = std::string(appearance);
        }
        break;
      }
      case Prop::kRelevant:
        AddExpression(v, index, ExprRole::kRelevant);
        break;
      case Prop::kConstraint:
        AddExpression(v, index, ExprRole::kConstraint);
        break;
      case Prop::kCalculation:
        has_calculation = true;
        AddExpression(v, index, ExprRole::kCalculation);
        break;
      case Prop::kChoiceFilter:
        AddExpression(v, index, ExprRole::kChoiceFilter);
        break;
      case Prop::kCount:
        AddExpression(v, index, ExprRole::kRepeatCount);
        break;
      case Prop::kRequired:
        ReadExpressionOrBool(v, index, ExprRole::kRequired);
        break;
      case Prop::kReadOnly:
        ReadExpressionOrBool(v, index, ExprRole::kReadOnly);
        break;
      case Prop::kDefault: {
        std::string_view text;
        double number;
        bool flag;
        if (v.get_string().get(text) == simdjson::SUCCESS) {
          item().default_value = std::string(text);
        } else if (IsJsonNumber(v) && v.get_double().get(number) == simdjson::SUCCESS) {
          item().default_value = FormatNumber(number);
        } else if (v.get_bool().get(flag) == simdjson::SUCCESS) {
          Fault(at(), "default is an answer written as a string or a number, not a boolean");
        } else {
          Fault(at(), "default must be a string or a number");
        }
        break;
      }
      case Prop::kList: {
        has_list = true;
        std::string_view list;
        if (v.get_string().get(list) != simdjson::SUCCESS) {
          Fault(at(), "list must be the name of a choice list");
        } else {
          list_references_.emplace_back(index, list);
        }
        break;
      }
      case Prop::kMin:
      case Prop::kMax:
      case Prop::kMinChoices:
      case Prop::kMaxChoices: {
        auto n = IntegerIn(v, 0, 100000);
        if (!n) {
          Fault(at(), std::string(key) + " must be a whole number from 0 to 100000");
        } else if (prop == Prop::kMin || prop == Prop::kMinChoices) {
          item().min = static_cast<int32_t>(*n);
        } else {
          item().max = static_cast<int32_t>(*n);
        }
        break;
      }
      case Prop::kItems:
        has_items = true;
        items_value = v;
        break;
      case Prop::kRows:
        has_rows = true;
        rows_value = v;
        break;
      case Prop::kUnknown:
        break;
    }
  }
  if (!has_name) Fault(pointer, "missing property \"name\"");
  if (IsSelect(*type) || *type == ItemType::kMatrix) {
    if (!has_list) Fault(pointer, "missing property \"list\": a " + std::string(type_name) + " needs a choice list");
  }
  if (*type == ItemType::kCalculate && !has_calculation) Fault(pointer, "missing property \"calculation\"");
  if (item().max >= 0 && item().max < item().min) {
    Fault(pointer + (*type == ItemType::kRepeat ? "/max" : "/max_choices"), "max is smaller than min");
  }
  if (*type == ItemType::kRepeat && object["count"].error() == simdjson::SUCCESS &&
      (object["min"].error() == simdjson::SUCCESS || object["max"].error() == simdjson::SUCCESS)) {
    Fault(pointer + "/count", "a repeat has either a count expression or min/max, not both");
  }
  if (*type == ItemType::kPage || *type == ItemType::kGroup || *type == ItemType::kRepeat) {
    if (!has_items) {
      Fault(pointer, "missing property \"items\"");
    } else {
      simdjson::dom::array children;
      if (items_value.get_array().get(children) == simdjson::SUCCESS && children.size() == 0) {
        Fault(pointer + "/items", "a " + std::string(type_name) + " needs at least one item");
      }
      const size_t length = pointer.size();
      pointer += "/items";
      ReadItems(items_value, pointer, index, *type == ItemType::kRepeat ? index : repeat,
                *type == ItemType::kPage ? index : page);
      pointer.resize(length);
    }
  }
  if (*type == ItemType::kMatrix) {
    if (!has_rows) {
      Fault(pointer, "missing property \"rows\"");
    } else {
      const size_t length = pointer.size();
      pointer += "/rows";
      ReadMatrixRows(rows_value, pointer, index);
      pointer.resize(length);
    }
  }
}

void FormCompiler::ReadMatrixRows(element value, std::string& pointer, int32_t matrix) {
  simdjson::dom::array rows;
  if (value.get_array().get(rows) != simdjson::SUCCESS || rows.size() == 0) {
    Fault(pointer, "rows must be a non-empty array of {\"name\", \"label\"}");
    return;
  }
  const size_t length = pointer.size();
  size_t index = 0;
  for (element row_value : rows) {
    pointer.resize(length);
    PointerAppendTo(pointer, index++);
    const std::string& at = pointer;
    simdjson::dom::object object;
    if (row_value.get_object().get(object) != simdjson::SUCCESS) {
      Fault(at, "a row must be an object with name and label");
      continue;
    }
    const Item& owner = form_->item(matrix);
    int32_t row = NewItem(ItemType::kMatrixRow, at, matrix, owner.repeat, owner.page);
    bool has_name = false;
    for (auto field : object) {
      auto field_at = [&at, &field] { return PointerAppend(at, field.key); };
      if (field.key == "name") {
        std::string_view name;
        if (field.value.get_string().get(name) != simdjson::SUCCESS || !IsName(name)) {
          Fault(field_at(), "a name is ASCII letters, digits and '_', starting with a letter or '_'");
        } else {
          form_->items_[static_cast<size_t>(row)].name = std::string(name);
          has_name = true;
        }
      } else if (field.key == "label") {
        form_->items_[static_cast<size_t>(row)].label = ReadText(field.value, at, field.key, row, true);
      } else {
        Fault(field_at(), UnknownKeyMessage(field.key, {"name", "label"}));
      }
    }
    if (!has_name) Fault(at, "missing property \"name\"");
  }
  pointer.resize(length);
}

void FormCompiler::ReadExpressionOrBool(element value, int32_t item, ExprRole role) {
  bool flag;
  if (value.get_bool().get(flag) == simdjson::SUCCESS) {
    Item& target = form_->items_[static_cast<size_t>(item)];
    (role == ExprRole::kRequired ? target.required : target.read_only) = flag;
    return;
  }
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS &&
      (text == "yes" || text == "no" || text == "true" || text == "false")) {
    Fault(PointerOf({item, role, {}}), "write the JSON boolean " +
                                           std::string(text == "yes" || text == "true" ? "true" : "false") +
                                           " instead of the string \"" + std::string(text) + "\"");
    return;
  }
  AddExpression(value, item, role);
}

void FormCompiler::AddExpression(element value, int32_t item, ExprRole role) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    Fault(PointerOf({item, role, {}}), "an expression must be a string, not " + TypeOfJson(value));
    return;
  }
  pending_.push_back({item, role, text});
}

std::string FormCompiler::PointerOf(const PendingExpression& pending) const {
  if (pending.item == kNone) return "/settings/instance_name";
  const char* key = "";
  switch (pending.role) {
    case ExprRole::kRelevant:
      key = "relevant";
      break;
    case ExprRole::kRequired:
      key = "required";
      break;
    case ExprRole::kReadOnly:
      key = "read_only";
      break;
    case ExprRole::kConstraint:
      key = "constraint";
      break;
    case ExprRole::kCalculation:
      key = "calculation";
      break;
    case ExprRole::kChoiceFilter:
      key = "choice_filter";
      break;
    case ExprRole::kRepeatCount:
      key = "count";
      break;
    case ExprRole::kInstanceName:
      return "/settings/instance_name";
  }
  return ItemPointer(pending.item) + "/" + key;
}

int32_t* FormCompiler::ExpressionField(const PendingExpression& pending) {
  if (pending.item == kNone) return &form_->settings_.instance_name;
  Item& item = form_->items_[static_cast<size_t>(pending.item)];
  switch (pending.role) {
    case ExprRole::kRelevant:
      return &item.relevant;
    case ExprRole::kRequired:
      return &item.required_if;
    case ExprRole::kReadOnly:
      return &item.read_only_if;
    case ExprRole::kConstraint:
      return &item.constraint;
    case ExprRole::kCalculation:
      return &item.calculation;
    case ExprRole::kChoiceFilter:
      return &item.choice_filter;
    case ExprRole::kRepeatCount:
      return &item.repeat_count;
    case ExprRole::kInstanceName:
      return &form_->settings_.instance_name;
  }
  return nullptr;
}

}  // namespace chosa
