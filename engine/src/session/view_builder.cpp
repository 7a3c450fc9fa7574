// Builds the view model of the current page from the values the session keeps; nothing is
// cached between calls, so a view costs what the page shows, not what the form holds.
#include <nlohmann/json.hpp>

#include "session/answer_text.h"
#include "session/session_internal.h"
#include "state/form_state.h"

namespace chosa {

std::string ViewBuilder::Interpolate(std::string_view text, int32_t item, int32_t instance) const {
  if (text.find("${") == std::string_view::npos) return std::string(text);
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  std::string out;
  size_t at = 0;
  while (true) {
    size_t start = text.find("${", at);
    size_t end = start == std::string_view::npos ? std::string_view::npos : text.find('}', start);
    if (end == std::string_view::npos) {
      out.append(text.substr(at));
      return out;
    }
    out.append(text.substr(at, start - at));
    int32_t target = form.Find(text.substr(start + 2, end - start - 2));
    if (target != kNone) {
      const Item& t = form.item(target);
      // A repeat child shows its own instance's sibling; from outside a repeat it shows nothing.
      bool same_block = t.repeat == kNone || (item != kNone && t.repeat == form.item(item).repeat);
      if (same_block) out += DisplayText(state.ReadValue(target, t.repeat == kNone ? 0 : instance));
    }
    at = end + 1;
  }
}

ItemView ViewBuilder::ViewOf(int32_t item, int32_t instance, bool show_required) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  const Item& it = form.item(item);
  ItemView view;
  // Everything inside a repeat is addressed with its instance, notes and groups included.
  view.path = HoldsAnswer(it.type) || it.repeat != kNone ? s_.PathOf({item, instance}) : it.name;
  view.name = it.name;
  view.type = ItemTypeName(it.type);
  view.label = Interpolate(it.label.Get(s_.language_), item, instance);
  view.hint = Interpolate(it.hint.Get(s_.language_), item, instance);
  view.appearance = it.appearance;
  int32_t owner = it.type == ItemType::kMatrixRow ? it.parent : item;
  view.required = HoldsAnswer(it.type) || it.type == ItemType::kMatrix ? state.IsRequired(owner, instance) : false;
  view.read_only = it.calculation != kNone || state.IsReadOnly(owner, instance);
  if (HoldsAnswer(it.type)) view.value = DisplayText(state.StoredValue(item, instance));

  if (it.type == ItemType::kSelectMultiple) {
    view.min_choices = it.min;
    view.max_choices = it.max;
  }
  SessionValidator validator(s_);
  if (IsSelect(it.type)) {
    const ChoiceList& list = form.choice_lists()[static_cast<size_t>(it.list)];
    std::vector<std::string> selected = SplitValues(view.value);
    for (size_t c = 0; c < list.choices.size(); ++c) {
      const Choice& choice = list.choices[c];
      bool chosen = false;
      for (const std::string& v : selected) chosen = chosen || v == choice.value;
      const bool offered = validator.ChoicePasses(item, instance, static_cast<int32_t>(c));
      if (!offered && !chosen) continue;
      ChoiceView cv;
      cv.value = choice.value;
      cv.label = choice.label.Get(s_.language_);
      cv.selected = chosen;
      (offered ? view.choices : view.withdrawn).push_back(std::move(cv));
    }
  }
  std::vector<AnswerError> errors;
  validator.ItemErrors(item, instance, show_required, &errors);
  for (const AnswerError& e : errors) view.errors.push_back({ErrorKindName(e.kind), e.message});

  switch (it.type) {
    case ItemType::kGroup:
    case ItemType::kMatrix:
      AddItems(it.children, instance, show_required, &view.children);
      break;
    case ItemType::kRepeat: {
      int32_t count = state.InstanceCount(item);
      for (int32_t k = 0; k < count; ++k) {
        RepeatInstanceView instance_view;
        instance_view.position = k + 1;
        AddItems(it.children, k, show_required, &instance_view.items);
        view.instances.push_back(std::move(instance_view));
      }
      bool fixed = it.repeat_count != kNone;
      view.can_add = !fixed && (it.max < 0 || count < it.max);
      view.can_remove = !fixed && count > it.min;
      if (!fixed && count < it.min) view.errors.push_back({"count", Message(MessageId::kRepeatMin, s_.language_code_, std::to_string(it.min))});
      if (!fixed && it.max >= 0 && count > it.max) view.errors.push_back({"count", Message(MessageId::kRepeatMax, s_.language_code_, std::to_string(it.max))});
      break;
    }
    default:
      break;
  }
  return view;
}

