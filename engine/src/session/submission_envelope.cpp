// Re-validation's envelope checks (submission_check_internal.h): every key of
// schemas/submission.schema.json in the engine's order, its timestamps as the engine writes
// them, and the audit trail's shape.
#include <algorithm>
#include <optional>

#include "chosa/engine/datetime.h"
#include "chosa/base/json_reader.h"
#include "session/submission_check_internal.h"
#include "chosa/base/suggest.h"
#include "chosa/uuid.h"

namespace chosa {
namespace submission_check {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

// Whether a timestamp of the engine's shape that ParseIsoDateTime accepts (a real date) is one
// the formatter writes back unchanged, seen from its digits alone: every field within its
// range, an offset within +-18:00 and not -00:00, a year of this era. The formatter's round
// trip (its snprintf per field) costs more than the rest of the envelope; anything else still
// takes it.
bool PlainlyCanonical(std::string_view text) {
  auto field = [&](size_t at, size_t width) {
    int value = 0;
    for (size_t i = at; i < at + width; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const int year = field(0, 4), hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
  const int offset_hours = field(24, 2), offset_minutes = field(27, 2);
  if (year < 1900 || year > 2999 || hour > 23 || minute > 59 || second > 59) return false;
  if (offset_minutes > 59 || offset_hours * 60 + offset_minutes > 18 * 60) return false;
  return !(text[23] == '-' && offset_hours == 0 && offset_minutes == 0);
}

Status ReadString(const Envelope& envelope, Key key, bool non_empty, std::string_view* out) {
  if (envelope.fields[key].get_string().get(*out) != simdjson::SUCCESS) {
    return Fault(KeyPointer(key), std::string("a string expected, not ") + JsonTypeName(envelope.fields[key]));
  }
  if (non_empty && out->empty()) return Fault(KeyPointer(key), "must not be empty");
  return Status::Ok();
}

Status CheckAudit(element audit) {
  simdjson::dom::array entries;
  if (audit.get_array().get(entries) != simdjson::SUCCESS) {
    return Fault("/audit", std::string("an array of changes expected, not ") + JsonTypeName(audit));
  }
  static constexpr std::string_view kAuditKeys[] = {"at", "path", "old", "new"};
  size_t index = 0;
  for (element entry : entries) {
    std::string at = PointerAppend("/audit", index++);
    simdjson::dom::object object;
    if (entry.get_object().get(object) != simdjson::SUCCESS) {
      return Fault(at, std::string("an object {at, path, old, new} expected, not ") + JsonTypeName(entry));
    }
    size_t k = 0;
    for (auto field : object) {
      std::string field_at = PointerAppend(at, field.key);
      if (k >= 4 || field.key != kAuditKeys[k]) {
        auto known = std::find(std::begin(kAuditKeys), std::end(kAuditKeys), field.key);
        if (known == std::end(kAuditKeys)) return Fault(field_at, "unknown key " + Quoted(field.key));
        return Fault(field_at, "key out of order: the engine writes at, path, old, new");
      }
      std::string_view text;
      if (field.value.get_string().get(text) != simdjson::SUCCESS) {
        return Fault(field_at, std::string("a string expected, not ") + JsonTypeName(field.value));
      }
      if (k == 0 && !ReadTimestamp(text)) return Fault(field_at, "not a timestamp as the engine writes it");
      if (k == 1 && text.empty()) return Fault(field_at, "must not be empty");
      ++k;
    }
    if (k < 4) return Fault(PointerAppend(at, kAuditKeys[k]), "required key missing");
  }
  return Status::Ok();
}

}  // namespace

std::optional<Timestamp> ReadTimestamp(std::string_view text) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddd+dd:dd";
  if (text.size() != kShape.size()) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = kShape[i] == 'd' ? (c >= '0' && c <= '9') : kShape[i] == '+' ? (c == '+' || c == '-') : c == kShape[i];
    if (!ok) return std::nullopt;
  }
  std::optional<ParsedDateTime> parsed = ParseIsoDateTime(text);
  if (!parsed || !parsed->offset_minutes) return std::nullopt;
  Timestamp out{parsed->wall_millis - int64_t{*parsed->offset_minutes} * kMillisPerMinute, *parsed->offset_minutes};
  if (!PlainlyCanonical(text) && FormatIsoDateTime(static_cast<double>(out.utc_millis), out.offset_minutes) != text) {
    return std::nullopt;
  }
  return out;
}

std::string KeyPointer(Key key) { return "/" + std::string(kKeyNames[key]); }

Status CheckEnvelope(const Form& form, element root, Envelope* envelope) {
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Fault("", std::string("a submission is a JSON object, not ") + JsonTypeName(root));
  }
  int last = -1;
  for (auto field : object) {
    auto found = std::find(std::begin(kKeyNames), std::end(kKeyNames), field.key);
    if (found == std::end(kKeyNames)) {
      std::vector<std::string_view> names(std::begin(kKeyNames), std::end(kKeyNames));
      return Fault(PointerAppend("", field.key),
                   "unknown key " + Quoted(field.key) + DidYouMean(field.key, names, "\"", "\""));
    }
    int key = static_cast<int>(found - std::begin(kKeyNames));
    if (key < last) {
      return Fault(PointerAppend("", field.key),
                   "key out of order: the engine writes " + Quoted(field.key) + " before " + Quoted(kKeyNames[last]));
    }
    last = key;
    envelope->fields[key] = field.value;
    envelope->present[key] = true;
  }
  for (int key = 0; key < kKeyCount; ++key) {
    if (kRequiredKey[key] && !envelope->present[key]) return Fault(KeyPointer(Key(key)), "required key missing");
  }
  bool named = form.settings().instance_name != kNone;
  if (named && !envelope->present[kInstanceName]) {
    return Fault(KeyPointer(kInstanceName), "required key missing: the form names its submissions");
  }
  if (!named && envelope->present[kInstanceName]) {
    return Fault(KeyPointer(kInstanceName), "this form has no instance_name setting");
  }

