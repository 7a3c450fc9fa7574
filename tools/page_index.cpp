#include "page_index.h"

#include <unordered_map>
#include <utility>

#include "chosa/form.h"

namespace chosa {
namespace tools {

namespace {

bool IsQuestion(ItemType type) {
  switch (type) {
    case ItemType::kPage:
    case ItemType::kGroup:
    case ItemType::kRepeat:
    case ItemType::kMatrix:
    case ItemType::kNote:
    case ItemType::kCalculate:
      return false;
    default:
      return true;
  }
}

// Every answerable item under `items`, in form order, with the path the session answers it by.
void NumberFromForm(const Session& session, const std::vector<int32_t>& items, const std::string& prefix,
                    const std::string& matrix, PageIndex* index) {
  const Form& form = session.form();
  for (int32_t i : items) {
    const Item& item = form.item(i);
    if (item.type == ItemType::kGroup) {
      NumberFromForm(session, item.children, prefix, "", index);
    } else if (item.type == ItemType::kMatrix) {
      NumberFromForm(session, item.children, prefix, prefix + item.name, index);
    } else if (item.type == ItemType::kRepeat) {
      int32_t count = session.InstanceCount(i);
      for (int32_t k = 1; k <= count; ++k) {
        NumberFromForm(session, item.children, prefix + item.name + "[" + std::to_string(k) + "]/", "", index);
      }
    } else if (IsQuestion(item.type)) {
      NumberedItem numbered;
      numbered.number = static_cast<int>(index->items.size()) + 1;
      numbered.path = prefix + item.name;
      numbered.name = item.name;
      numbered.type = ItemTypeName(item.type);
      numbered.matrix = matrix;
      index->items.push_back(std::move(numbered));
    }
  }
}

struct Shown {
  const ItemView* view = nullptr;
  std::string matrix;
  bool taken = false;
};

// The answerable items the view draws, in its order.
void CollectShown(const std::vector<ItemView>& items, const std::string& matrix, std::vector<Shown>* shown,
                  std::vector<RepeatOnPage>* repeats) {
  for (const ItemView& item : items) {
    if (item.type == "group") {
      CollectShown(item.children, "", shown, repeats);
    } else if (item.type == "matrix") {
      CollectShown(item.children, item.path, shown, repeats);
    } else if (item.type == "repeat") {
      repeats->push_back({item.name, item.label, static_cast<int32_t>(item.instances.size()), item.can_add,
                          item.can_remove});
      for (const RepeatInstanceView& instance : item.instances) CollectShown(instance.items, "", shown, repeats);
    } else if (item.type != "note" && item.type != "calculate" && item.type != "page") {
      shown->push_back({&item, matrix});
    }
  }
}

void TakeView(const ItemView& view, const std::string& matrix, NumberedItem* item) {
  item->shown = true;
  item->label = view.label;
  item->appearance = view.appearance;
  item->read_only = view.read_only;
  item->required = view.required;
  item->choices = view.choices;
  item->value = view.value;
  item->errors = view.errors;
  item->matrix = matrix;
}

}  // namespace

const NumberedItem* PageIndex::Find(int64_t number) const {
  if (number < 1 || number > static_cast<int64_t>(items.size())) return nullptr;
  return &items[static_cast<size_t>(number - 1)];
}

const NumberedItem* PageIndex::FindPath(const std::string& path) const {
  for (const NumberedItem& item : items) {
    if (item.path == path) return &item;
  }
  return nullptr;
}

bool PageIndex::SameShape(const PageIndex& other) const {
  if (items.size() != other.items.size() || repeats.size() != other.repeats.size()) return false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].path != other.items[i].path || items[i].shown != other.items[i].shown) return false;
  }
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i].name != other.repeats[i].name || repeats[i].count != other.repeats[i].count) return false;
  }
  return true;
}

PageIndex IndexPage(const Session& session, const ViewModel& view) {
  PageIndex index;
  const Form& form = session.form();
  if (form.pages().empty()) {
    NumberFromForm(session, form.top_level(), "", "", &index);
  } else {
    NumberFromForm(session, form.item(form.pages()[static_cast<size_t>(session.page_index())]).children, "", "",
                   &index);
  }
  std::vector<Shown> shown;
  CollectShown(view.items, "", &shown, &index.repeats);
  std::unordered_map<std::string, size_t> by_path;
  for (size_t i = 0; i < index.items.size(); ++i) by_path.emplace(index.items[i].path, i);
  for (Shown& s : shown) {
    auto found = by_path.find(s.view->path);
    if (found == by_path.end()) continue;
    TakeView(*s.view, s.matrix, &index.items[found->second]);
    s.taken = true;
  }
  // The view draws nothing the form walk missed; should it ever, the item is still answerable.
  for (const Shown& s : shown) {
    if (s.taken) continue;
    NumberedItem item;
    item.number = static_cast<int>(index.items.size()) + 1;
    item.path = s.view->path;
    item.name = s.view->name;
    item.type = s.view->type;
    TakeView(*s.view, s.matrix, &item);
    index.items.push_back(std::move(item));
  }
  return index;
}

}  // namespace tools
}  // namespace chosa
