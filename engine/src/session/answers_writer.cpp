#include "session/answers_writer.h"

#include <cmath>

#include "session/answer_text.h"

namespace chosa {

namespace {

// Writes the answer by the item's type. REQUIRES: the value is not empty.
void WriteAnswer(const Item& item, const Value& value, CanonicalJsonWriter& out) {
  switch (item.type) {
    case ItemType::kInteger:
    case ItemType::kDecimal:
      out.Number(value.ToNumber());
      return;
    case ItemType::kSelectMultiple:
    case ItemType::kRank:
      out.BeginArray();
      for (const std::string& v : SplitValues(value.ToString())) out.String(v);
      out.EndArray();
      return;
    case ItemType::kCalculate:
      if (value.type() == Value::Type::kBoolean) {
        out.Bool(value.truth());
      } else if (value.type() == Value::Type::kNumber) {
        out.Number(value.number());  // NaN and infinities are stored as empty: never here
      } else {
        out.String(value.ToString());
      }
      return;
    default:
      // Text, selects, dates, times (with offset), acknowledge; a string without ToString's copy.
      if (value.is_string()) {
        out.String(value.text());
      } else {
        out.String(value.ToString());
      }
  }
}

bool HasAnswer(const Item& item, const Value& value) {
  if (value.is_empty()) return false;
  // A calculation that gives NaN or an infinity has no answer (DESIGN: NaN is stored as empty).
  return !(item.type == ItemType::kCalculate && value.is_number() && !std::isfinite(value.number()));
}

// Writes the answers below `items` in document order; groups and pages flatten into the same
// object, a repeat is an array with one object per instance.
class AnswerWalker {
 public:
  AnswerWalker(const Form& form, const FormState& state, CanonicalJsonWriter& out)
      : form_(form), state_(state), out_(out) {}

  void Add(const std::vector<int32_t>& items, int32_t instance) const {
    for (int32_t index : items) {
      const Item& item = form_.item(index);
      bool in_repeat = item.repeat != kNone;
      if (!state_.IsRelevant(index, in_repeat ? instance : 0)) continue;
      switch (item.type) {
        case ItemType::kPage:
        case ItemType::kGroup:
        case ItemType::kMatrix:
          Add(item.children, instance);
          break;
        case ItemType::kRepeat: {
          out_.Key(item.name);
          out_.BeginArray();
          int32_t count = state_.InstanceCount(index);
          for (int32_t k = 0; k < count; ++k) {
            out_.BeginObject();
            Add(item.children, k);
            out_.EndObject();
          }
          out_.EndArray();
          break;
        }
        case ItemType::kNote:
          break;
        default: {
          const Value& value = state_.StoredValue(index, instance);
          if (!HasAnswer(item, value)) break;
          out_.Key(item.name);
          WriteAnswer(item, value, out_);
          break;
        }
      }
    }
  }

 private:
  const Form& form_;
  const FormState& state_;
  CanonicalJsonWriter& out_;
};

}  // namespace

void WriteAnswers(const Form& form, const FormState& state, CanonicalJsonWriter& out) {
  AnswerWalker(form, state, out).Add(form.top_level(), 0);
}

}  // namespace chosa
