// The submission: the envelope of docs/submission.md and its canonical bytes (UTF-8, keys in a
// fixed order, no insignificant whitespace), hashed with SHA-256.
#include <cmath>

#include "chosa/env.h"
#include "expr/ast.h"
#include "expr/datetime.h"
#include "hex_digest.h"
#include "session/answer_text.h"
#include "session/canonical_json.h"
#include "session/session_internal.h"
#include "state/form_state.h"

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
      out.String(value.ToString());  // text, selects, dates, times (with offset), acknowledge
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

std::string UuidV4(Env* env) {
  unsigned char bytes[16];
  env->RandomBytes(bytes, sizeof bytes);
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex = Hex(bytes, sizeof bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

Submission SubmissionWriter::Write(int64_t ended_at_millis, std::string_view replaces,
                                   const std::vector<AuditEntry>* audit) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  Env* env = s_.env_;
  Submission submission;
  submission.uuid = UuidV4(env);
  bool named = form.settings().instance_name != kNone;
  if (named) submission.instance_name = DisplayText(state.EvaluateIn(form.settings().instance_name, kNone, 0));
  CanonicalJsonWriter out;
  out.BeginObject();
  out.Key("uuid");
  out.String(submission.uuid);
  out.Key("form_id");
  out.String(form.id());
  out.Key("form_version");
  out.String(form.version());
  out.Key("device_id");
  out.String(s_.options_.device_id);
  if (!s_.options_.enumerator_id.empty()) {
    out.Key("enumerator_id");
    out.String(s_.options_.enumerator_id);
  }
  if (named) {
    out.Key("instance_name");
    out.String(submission.instance_name);
  }
  out.Key("language");
  out.String(s_.language_code_);
  out.Key("started_at");
  out.String(FormatIsoDateTime(static_cast<double>(s_.started_at_), s_.started_offset_));
  out.Key("ended_at");
  out.String(FormatIsoDateTime(static_cast<double>(ended_at_millis), env->UtcOffsetMinutes(ended_at_millis)));
  if (!replaces.empty()) {
    out.Key("replaces");
    out.String(replaces);
  }
  out.Key("answers");
  out.BeginObject();
  AnswerWalker(form, state, out).Add(form.top_level(), 0);
  out.EndObject();
  if (audit != nullptr) {
    // As ODK's audit log: when each answer was entered or changed, and from what to what.
    out.Key("audit");
    out.BeginArray();
    for (const AuditEntry& entry : *audit) {
      out.BeginObject();
      out.Key("at");
      out.String(FormatIsoDateTime(static_cast<double>(entry.at_millis), env->UtcOffsetMinutes(entry.at_millis)));
      out.Key("path");
      out.String(entry.path);
      out.Key("old");
      out.String(entry.old_value);
      out.Key("new");
      out.String(entry.new_value);
      out.EndObject();
    }
    out.EndArray();
  }
  out.EndObject();
  submission.canonical_json = out.Take();
  submission.sha256 = Sha256Hex(submission.canonical_json);
  return submission;
}

}  // namespace chosa
