// The form compiler's driver: runs the passes in order and collects the faults. The passes
// live beside it: form_reader.cpp (the document), expression_binder.cpp (expressions, defaults,
// labels), graph_builder.cpp (dependencies and cycles).
#include "form/form_compiler.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "form/compiler_support.h"
#include "chosa/base/json_reader.h"
#include "chosa/base/suggest.h"

namespace chosa {

FormCompiler::FormCompiler(const FormLoadOptions& options) : options_(options), form_(new Form()) {
  form_->graph_ = std::make_unique<DependencyGraph>();
}

void FormCompiler::Fault(std::string pointer, std::string message, int column) {
  faults_.push_back(Status::InvalidArgument(std::move(message), std::move(pointer), column));
}

FormLoadResult FormCompiler::Run(std::string_view json) {
  FormLoadResult result;
  JsonDocument document;
  Status parsed = document.Parse(json);
  if (!parsed.ok()) {
    result.faults.push_back(parsed);
    return result;
  }
  // About one item per 200 bytes of form text or more: few reallocations while reading.
  form_->items_.reserve(json.size() / 200 + 16);
  item_pointer_ends_.reserve(json.size() / 200 + 16);
  ReadForm(document.root());
  CheckNames();
  ResolveChoiceListReferences();
  AssignSlots();
  CompileExpressions();
  CheckDefaults();
  CheckLabels();
  BuildGraph();  // over the expressions that compiled: reports cycles even beside other faults
  // Document order, comparing array indices as numbers ("/items/2" before "/items/10").
  std::stable_sort(faults_.begin(), faults_.end(), [](const Status& a, const Status& b) {
    return PointerLess(a.pointer(), b.pointer());
  });
  result.faults = std::move(faults_);
  if (!result.faults.empty()) return result;
  // The form lives as long as its sessions: keep no spare capacity.
  form_->items_.shrink_to_fit();
  form_->expressions_.shrink_to_fit();
  result.form = std::shared_ptr<const Form>(form_.release());
  return result;
}

// Names, lists and slots

void FormCompiler::CheckNames() {
  auto& items = form_->items_;
  // At most half full, so that a probe ends soon.
  size_t size = 16;
  while (size < 2 * items.size()) size *= 2;
  form_->name_table_.assign(size, kNone);
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& name = items[i].name;
    if (name.empty()) continue;  // already reported
    int32_t& slot = form_->name_table_[form_->NameSlot(name)];
    if (slot != kNone) {
      Fault(ItemPointer(static_cast<int32_t>(i)) + "/name",
            "duplicate name \"" + name + "\" (first used at " + ItemPointer(slot) + ")");
      continue;
    }
    slot = static_cast<int32_t>(i);
  }
}

const std::vector<std::string>& FormCompiler::ItemNames() {
  if (item_names_.empty()) {
    for (const Item& item : form_->items_) {
      if (!item.name.empty()) item_names_.push_back(item.name);
    }
    std::sort(item_names_.begin(), item_names_.end());  // "did you mean" ties resolve the same way
    item_names_.erase(std::unique(item_names_.begin(), item_names_.end()), item_names_.end());
  }
  return item_names_;
}

void FormCompiler::ResolveChoiceListReferences() {
  std::vector<std::string_view> names;
  for (const auto& list : form_->choice_lists_) names.push_back(list.name);
  for (const auto& reference : list_references_) {
    int32_t found = kNone;
    for (size_t i = 0; i < form_->choice_lists_.size(); ++i) {
      if (form_->choice_lists_[i].name == reference.second) found = static_cast<int32_t>(i);
    }
    Item& item = form_->items_[static_cast<size_t>(reference.first)];
    if (found == kNone) {
      Fault(ItemPointer(reference.first) + "/list", "unknown choice list \"" + std::string(reference.second) + "\"" +
                                                      DidYouMean(reference.second, names, "\"", "\""));
      continue;
    }
    item.list = found;
    if (item.type == ItemType::kMatrix) {
      for (int32_t row : item.children) form_->items_[static_cast<size_t>(row)].list = found;
    }
  }
}

void FormCompiler::AssignSlots() {
  for (Item& item : form_->items_) {
    if (item.repeat == kNone) {
      item.slot = form_->root_slots_++;
    } else {
      item.slot = form_->repeat_slots_[item.repeat]++;
    }
  }
}

FormLoadResult Form::Load(std::string_view json, const FormLoadOptions& options) {
  return FormCompiler(options).Run(json);
}

FormLoadResult Form::LoadFile(const std::string& path, FormLoadOptions options) {
  bool found;
  errno = 0;
  std::string text = ReadFileText(path, &found);
  if (!found) {
    const int why = errno;
    FormLoadResult result;
    result.faults.push_back(Status::IOError("cannot read " + path + (why != 0 ? std::string(": ") + std::strerror(why) : "")));
    return result;
  }
  FormCompiler compiler(options);
  compiler.set_base_dir(DirectoryOf(path));
  return compiler.Run(text);
}

}  // namespace chosa
