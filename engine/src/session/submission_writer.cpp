// The submission: the envelope of docs/submission.md and its canonical bytes (UTF-8, keys in a
// fixed order, no insignificant whitespace), hashed with SHA-256.
#include <openssl/evp.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "chosa/env.h"
#include "expr/ast.h"
#include "expr/datetime.h"
#include "session/answer_text.h"
#include "session/session_internal.h"
#include "state/form_state.h"

namespace chosa {
namespace {

using Json = nlohmann::ordered_json;

std::string Hex(const unsigned char* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

Json NumberJson(double number) {
  // Whole numbers as JSON integers, so that 12 is never written 12.0.
  if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9007199254740992.0) {
    return Json(static_cast<int64_t>(number));
  }
  return Json(number);
}

// The answer's JSON by the item's type; null when it has none.
Json AnswerJson(const Item& item, const Value& value) {
  if (value.is_empty()) return Json();
  switch (item.type) {
    case ItemType::kInteger:
    case ItemType::kDecimal:
      return NumberJson(value.ToNumber());
    case ItemType::kSelectMultiple:
    case ItemType::kRank: {
      Json values = Json::array();
      for (const std::string& v : SplitValues(value.ToString())) values.push_back(v);
      return values;
    }
    case ItemType::kCalculate:
      switch (value.type()) {
        case Value::Type::kNumber:
          return std::isfinite(value.number()) ? NumberJson(value.number()) : Json();
        case Value::Type::kBoolean:
          return Json(value.truth());
        default:
          return Json(value.ToString());
      }
    default:
      return Json(value.ToString());  // text, selects, dates, times (with offset), acknowledge
  }
}

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

namespace {

class AnswerWalker {
 public:
  AnswerWalker(const Form& form, const FormState& state) : form_(form), state_(state) {}

  // Adds the answers below `items` (groups and pages flatten into the same object).
  void Add(const std::vector<int32_t>& items, int32_t instance, Json& out) const {
    for (int32_t index : items) {
      const Item& item = form_.item(index);
      bool in_repeat = item.repeat != kNone;
      if (!state_.IsRelevant(index, in_repeat ? instance : 0)) continue;
      switch (item.type) {
        case ItemType::kPage:
        case ItemType::kGroup:
        case ItemType::kMatrix:
          Add(item.children, instance, out);
          break;
        case ItemType::kRepeat: {
          Json instances = Json::array();
          int32_t count = state_.InstanceCount(index);
          for (int32_t k = 0; k < count; ++k) {
            Json entry = Json::object();
            Add(item.children, k, entry);
            instances.push_back(std::move(entry));
          }
          out[item.name] = std::move(instances);
          break;
        }
        case ItemType::kNote:
          break;
        default: {
          Json answer = AnswerJson(item, state_.StoredValue(index, instance));
          if (!answer.is_null()) out[item.name] = std::move(answer);
          break;
        }
      }
    }
  }

 private:
  const Form& form_;
  const FormState& state_;
};

}  // namespace

Submission SubmissionWriter::Write(int64_t ended_at_millis, std::string_view replaces) const {
  const Form& form = s_.form();
  const FormState& state = *s_.state_;
  Env* env = s_.env_;
  Submission submission;
  submission.uuid = UuidV4(env);
  if (form.settings().instance_name != kNone) {
    submission.instance_name = DisplayText(state.EvaluateIn(form.settings().instance_name, kNone, 0));
  }
  Json envelope;
  envelope["uuid"] = submission.uuid;
  envelope["form_id"] = form.id();
  envelope["form_version"] = form.version();
  envelope["device_id"] = s_.options_.device_id;
  if (!s_.options_.enumerator_id.empty()) envelope["enumerator_id"] = s_.options_.enumerator_id;
  if (form.settings().instance_name != kNone) envelope["instance_name"] = submission.instance_name;
  envelope["language"] = s_.language_code_;
  envelope["started_at"] = FormatIsoDateTime(static_cast<double>(s_.started_at_), s_.started_offset_);
  envelope["ended_at"] = FormatIsoDateTime(static_cast<double>(ended_at_millis), env->UtcOffsetMinutes(ended_at_millis));
  if (!replaces.empty()) envelope["replaces"] = std::string(replaces);
  Json answers = Json::object();
  AnswerWalker(form, state).Add(form.top_level(), 0, answers);
  envelope["answers"] = std::move(answers);
  submission.canonical_json = envelope.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  submission.sha256 = Sha256Hex(submission.canonical_json);
  return submission;
}

}  // namespace chosa