void ViewBuilder::AddItems(const std::vector<int32_t>& items, int32_t instance, bool show_required,
                           std::vector<ItemView>* out) const {
  const FormState& state = *s_.state_;
  for (int32_t item : items) {
    const Item& it = s_.form().item(item);
    if (it.type == ItemType::kCalculate) continue;  // hidden by definition
    if (!state.IsRelevant(item, it.type == ItemType::kRepeat ? 0 : instance)) continue;
    out->push_back(ViewOf(item, instance, show_required));
  }
}

ViewModel ViewBuilder::Build() const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  ViewModel view;
  view.form_id = form.id();
  view.form_version = form.version();
  view.language = s_.language_code_;
  view.languages = form.languages();
  view.title = form.title().Get(s_.language_);
  if (!form.pages().empty()) {
    const Item& page = form.item(form.pages()[static_cast<size_t>(s_.page_)]);
    view.page_name = page.name;
    view.page_label = Interpolate(page.label.Get(s_.language_), kNone, 0);
  }
  NavigationView& nav = view.navigation;
  nav.page = s_.page_;
  nav.page_count = s_.page_count();
  int32_t relevant = 0, before = 0;
  for (int32_t p = 0; p < nav.page_count; ++p) {
    bool shown = form.pages().empty() || state.IsRelevant(form.pages()[static_cast<size_t>(p)]);
    if (!shown) continue;
    ++relevant;
    if (p < s_.page_) ++before;
  }
  nav.relevant_pages = relevant;
  nav.page_number = before + 1;
  nav.can_back = s_.CanGoBack();
  nav.can_next = s_.CanGoNext();
  nav.is_last = !nav.can_next;
  const FillingProgress progress = s_.Progress();
  nav.answered = progress.answered;
  nav.questions = progress.questions;
  nav.progress_percent = progress.percent;
  bool show_required = s_.show_required_[static_cast<size_t>(s_.page_)] != 0;
  AddItems(PageItems(form, s_.page_), 0, show_required, &view.items);
  return view;
}

namespace {

nlohmann::ordered_json ItemJson(const ItemView& item) {
  nlohmann::ordered_json j;
  j["path"] = item.path;
  j["name"] = item.name;
  j["type"] = item.type;
  j["label"] = item.label;
  if (!item.hint.empty()) j["hint"] = item.hint;
  if (!item.appearance.empty()) j["appearance"] = item.appearance;
  j["required"] = item.required;
  j["read_only"] = item.read_only;
  j["value"] = item.value;
  if (!item.choices.empty()) {
    auto& choices = j["choices"] = nlohmann::ordered_json::array();
    for (const ChoiceView& c : item.choices) {
      choices.push_back({{"value", c.value}, {"label", c.label}, {"selected", c.selected}});
    }
  }
  if (!item.withdrawn.empty()) {
    auto& withdrawn = j["withdrawn"] = nlohmann::ordered_json::array();
    for (const ChoiceView& c : item.withdrawn) withdrawn.push_back({{"value", c.value}, {"label", c.label}});
  }
  if (item.min_choices > 0) j["min_choices"] = item.min_choices;
  if (item.max_choices >= 0) j["max_choices"] = item.max_choices;
  auto& errors = j["errors"] = nlohmann::ordered_json::array();
  for (const ErrorView& e : item.errors) errors.push_back({{"kind", e.kind}, {"message", e.message}});
  if (!item.children.empty()) {
    auto& children = j["children"] = nlohmann::ordered_json::array();
    for (const ItemView& child : item.children) children.push_back(ItemJson(child));
  }
  if (item.type == "repeat") {
    auto& instances = j["instances"] = nlohmann::ordered_json::array();
    for (const RepeatInstanceView& instance : item.instances) {
      nlohmann::ordered_json items = nlohmann::ordered_json::array();
      for (const ItemView& child : instance.items) items.push_back(ItemJson(child));
      instances.push_back({{"position", instance.position}, {"items", std::move(items)}});
    }
    j["can_add"] = item.can_add;
    j["can_remove"] = item.can_remove;
  }
  return j;
}

}  // namespace

std::string ViewBuilder::ToJson(const ViewModel& view) {
  nlohmann::ordered_json j;
  j["form_id"] = view.form_id;
  j["form_version"] = view.form_version;
  j["language"] = view.language;
  j["languages"] = view.languages;
  j["title"] = view.title;
  j["page_name"] = view.page_name;
  j["page_label"] = view.page_label;
  const NavigationView& n = view.navigation;
  j["navigation"] = {{"page", n.page},           {"page_count", n.page_count},
                     {"page_number", n.page_number}, {"relevant_pages", n.relevant_pages},
                     {"can_back", n.can_back},   {"can_next", n.can_next},
                     {"is_last", n.is_last},     {"answered", n.answered},
                     {"questions", n.questions}, {"progress_percent", n.progress_percent}};
  auto& items = j["items"] = nlohmann::ordered_json::array();
  for (const ItemView& item : view.items) items.push_back(ItemJson(item));
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace chosa
