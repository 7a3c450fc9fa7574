// Builds the review shown before finalize: every relevant page, its relevant items with their
// answers as stored and as a person reads them (choice labels, not codes), and every current
// error, found the way AllErrors finds them. One walk over the form's items and instances.
#include <nlohmann/json.hpp>

#include "session/answer_text.h"
#include "session/session_internal.h"
#include "state/form_state.h"

namespace chosa {

std::string ReviewBuilder::Display(int32_t item, const Value& value) const {
  if (value.is_empty()) return "";
  const Item& it = s_.form().item(item);
  if (it.type == ItemType::kAcknowledge) return Message(MessageId::kAcknowledged, s_.language_code_);
  std::string text = DisplayText(value);
  // A month-year question reads as its month: 2024-04.
  if (DateInputOf(it) == DateInput::kMonth && value.type() == Value::Type::kDate && text.size() > 3) {
    return text.substr(0, text.size() - 3);
  }
  if (!IsSelect(it.type)) return text;
  // Each value's label, found by the list's index (a value no longer in the list shows as is).
  const ChoiceList& list = s_.form().choice_lists()[static_cast<size_t>(it.list)];
  const std::string separator = Message(MessageId::kListSeparator, s_.language_code_);
  std::string out;
  bool first = true;
  ForEachValue(text, [&](std::string_view v) {
    if (!first) out += separator;
    first = false;
    int32_t index = list.Find(v);
    if (index == kNone) {
      out.append(v);
    } else {
      out.append(list.choices[static_cast<size_t>(index)].label.Get(s_.language_));
    }
  });
  return out;
}

ReviewItem ReviewBuilder::ItemOf(int32_t item, int32_t instance, Tally* tally) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  const Item& it = form.item(item);
  ReviewItem review;
  review.path = HoldsAnswer(it.type) || it.repeat != kNone ? s_.PathOf({item, instance}) : it.name;
  review.name = it.name;
  review.type = ItemTypeName(it.type);
  review.label = view_.Interpolate(it.label.Get(s_.language_), item, instance);
  int32_t owner = it.type == ItemType::kMatrixRow ? it.parent : item;
  review.required = HoldsAnswer(it.type) || it.type == ItemType::kMatrix ? state.IsRequired(owner, instance) : false;

  // The errors SessionValidator::SubtreeErrors gives, with the required ones always shown.
  std::vector<AnswerError> errors;
  switch (it.type) {
    case ItemType::kGroup:
    case ItemType::kMatrix:
      AddItems(it.children, instance, tally, &review.children);
      break;
    case ItemType::kRepeat: {
      int32_t count = state.InstanceCount(item);
      if (it.repeat_count == kNone) {
        const std::string& language = s_.language_code_;
        if (count < it.min) {
          review.errors.push_back({"count", Message(MessageId::kRepeatMin, language, std::to_string(it.min))});
        }
        if (it.max >= 0 && count > it.max) {
          review.errors.push_back({"count", Message(MessageId::kRepeatMax, language, std::to_string(it.max))});
        }
      }
      for (int32_t k = 0; k < count; ++k) {
        ReviewItem entry;
        entry.path = it.name + "[" + std::to_string(k + 1) + "]";
        entry.name = it.name;
        entry.type = "repeat_instance";
        entry.label = Message(MessageId::kRepeatInstance, s_.language_code_, review.label, std::to_string(k + 1));
        AddItems(it.children, k, tally, &entry.children);
        review.children.push_back(std::move(entry));
      }
      break;
    }
    default: {
      const Value& value = state.StoredValue(item, instance);
      review.value = DisplayText(value);
      review.display = Display(item, value);
      // Counted as the navigation counts (Session::Progress()): not a question the person
      // cannot answer, read-only now.
      if (it.calculation == kNone && !state.IsReadOnly(owner, instance)) {
        ++tally->questions;
        if (!value.is_empty()) ++tally->answered;
      }
      SessionValidator(s_).ItemErrors(item, instance, true, &errors);
      break;
    }
  }
  for (const AnswerError& e : errors) review.errors.push_back({ErrorKindName(e.kind), e.message});
  tally->errors += static_cast<int32_t>(review.errors.size());
  return review;
}

void ReviewBuilder::AddItems(const std::vector<int32_t>& items, int32_t instance, Tally* tally,
                             std::vector<ReviewItem>* out) const {
  const FormState& state = *s_.state_;
  for (int32_t item : items) {
    const Item& it = s_.form().item(item);
    // Calculates are hidden by definition; notes hold no answer to review.
    if (it.type == ItemType::kCalculate || it.type == ItemType::kNote) continue;
    if (!state.IsRelevant(item, it.type == ItemType::kRepeat ? 0 : instance)) continue;
    out->push_back(ItemOf(item, instance, tally));
  }
}

Review ReviewBuilder::Build() const {
  const Form& form = s_.form();
  Review review;
  review.form_id = form.id();
  review.form_version = form.version();
  review.language = s_.language_code_;
  review.title = form.title().Get(s_.language_);
  Tally tally;
  for (int32_t p = 0; p < s_.page_count(); ++p) {
    if (!PageRelevantIn(form, *s_.state_, p)) continue;
    PageReview page;
    page.page = p;
    if (!form.pages().empty()) {
      const Item& it = form.item(form.pages()[static_cast<size_t>(p)]);
      page.name = it.name;
      page.label = view_.Interpolate(it.label.Get(s_.language_), kNone, 0);
    }
    int32_t errors_before = tally.errors;
    AddItems(PageItems(form, p), 0, &tally, &page.items);
    page.error_count = tally.errors - errors_before;
    review.pages.push_back(std::move(page));
  }
  review.error_count = tally.errors;
  review.answered = tally.answered;
  review.questions = tally.questions;
  review.can_finalize = tally.errors == 0;
  return review;
}

namespace {

nlohmann::ordered_json ItemJson(const ReviewItem& item) {
  nlohmann::ordered_json j;
  j["path"] = item.path;
  j["name"] = item.name;
  j["type"] = item.type;
  j["label"] = item.label;
  j["value"] = item.value;
  j["display"] = item.display;
  j["required"] = item.required;
  auto& errors = j["errors"] = nlohmann::ordered_json::array();
  for (const ErrorView& e : item.errors) errors.push_back({{"kind", e.kind}, {"message", e.message}});
  auto& children = j["children"] = nlohmann::ordered_json::array();
  for (const ReviewItem& child : item.children) children.push_back(ItemJson(child));
  return j;
}

}  // namespace

std::string ReviewBuilder::ToJson(const Review& review) {
  nlohmann::ordered_json j;
  j["form_id"] = review.form_id;
  j["form_version"] = review.form_version;
  j["language"] = review.language;
  j["title"] = review.title;
  auto& pages = j["pages"] = nlohmann::ordered_json::array();
  for (const PageReview& page : review.pages) {
    nlohmann::ordered_json items = nlohmann::ordered_json::array();
    for (const ReviewItem& item : page.items) items.push_back(ItemJson(item));
    pages.push_back({{"page", page.page},
                     {"name", page.name},
                     {"label", page.label},
                     {"error_count", page.error_count},
                     {"items", std::move(items)}});
  }
  j["error_count"] = review.error_count;
  j["answered"] = review.answered;
  j["questions"] = review.questions;
  j["can_finalize"] = review.can_finalize;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace chosa
