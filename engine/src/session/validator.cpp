// The checks behind next and finalize: required, constraints with their messages, choices that
// no longer pass their filter, choice counts, repeat counts, and evaluation faults.
#include <cmath>

#include "expr/ast.h"
#include "session/answer_text.h"
#include "session/session_internal.h"
#include "state/form_state.h"

namespace chosa {

bool SessionValidator::ChoicePasses(int32_t item, int32_t instance, int32_t index) const {
  const Item& it = s_.form().item(item);
  int32_t filter = it.choice_filter;
  if (filter == kNone && it.type == ItemType::kMatrixRow) filter = s_.form().item(it.parent).choice_filter;
  if (filter == kNone) return true;
  const ChoiceList& list = s_.form().choice_lists()[static_cast<size_t>(it.list)];
  const Choice& choice = list.choices[static_cast<size_t>(index)];
  return s_.state_->EvaluateIn(filter, item, instance, &choice).ToBoolean();
}

void SessionValidator::ItemErrors(int32_t item, int32_t instance, bool show_required,
                                  std::vector<AnswerError>* out) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  const Item& it = form.item(item);
  if (!state.IsRelevant(item, instance)) return;
  const std::string& language = s_.language_code_;
  auto add = [&](ErrorKind kind, std::string message) {
    out->push_back({s_.PathOf({item, instance}), kind, std::move(message)});
  };

  Value failure = state.NodeResultOf(item, NodeProperty::kCalculation, instance);
  if (failure.is_error()) add(ErrorKind::kEvaluation, Message(MessageId::kEvaluation, language, failure.text()));
  if (!HoldsAnswer(it.type) || it.type == ItemType::kCalculate) return;

  const Value& value = state.StoredValue(item, instance);
  // A matrix row takes the matrix's required mark and message.
  const Item& owner = it.type == ItemType::kMatrixRow ? form.item(it.parent) : it;
  int32_t owner_index = it.type == ItemType::kMatrixRow ? it.parent : item;
  if (value.is_empty()) {
    if (show_required && state.IsRequired(owner_index, instance)) {
      add(ErrorKind::kRequired, owner.required_message.empty() ? Message(MessageId::kRequired, language)
                                                               : std::string(owner.required_message.Get(s_.language_)));
    }
    return;
  }
  if (!state.ConstraintHolds(item, instance)) {
    add(ErrorKind::kConstraint, it.constraint_message.empty() ? Message(MessageId::kConstraint, language)
                                                              : std::string(it.constraint_message.Get(s_.language_)));
  }
  if (IsSelect(it.type)) {
    // A cascading select whose parent changed may hold a choice that is no longer offered.
    const ChoiceList& list = form.choice_lists()[static_cast<size_t>(it.list)];
    int32_t count = 0;
    auto check_choice = [&](std::string_view v) {
      ++count;
      int32_t index = list.Find(v);
      if (index == kNone) {
        add(ErrorKind::kChoice, Message(MessageId::kNotAChoice, language, v));
      } else if (!ChoicePasses(item, instance, index)) {
        add(ErrorKind::kChoice, Message(MessageId::kChoiceFiltered, language, ChoiceShown(list, index, s_.language_)));
      }
    };
    if (value.type() == Value::Type::kString) {
      ForEachValue(value.text(), check_choice);
    } else {
      ForEachValue(value.ToString(), check_choice);
    }
    if (it.type == ItemType::kRank) {
      // A ranking orders every option offered.
      int32_t offered = 0;
      for (size_t c = 0; c < list.choices.size(); ++c) offered += ChoicePasses(item, instance, static_cast<int32_t>(c));
      if (count < offered) add(ErrorKind::kCount, Message(MessageId::kRankIncomplete, language));
    }
    if (it.type == ItemType::kSelectMultiple) {
      if (it.min > 0 && count < it.min) add(ErrorKind::kCount, Message(MessageId::kMinChoices, language, std::to_string(it.min)));
      if (it.max >= 0 && count > it.max) add(ErrorKind::kCount, Message(MessageId::kMaxChoices, language, std::to_string(it.max)));
    }
  }
}

void SessionValidator::SubtreeErrors(const std::vector<int32_t>& items, int32_t instance, bool show_required,
                                     std::vector<AnswerError>* out) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  for (int32_t item : items) {
    const Item& it = form.item(item);
    if (!state.IsRelevant(item, instance)) continue;
    switch (it.type) {
      case ItemType::kGroup:
      case ItemType::kMatrix:
        SubtreeErrors(it.children, instance, show_required, out);
        break;
      case ItemType::kRepeat: {
        int32_t count = state.InstanceCount(item);
        const std::string& language = s_.language_code_;
        if (it.repeat_count == kNone) {
          if (count < it.min) {
            out->push_back({it.name, ErrorKind::kCount, Message(MessageId::kRepeatMin, language, std::to_string(it.min))});
          }
          if (it.max >= 0 && count > it.max) {
            out->push_back({it.name, ErrorKind::kCount, Message(MessageId::kRepeatMax, language, std::to_string(it.max))});
          }
        }
        for (int32_t k = 0; k < count; ++k) SubtreeErrors(it.children, k, show_required, out);
        break;
      }
      default:
        ItemErrors(item, instance, show_required, out);
        break;
    }
  }
}

}  // namespace chosa
