// Re-validation's comparisons after the replay (submission_check_internal.h): the engine's own
// checks' first fault, and the replayed answers against the received ones, named precisely.
// Only a refused submission comes here: an accepted one is vouched for by one byte comparison.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "chosa/base/json_reader.h"
#include "session/answer_text.h"
#include "session/session_internal.h"
#include "session/submission_check_internal.h"
#include "state/form_state.h"

namespace chosa {
namespace submission_check {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

std::string AnswerPointer(const Form& form, const AnswerRef& ref) {
  const Item& item = form.item(ref.item);
  std::string pointer = "/answers";
  if (item.repeat != kNone) {
    pointer = PointerAppend(pointer, form.item(item.repeat).name);
    PointerAppendTo(pointer, static_cast<size_t>(ref.instance));
  }
  return PointerAppend(pointer, item.name);
}

// Compares the answers the replayed engine writes with those received, key by key in document
// order (both objects are keyed by item name), so that a difference is named precisely.
class AnswerComparer {
 public:
  explicit AnswerComparer(const Session& session) : form_(session.form()), state_(StateOf(session)) {}

  Status Compare(simdjson::dom::object expected, simdjson::dom::object received, int32_t instance,
                 const std::string& pointer) const {
    auto e = expected.begin(), r = received.begin();
    constexpr int32_t kEnd = std::numeric_limits<int32_t>::max();
    while (e != expected.end() || r != received.end()) {
      int32_t want = e != expected.end() ? form_.Find(e.key()) : kEnd;
      int32_t got = r != received.end() ? form_.Find(r.key()) : kEnd;
      if (got < want) {
        Status extra = Extra(got, r.value(), instance, PointerAppend(pointer, r.key()));
        if (!extra.ok()) return extra;
        ++r;
      } else if (want < got) {
        return Missing(want, e.value(), PointerAppend(pointer, e.key()));
      } else {
        Status same = Same(want, e.value(), r.value(), PointerAppend(pointer, e.key()));
        if (!same.ok()) return same;
        ++e;
        ++r;
      }
    }
    return Status::Ok();
  }

 private:
  bool Computed(const Item& item) const { return item.type == ItemType::kCalculate || item.calculation != kNone; }

  Status Extra(int32_t index, element value, int32_t instance, const std::string& pointer) const {
    const Item& item = form_.item(index);
    if (!state_.IsRelevant(index, item.repeat == kNone ? 0 : instance)) return Fault(pointer, "not relevant here");
    if (Computed(item)) return Fault(pointer, "calculated value " + Canonical(value) + ", but the engine's is empty");
    if (ReadOnlyAlways(form_, index)) return Fault(pointer, "a read-only question: it takes no answer here");
    return Fault(pointer, "answer " + Canonical(value) + " is not kept by the engine here");
  }

  Status Missing(int32_t index, element value, const std::string& pointer) const {
    const Item& item = form_.item(index);
    if (item.type == ItemType::kRepeat) {
      return Fault(pointer, "repeat missing: the engine writes " +
                                std::to_string(value.get_array().value_unsafe().size()) + " instances");
    }
    if (Computed(item)) return Fault(pointer, "calculated value missing: the engine's is " + Canonical(value));
    return Fault(pointer, "answer missing: the engine writes " + Canonical(value));
  }

  Status Same(int32_t index, element want, element got, const std::string& pointer) const {
    const Item& item = form_.item(index);
    if (item.type == ItemType::kRepeat) {
      simdjson::dom::array expected = want.get_array().value_unsafe();
      simdjson::dom::array received = got.get_array().value_unsafe();
      if (expected.size() != received.size()) {
        return Fault(pointer, std::to_string(received.size()) + " instances, but the engine has " +
                                  std::to_string(expected.size()) +
                                  (item.repeat_count != kNone ? " (from its count expression)" : ""));
      }
      auto e = expected.begin();
      size_t k = 0;
      for (element instance : received) {
        Status status = Compare((*e).get_object().value_unsafe(), instance.get_object().value_unsafe(),
                                static_cast<int32_t>(k), PointerAppend(pointer, k));
        if (!status.ok()) return status;
        ++e;
        ++k;
      }
      return Status::Ok();
    }
    std::string engine = Canonical(want), given = Canonical(got);
    if (engine == given) return Status::Ok();
    if (Computed(item)) return Fault(pointer, "calculated value " + given + " differs from the engine's " + engine);
    return Fault(pointer, "answer " + given + " differs from the engine's " + engine);
  }

  const Form& form_;
  const FormState& state_;
};

}  // namespace

Status ErrorFault(const Session& session, const AnswerError& error) {
  const Form& form = session.form();
  Result<AnswerRef> ref = session.Resolve(error.path);
  if (!ref.ok()) return Fault("/answers", error.path + ": " + error.message);
  const Item& item = form.item(ref->item);
  const std::string pointer = AnswerPointer(form, *ref);
  const Value& value = StateOf(session).StoredValue(ref->item, ref->instance);
  size_t english = form.default_language();
  const std::vector<std::string>& languages = form.languages();
  auto en = std::find(languages.begin(), languages.end(), "en");
  if (en != languages.end()) english = static_cast<size_t>(en - languages.begin());
  switch (error.kind) {
    case ErrorKind::kRequired:
      return Fault(pointer, "required answer missing");
    case ErrorKind::kConstraint: {
      std::string message = "answer " + Session::AnswerText(value) + " does not meet its constraint";
      if (!item.constraint_message.empty()) message += " (" + std::string(item.constraint_message.Get(english)) + ")";
      return Fault(pointer, message);
    }
    case ErrorKind::kChoice: {
      SessionValidator validator(session);
      const ChoiceList& list = form.choice_lists()[static_cast<size_t>(item.list)];
      for (const std::string& choice : SplitValues(value.ToString())) {
        int32_t index = list.Find(choice);
        if (index != kNone && !validator.ChoicePasses(ref->item, ref->instance, index)) {
          return Fault(pointer, Quoted(choice) + " is not offered here: the choice filter excludes it");
        }
      }
      return Fault(pointer, "a choice is not offered here");
    }
    case ErrorKind::kCount: {
      if (item.type == ItemType::kRank) return Fault(pointer, "the ranking must order every option offered");
      if (item.type == ItemType::kSelectMultiple) {
        size_t count = SplitValues(value.ToString()).size();
        bool few = static_cast<int32_t>(count) < item.min;
        return Fault(pointer,
                     std::to_string(count) + " choices; the question allows " +
                         (few ? "at least " + std::to_string(item.min) : "at most " + std::to_string(item.max)));
      }
      return Fault(pointer, "the number of instances is outside what the form allows");
    }
    case ErrorKind::kEvaluation: {
      Value failure = StateOf(session).NodeResultOf(ref->item, NodeProperty::kCalculation, ref->instance);
      return Fault(pointer, "its calculation cannot be evaluated" +
                                (failure.is_error() ? " (" + failure.text() + ")" : std::string()));
    }
    default:
      return Fault(pointer, error.message);
  }
}

Status CompareAnswers(const Session& session, simdjson::dom::object expected, simdjson::dom::object received,
                      const std::string& pointer) {
  return AnswerComparer(session).Compare(expected, received, 0, pointer);
}

}  // namespace submission_check
}  // namespace chosa