  std::string_view* s = envelope->strings;
  for (int key = 0; key < kKeyCount; ++key) {
    if (!envelope->present[key] || key == kAnswers || key == kAudit) continue;
    Status read = ReadString(*envelope, Key(key), key != kInstanceName, &s[key]);
    if (!read.ok()) return read;
  }
  if (!IsUuidV4(s[kUuid])) return Fault(KeyPointer(kUuid), "not a version 4 UUID in lower case: " + Quoted(s[kUuid]));
  if (s[kFormId] != form.id()) {
    return Fault(KeyPointer(kFormId), "form " + Quoted(s[kFormId]) + " is not this form (" + Quoted(form.id()) + ")");
  }
  if (s[kFormVersion] != form.version()) {
    return Fault(KeyPointer(kFormVersion),
                 "version " + Quoted(s[kFormVersion]) + " is not this form version (" + Quoted(form.version()) + ")");
  }
  const std::vector<std::string>& languages = form.languages();
  if (std::find(languages.begin(), languages.end(), s[kLanguage]) == languages.end()) {
    std::string known;
    for (const std::string& language : languages) known += (known.empty() ? "" : ", ") + language;
    return Fault(KeyPointer(kLanguage),
                 "language " + Quoted(s[kLanguage]) + " is not one of the form's (" + known + ")");
  }
  for (Key key : {kStartedAt, kEndedAt}) {
    std::optional<Timestamp> time = ReadTimestamp(s[key]);
    if (!time) {
      return Fault(KeyPointer(key),
                   "not a timestamp as the engine writes it (2024-11-03T10:30:30.000+09:00): " + Quoted(s[key]));
    }
    (key == kStartedAt ? envelope->started : envelope->ended) = *time;
  }
  if (envelope->present[kReplaces] && !IsUuidV4(s[kReplaces])) {
    return Fault(KeyPointer(kReplaces), "not a version 4 UUID in lower case: " + Quoted(s[kReplaces]));
  }
  if (envelope->fields[kAnswers].type() != element_type::OBJECT) {
    return Fault(KeyPointer(kAnswers),
                 std::string("an object expected, not ") + JsonTypeName(envelope->fields[kAnswers]));
  }
  if (envelope->present[kAudit]) return CheckAudit(envelope->fields[kAudit]);
  return Status::Ok();
}

}  // namespace submission_check
}  // namespace chosa
