#include "page_index.h"

#include <utility>

namespace chosa {
namespace tools {

namespace {

bool IsQuestionType(const std::string& type) {
  return type != "group" && type != "repeat" && type != "matrix" && type != "note" && type != "calculate" &&
         type != "page";
}

void CollectNumbered(const std::vector<ItemView>& items, const std::string& matrix, PageIndex* index) {
  for (const ItemView& item : items) {
    if (item.type == "group") {
      CollectNumbered(item.children, "", index);
    } else if (item.type == "matrix") {
      CollectNumbered(item.children, item.path, index);
    } else if (item.type == "repeat") {
      index->repeats.push_back({item.name, item.label, static_cast<int32_t>(item.instances.size()), item.can_add,
                                item.can_remove});
      for (const RepeatInstanceView& instance : item.instances) CollectNumbered(instance.items, "", index);
    } else if (IsQuestionType(item.type)) {
      NumberedItem numbered;
      numbered.number = static_cast<int>(index->items.size()) + 1;
      numbered.path = item.path;
      numbered.type = item.type;
      numbered.label = item.label;
      numbered.read_only = item.read_only;
      numbered.required = item.required;
      numbered.choices = item.choices;
      numbered.value = item.value;
      numbered.errors = item.errors;
      numbered.matrix = matrix;
      index->items.push_back(std::move(numbered));
    }
  }
}

}  // namespace

const NumberedItem* PageIndex::Find(int64_t number) const {
  if (number < 1 || number > static_cast<int64_t>(items.size())) return nullptr;
  return &items[static_cast<size_t>(number - 1)];
}

bool PageIndex::SameShape(const PageIndex& other) const {
  if (items.size() != other.items.size() || repeats.size() != other.repeats.size()) return false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].path != other.items[i].path) return false;
  }
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i].name != other.repeats[i].name || repeats[i].count != other.repeats[i].count) return false;
  }
  return true;
}

PageIndex IndexPage(const ViewModel& view) {
  PageIndex index;
  CollectNumbered(view.items, "", &index);
  return index;
}

}  // namespace tools
}  // namespace chosa
