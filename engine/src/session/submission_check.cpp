// Re-validation of a received submission (chosa/submission_check.h): the envelope is checked
// field by field, the answers are replayed in a Session restored from them, the engine's own
// checks run as at finalize, and the answers the replayed session writes must be the received
// ones, byte for byte. Faults are reported in English with their JSON Pointer.
//
// Cost: the collector runs this on every submission. An accepted one takes the fast path
// (FastCheck): the engine's checks without Finalize's UUID, SHA-256 and envelope, and one byte
// comparison of the whole document against the engine's answers in the received envelope. Only
// a refused one pays for the finer comparisons that say where it goes wrong.
#include "chosa/submission_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "chosa/env.h"
#include "chosa/session.h"
#include "expr/datetime.h"
#include "form/dependency_graph.h"
#include "json/json_reader.h"
#include "session/answer_text.h"
#include "session/answers_writer.h"
#include "session/canonical_json.h"
#include "session/messages.h"
#include "session/submission_check_parsed.h"
#include "session/session_internal.h"
#include "state/form_state.h"
#include "suggest.h"

namespace chosa {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A submission nests at most 5 levels (answers, repeat, instance, select_multiple); anything much
// deeper is refused while parsing, before any recursion here.
constexpr size_t kMaxDepth = kSubmissionMaxDepth;
// Session::Resume restores at most this many instances of a repeat.
constexpr size_t kMaxInstances = 100000;

Status Fault(std::string pointer, std::string message) {
  return Status::InvalidArgument(std::move(message), std::move(pointer));
}

bool IsNumber(element value) { return IsJsonNumber(value); }

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Writes `value` as the engine's canonical JSON, keys in the order received. With `where`, also
// finds the JSON Pointer of the first, deepest value whose bytes cover offset `target` of the
// output or end right there (`82.0` differs just after `82`): where a text that differs from
// the canonical one first goes wrong.
void Encode(element value, CanonicalJsonWriter& out, std::string* pointer = nullptr, size_t target = 0,
            std::string* where = nullptr) {
  const size_t start = out.text().size();
  switch (value.type()) {
    case element_type::OBJECT: {
      out.BeginObject();
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (auto field : object) {
        const size_t length = where != nullptr ? pointer->size() : 0;
        const size_t member = out.text().size();
        if (where != nullptr) *pointer = PointerAppend(*pointer, field.key);
        out.Key(field.key);
        Encode(field.value, out, pointer, target, where);
        if (where != nullptr) {
          if (where->empty() && target >= member && target <= out.text().size()) *where = *pointer;
          pointer->resize(length);
        }
      }
      out.EndObject();
      break;
    }
    case element_type::ARRAY: {
      out.BeginArray();
      size_t index = 0;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (element item : array) {
        const size_t length = where != nullptr ? pointer->size() : 0;
        if (where != nullptr) PointerAppendTo(*pointer, index++);
        Encode(item, out, pointer, target, where);
        if (where != nullptr) pointer->resize(length);
      }
      out.EndArray();
      break;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      out.Number(value.get_double().value_unsafe());  // finite: the reader refuses numbers out of a double's range
      break;
    case element_type::STRING:
      out.String(value.get_string().value_unsafe());
      break;
    case element_type::BOOL:
      out.Bool(value.get_bool().value_unsafe());
      break;
    case element_type::NULL_VALUE:
      // Unreachable: the engine never writes null, and every null is refused before any encoding.
      out.String("null");
      break;
  }
  if (where != nullptr && where->empty() && target >= start && target <= out.text().size()) *where = *pointer;
}

std::string Canonical(element value) {
  CanonicalJsonWriter out;
  Encode(value, out);
  return out.Take();
}

// Canonical(root) of the envelope object, also giving the span of its answers in the output:
// once the received bytes equal these, that span of them is the received answers' canonical form.
std::string CanonicalEnvelope(simdjson::dom::object root, size_t* answers_begin, size_t* answers_end) {
  CanonicalJsonWriter out;
  out.BeginObject();
  for (auto field : root) {
    out.Key(field.key);
    const bool answers = field.key == "answers";
    if (answers) *answers_begin = out.text().size();
    Encode(field.value, out);
    if (answers) *answers_end = out.text().size();
  }
  out.EndObject();
  return out.Take();
}

// Where `received` first differs from `expected` (its canonical re-encoding): the pointer of
// the value at that byte, under `base`.
std::string PointerOfDifference(element value, std::string_view received, std::string_view expected,
                                const std::string& base) {
  size_t at = 0;
  while (at < received.size() && at < expected.size() && received[at] == expected[at]) ++at;
  CanonicalJsonWriter out;
  std::string pointer = base, where;
  Encode(value, out, &pointer, at, &where);
  return where.empty() ? base : where;
}

struct Timestamp {
  int64_t utc_millis = 0;
  int offset_minutes = 0;
};

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

// RFC 3339 exactly as the engine writes it: 2024-11-03T10:30:30.000+09:00, a real date, an offset
// within +-18:00 and never -00:00 (the round trip through the engine's own formatter decides).
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
  if (!PlainlyCanonical(text) &&
      FormatIsoDateTime(static_cast<double>(out.utc_millis), out.offset_minutes) != text) {
    return std::nullopt;
  }
  return out;
}

// The clock and zone of the device at finalize, for today() and now() in the replay; the UUID the
// replayed finalize makes is discarded.
class ReplayEnv : public Env {
 public:
  ReplayEnv(int64_t now_millis, int offset_minutes) : now_(now_millis), offset_(offset_minutes) {}
  int64_t NowMillis() override { return now_; }
  int UtcOffsetMinutes(int64_t) override { return offset_; }
  void RandomBytes(uint8_t* out, size_t size) override { std::fill(out, out + size, uint8_t{0}); }
  void Log(LogLevel, std::string_view) override {}

 private:
  int64_t now_;
  int offset_;
};

// --- the envelope ----------------------------------------------------------------------------

enum Key {
  kUuid,
  kFormId,
  kFormVersion,
  kDeviceId,
  kEnumeratorId,
  kInstanceName,
  kLanguage,
  kStartedAt,
  kEndedAt,
  kReplaces,
  kAnswers,
  kAudit,
  kKeyCount
};
// In the order the engine writes them (docs/submission.md).
constexpr std::string_view kKeyNames[kKeyCount] = {"uuid",          "form_id",       "form_version", "device_id",
                                                   "enumerator_id", "instance_name", "language",     "started_at",
                                                   "ended_at",      "replaces",      "answers",      "audit"};
constexpr bool kRequiredKey[kKeyCount] = {true, true, true, true, false, false, true, true, true, false, true, false};

struct Envelope {
  element fields[kKeyCount];
  bool present[kKeyCount] = {};
  std::string_view strings[kKeyCount];  // the string fields' values
  Timestamp started, ended;
};

std::string KeyPointer(Key key) { return "/" + std::string(kKeyNames[key]); }

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

// --- the answers, read into a snapshot to replay -----------------------------------------------

// Read-only by a fixed property (a matrix row by its matrix's): never answered by the person.
bool ReadOnlyAlways(const Form& form, int32_t index) {
  const Item& item = form.item(index);
  int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : index;
  return form.item(owner).read_only && form.graph().NodeOf(owner, NodeProperty::kReadOnly) == kNone;
}

const char* KindOfItem(ItemType type) {
  switch (type) {
    case ItemType::kPage:
      return "a page";
    case ItemType::kGroup:
      return "a group";
    case ItemType::kMatrix:
      return "a matrix (its rows are keys of their own)";
    case ItemType::kNote:
      return "a note";
    default:
      return "an item";
  }
}

// Reads every answer strictly as the engine writes it, and turns it into the text the session
// restores (Session::Resume); values the engine computes itself are only shape-checked here and
// compared after the replay.
class AnswerReader {
 public:
  AnswerReader(const Form& form, Env* env, SessionSnapshot* snapshot)
      : form_(form), env_(env), snapshot_(snapshot), seen_(form.items().size(), 0) {
    for (size_t i = 0; i < form.items().size(); ++i) {
      int32_t index = static_cast<int32_t>(i);
      const Item& item = form.item(index);
      if (!item.default_value.empty() && HoldsAnswer(item.type) && !EngineOwned(index)) defaulted_.push_back(index);
    }
  }

  Status Read(simdjson::dom::object answers) {
    std::string pointer = "/answers";
    return ReadObject(answers, kNone, 0, pointer);
  }

  // Calculations, items with a calculation and items read-only by a fixed property take no
  // answer from the person: their values come from the engine alone.
  bool EngineOwned(int32_t index) const {
    const Item& item = form_.item(index);
    return item.type == ItemType::kCalculate || item.calculation != kNone || ReadOnlyAlways(form_, index);
  }

 private:
  Status ReadObject(simdjson::dom::object object, int32_t repeat, int32_t instance, std::string& pointer) {
    const uint32_t mark = ++mark_;
    int32_t last = kNone;
    for (auto field : object) {
      const size_t length = pointer.size();
      PointerAppendTo(pointer, field.key);  // in place: no pointer allocated per key
      int32_t index = FindAfter(last == kNone ? repeat : last, field.key);
      if (index == kNone) return Fault(pointer, "unknown question" + Suggestion(field.key, repeat));
      const Item& item = form_.item(index);
      if (item.repeat != repeat) {
        if (repeat == kNone) {
          return Fault(pointer, "a question of repeat " + Quoted(form_.item(item.repeat).name) +
                                    ": it belongs inside each of its instances");
        }
        return Fault(pointer, "not a question of repeat " + Quoted(form_.item(repeat).name));
      }
      if (!HoldsAnswer(item.type) && item.type != ItemType::kRepeat) {
        return Fault(pointer, Quoted(item.name) + " is " + KindOfItem(item.type) + ": it has no answer of its own");
      }
      if (index < last) {
        return Fault(pointer, "out of document order: the engine writes it before " + Quoted(form_.item(last).name));
      }
      last = index;
      seen_[static_cast<size_t>(index)] = mark;
      Status status = item.type == ItemType::kRepeat ? ReadRepeat(index, field.value, pointer)
                      : EngineOwned(index)           ? CheckAnswerShape(field.value, pointer)
                                                     : ReadAnswer(index, field.value, repeat, instance, pointer);
      if (!status.ok()) return status;
      pointer.resize(length);
    }
    // A default the person cleared leaves no key: the replay must not bring it back.
    for (int32_t index : defaulted_) {
      if (form_.item(index).repeat == repeat && seen_[static_cast<size_t>(index)] != mark) {
        snapshot_->answers.emplace_back(PathOf(index, repeat, instance), std::string());
      }
    }
    return Status::Ok();
  }

  // The item named `key`. The engine writes answers in document order, so it is usually one of
  // the few items right after `previous` (the last item read, or the enclosing repeat): those
  // are compared first, and the form's name table is searched only when none matches.
  int32_t FindAfter(int32_t previous, std::string_view key) const {
    constexpr int32_t kLookahead = 4;
    const int32_t count = static_cast<int32_t>(form_.items().size());
    const int32_t from = previous + 1;  // previous is kNone (-1) at the start of the answers
    for (int32_t i = from; i < count && i < from + kLookahead; ++i) {
      if (form_.item(i).name == key) return i;
    }
    return form_.Find(key);
  }

  Status ReadRepeat(int32_t repeat, element value, std::string& pointer) {
    const Item& item = form_.item(repeat);
    simdjson::dom::array instances;
    if (value.get_array().get(instances) != simdjson::SUCCESS) {
      return Fault(pointer, std::string("a repeat is an array of instance objects, not ") + JsonTypeName(value));
    }
    const size_t count = instances.size();
    if (item.repeat_count == kNone && count < static_cast<size_t>(item.min)) {
      return Fault(pointer,
                   std::to_string(count) + " instances; the form asks for at least " + std::to_string(item.min));
    }
    if (item.repeat_count == kNone && item.max >= 0 && count > static_cast<size_t>(item.max)) {
      return Fault(pointer, std::to_string(count) + " instances; the form allows at most " + std::to_string(item.max));
    }
    if (count > kMaxInstances) {
      return Fault(pointer,
                   std::to_string(count) + " instances; the engine keeps at most " + std::to_string(kMaxInstances));
    }
    snapshot_->repeat_counts.emplace_back(item.name, static_cast<int32_t>(count));
    size_t k = 0;
    for (element entry : instances) {
      const size_t length = pointer.size();
      PointerAppendTo(pointer, k);
      simdjson::dom::object object;
      if (entry.get_object().get(object) != simdjson::SUCCESS) {
        return Fault(pointer, std::string("a repeat instance is an object, not ") + JsonTypeName(entry));
      }
      Status status = ReadObject(object, repeat, static_cast<int32_t>(k), pointer);
      if (!status.ok()) return status;
      pointer.resize(length);
      ++k;
    }
    return Status::Ok();
  }

  // The shape schemas/submission.schema.json gives any answer: what a computed value may be.
  static Status CheckAnswerShape(element value, const std::string& pointer) {
    std::string_view text;
    switch (value.type()) {
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
      case element_type::BOOL:
        return Status::Ok();
      case element_type::STRING:
        return value.get_string().get(text) == simdjson::SUCCESS && !text.empty()
                   ? Status::Ok()
                   : Fault(pointer, "an empty answer has no key");
      case element_type::ARRAY: {
        simdjson::dom::array items = value.get_array().value_unsafe();
        if (items.size() == 0) return Fault(pointer, "an empty answer has no key");
        for (element item : items) {
          if (item.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
            return Fault(pointer, "an array answer holds non-empty strings only");
          }
        }
        return Status::Ok();
      }
      default:
        return Fault(pointer,
                     std::string("an answer is a number, a string, a boolean or an array, not ") + JsonTypeName(value));
    }
  }

  Status ReadAnswer(int32_t index, element value, int32_t repeat, int32_t instance, const std::string& pointer) {
    const Item& item = form_.item(index);
    auto expected = [&](const char* what) {
      return Fault(pointer, std::string(what) + " expected for this " + ItemTypeName(item.type) + " question, not " +
                                JsonTypeName(value));
    };
    std::string text;
    if (IsSelect(item.type)) {
      const ChoiceList& list = form_.choice_lists()[static_cast<size_t>(item.list)];
      auto not_a_choice = [&](std::string_view choice, const std::string& at) {
        return Fault(at, Quoted(choice) + " is not one of the choices of list " + list.name);
      };
      if (item.type == ItemType::kSelectOne || item.type == ItemType::kMatrixRow) {
        std::string_view choice;
        if (value.get_string().get(choice) != simdjson::SUCCESS) return expected("a string");
        if (list.Find(choice) == kNone) return not_a_choice(choice, pointer);
        text = std::string(choice);
      } else {
        simdjson::dom::array choices;
        if (value.get_array().get(choices) != simdjson::SUCCESS) return expected("an array of choice values");
        if (choices.size() == 0) return Fault(pointer, "an empty selection has no key");
        std::vector<int32_t> chosen;
        size_t k = 0;
        for (element entry : choices) {
          std::string at = PointerAppend(pointer, k++);
          std::string_view choice;
          if (entry.get_string().get(choice) != simdjson::SUCCESS) {
            return Fault(at, std::string("a choice value is a string, not ") + JsonTypeName(entry));
          }
          int32_t found = list.Find(choice);
          if (found == kNone) return not_a_choice(choice, at);
          if (std::find(chosen.begin(), chosen.end(), found) != chosen.end()) {
            return Fault(at, Quoted(choice) + " is chosen twice");
          }
          // The engine keeps a select_multiple in choice-list order; a rank in the order ranked.
          if (item.type == ItemType::kSelectMultiple && !chosen.empty() && found < chosen.back()) {
            return Fault(at, "not in choice-list order: " + Quoted(choice) + " comes before " +
                                 Quoted(list.choices[static_cast<size_t>(chosen.back())].value) + " in list " +
                                 list.name);
          }
          chosen.push_back(found);
          if (!text.empty()) text.push_back(' ');
          text += choice;
        }
      }
    } else {
      switch (item.type) {
        case ItemType::kInteger:
        case ItemType::kDecimal: {
          if (!IsNumber(value)) return expected("a number");
          double number = value.get_double().value_unsafe();
          if (item.type == ItemType::kInteger && number != std::floor(number)) {
            return Fault(pointer, "not a whole number");
          }
          text = FormatNumber(number);
          break;
        }
        case ItemType::kAcknowledge: {
          std::string_view ok;
          if (value.get_string().get(ok) != simdjson::SUCCESS) return expected("a string");
          if (ok != "OK") return Fault(pointer, "an acknowledge is \"OK\", not " + Quoted(ok));
          text = "OK";
          break;
        }
        default: {  // text, date, time, datetime
          std::string_view given;
          if (value.get_string().get(given) != simdjson::SUCCESS) return expected("a string");
          if (given.empty()) return Fault(pointer, "an empty answer has no key");
          text = std::string(given);
          break;
        }
      }
      ParsedAnswer parsed = ParseTypedAnswer(item.type, text, env_);
      if (parsed.error) return Fault(pointer, Message(*parsed.error, "en"));
      // Dates and times exactly as the engine writes them: 2024-11-01, 14:30:00.000+09:00.
      if (item.type == ItemType::kDate || item.type == ItemType::kTime || item.type == ItemType::kDateTime) {
        std::string written = parsed.value.ToString();
        if (written != text) {
          return Fault(pointer, Quoted(text) + " is not a " + ItemTypeName(item.type) + " as the engine writes it (" +
                                    Quoted(written) + ")");
        }
      }
    }
    snapshot_->answers.emplace_back(PathOf(index, repeat, instance), std::move(text));
    return Status::Ok();
  }

  std::string PathOf(int32_t index, int32_t repeat, int32_t instance) const {
    if (repeat == kNone) return form_.item(index).name;
    return form_.item(repeat).name + "[" + std::to_string(instance + 1) + "]/" + form_.item(index).name;
  }

  std::string Suggestion(std::string_view word, int32_t repeat) const {
    std::vector<std::string_view> names;
    for (const Item& item : form_.items()) {
      if (item.repeat == repeat && (HoldsAnswer(item.type) || item.type == ItemType::kRepeat)) {
        names.push_back(item.name);
      }
    }
    return DidYouMean(word, names, "\"", "\"");
  }

  const Form& form_;
  Env* env_;
  SessionSnapshot* snapshot_;
  std::vector<int32_t> defaulted_;  // settable items with a default
  std::vector<uint32_t> seen_;      // per item: the mark of the last object that had its key
  uint32_t mark_ = 0;
};

// --- the replay ----------------------------------------------------------------------------

std::string AnswerPointer(const Form& form, const AnswerRef& ref) {
  const Item& item = form.item(ref.item);
  std::string pointer = "/answers";
  if (item.repeat != kNone) {
    pointer = PointerAppend(pointer, form.item(item.repeat).name);
    PointerAppendTo(pointer, static_cast<size_t>(ref.instance));
  }
  return PointerAppend(pointer, item.name);
}

// The first problem the engine's own checks found, as finalize would have been refused.
Status ErrorFault(const Session& session, const AnswerError& error) {
  const Form& form = session.form();
  Result<AnswerRef> ref = session.Resolve(error.path);
  if (!ref.ok()) return Fault("/answers", error.path + ": " + error.message);
  const Item& item = form.item(ref->item);
  const std::string pointer = AnswerPointer(form, *ref);
  const Value& value = session.state().StoredValue(ref->item, ref->instance);
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
      Value failure = session.state().NodeResultOf(ref->item, NodeProperty::kCalculation, ref->instance);
      return Fault(pointer, "its calculation cannot be evaluated" +
                                (failure.is_error() ? " (" + failure.text() + ")" : std::string()));
    }
    default:
      return Fault(pointer, error.message);
  }
}

// Compares the answers the replayed engine writes with those received, key by key in document
// order (both objects are keyed by item name), so that a difference is named precisely.
class AnswerComparer {
 public:
  explicit AnswerComparer(const Session& session) : form_(session.form()), state_(session.state()) {}

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

// What Finalize and the byte comparisons decide, without writing a submission: the engine's
// checks pass (no page has an error; the envelope already holds a device id and a version 4
// UUID as replaces), and the received bytes are exactly its envelope fields re-encoded with the
// engine's answers in place of the received ones. That one comparison proves the bytes
// canonical and the answers the engine's. Nothing when it cannot say OK: Check decides then.
std::optional<Status> FastCheck(const Session& session, const Envelope& envelope, simdjson::dom::object root,
                                std::string_view replaces, std::string_view text) {
  constexpr std::nullopt_t undecided = std::nullopt;
  if (session.options().device_id.empty() || (!replaces.empty() && !IsUuidV4(replaces))) return undecided;
  for (int32_t p = 0; p < session.page_count(); ++p) {
    if (!session.PageErrors(p).empty()) return undecided;
  }
  const Form& form = session.form();
  CanonicalJsonWriter out;
  out.Reserve(text.size());  // the engine's bytes are these, or the check fails anyway
  out.BeginObject();
  for (auto field : root) {
    out.Key(field.key);
    if (field.key == kKeyNames[kAnswers]) {
      out.BeginObject();
      WriteAnswers(form, session.state(), out);
      out.EndObject();
    } else {
      Encode(field.value, out);
    }
  }
  out.EndObject();
  if (out.text() != text) return undecided;
  if (envelope.present[kInstanceName]) {
    std::string name = DisplayText(session.state().EvaluateIn(form.settings().instance_name, kNone, 0));
    if (envelope.strings[kInstanceName] != name) {
      return Fault(KeyPointer(kInstanceName), "instance name " + Quoted(envelope.strings[kInstanceName]) +
                                                  " differs from the engine's " + Quoted(name));
    }
  }
  return Status::Ok();
}

// Finalizes the replayed session and compares what it writes with what was received, naming
// the first fault: the engine's checks, then each answer, the instance name, and the bytes.
Status CheckByFinalize(Session& session, const Envelope& envelope, std::string_view replaces,
                       simdjson::dom::object answers, std::string_view received_answers) {
  // Finalize runs the engine's checks once; only a refused one needs them again, to say which.
  Result<Submission> finalized = session.Finalize(replaces);
  if (!finalized.ok()) {
    std::vector<AnswerError> errors = session.AllErrors();
    if (!errors.empty()) return ErrorFault(session, errors.front());
    return Fault("/answers", "the engine cannot finalize it: " + finalized.status().message());
  }
  // The replayed submission has no audit, so its answers run from the key to the closing brace.
  const std::string& written = finalized->canonical_json;
  static constexpr std::string_view kAnswersKey = ",\"answers\":";
  size_t at = written.find(kAnswersKey);
  if (at == std::string::npos || written.size() < at + kAnswersKey.size() + 3) {
    return Status::Internal("the replayed submission has no answers");
  }
  std::string_view engine_answers =
      std::string_view(written).substr(at + kAnswersKey.size(), written.size() - at - kAnswersKey.size() - 1);

  JsonDocument own_expected;
  JsonDocument& expected_document =
      ThreadDocumentFor(ThreadDocumentSlot::kEngineAnswers, engine_answers.size(), own_expected);
  JsonLimits expected_limits;
  expected_limits.max_depth = kMaxDepth;
  expected_limits.max_bytes = std::max(expected_limits.max_bytes, engine_answers.size());
  Status reread = expected_document.Parse(engine_answers, expected_limits);
  if (!reread.ok()) return Status::Internal("the replayed answers cannot be read: " + reread.message());
  Status status =
      AnswerComparer(session).Compare(expected_document.root().get_object().value_unsafe(), answers, 0, "/answers");
  if (!status.ok()) return status;

  if (envelope.present[kInstanceName] && envelope.strings[kInstanceName] != finalized->instance_name) {
    return Fault(KeyPointer(kInstanceName), "instance name " + Quoted(envelope.strings[kInstanceName]) +
                                                " differs from the engine's " + Quoted(finalized->instance_name));
  }
  // The comparison above should leave nothing; the bytes decide.
  if (received_answers != engine_answers) {
    return Fault(PointerOfDifference(envelope.fields[kAnswers], received_answers, engine_answers, "/answers"),
                 "the answers differ from those the engine writes");
  }
  return Status::Ok();
}

// The session a submission was filled in, as its envelope says: language, start, device and
// enumerator (into `snapshot` and the options to resume it with).
SessionOptions ReplayOptions(const Envelope& envelope, SessionSnapshot* snapshot) {
  snapshot->language = std::string(envelope.strings[kLanguage]);
  snapshot->started_at_millis = envelope.started.utc_millis;
  snapshot->started_offset_minutes = envelope.started.offset_minutes;
  SessionOptions options;
  options.language = snapshot->language;
  options.device_id = std::string(envelope.strings[kDeviceId]);
  if (envelope.present[kEnumeratorId]) options.enumerator_id = std::string(envelope.strings[kEnumeratorId]);
  return options;
}

// The checks after parsing: `root` is the parse of `text`.
Status CheckParsed(const std::shared_ptr<const Form>& form_ptr, std::string_view text, element root) {
  const Form& form = *form_ptr;
  Envelope envelope;
  Status status = CheckEnvelope(form, root, &envelope);
  if (!status.ok()) return status;

  ReplayEnv env(envelope.ended.utc_millis, envelope.ended.offset_minutes);
  SessionSnapshot snapshot;
  snapshot.answers.reserve(form.items().size());  // about one per question, unless in repeats
  AnswerReader reader(form, &env, &snapshot);
  simdjson::dom::object answers = envelope.fields[kAnswers].get_object().value_unsafe();
  status = reader.Read(answers);
  if (!status.ok()) return status;

  // The bytes must be the engine's: no whitespace, minimal escapes, numbers in shortest form.
  // Checked here only when the fast path below cannot vouch for them, but before any fault of
  // the replay, as that is the order faults are reported in.
  size_t answers_begin = 0, answers_end = 0;
  auto canonical_fault = [&]() -> std::optional<Status> {
    std::string canonical = CanonicalEnvelope(root.get_object().value_unsafe(), &answers_begin, &answers_end);
    if (canonical == text) return std::nullopt;
    return Fault(PointerOfDifference(root, text, canonical, ""),
                 "not canonical JSON: the engine writes these bytes differently (whitespace, escapes or number "
                 "format)");
  };

  const SessionOptions options = ReplayOptions(envelope, &snapshot);
  Result<std::unique_ptr<Session>> resumed = Session::Resume(form_ptr, &env, options, snapshot);
  if (!resumed.ok()) {
    if (std::optional<Status> fault = canonical_fault()) return *std::move(fault);
    return Fault("/answers", "cannot be replayed: " + resumed.status().message());
  }
  Session& session = **resumed;

  std::string_view replaces = envelope.present[kReplaces] ? envelope.strings[kReplaces] : std::string_view();
  std::optional<Status> fast = FastCheck(session, envelope, root.get_object().value_unsafe(), replaces, text);
  if (fast && fast->ok()) return Status::Ok();
  if (std::optional<Status> fault = canonical_fault()) return *std::move(fault);
  if (fast) return *std::move(fast);
  // The bytes are canonical, so the received answers' canonical form is this span of them.
  const std::string_view received_answers = text.substr(answers_begin, answers_end - answers_begin);
  return CheckByFinalize(session, envelope, replaces, answers, received_answers);
}

// The session a submission's answers rebuild, with the clock stopped at its ended_at.
Result<ReplayedSubmission> Replay(const std::shared_ptr<const Form>& form_ptr, std::string_view text) {
  JsonLimits limits;
  limits.max_depth = kMaxDepth;
  JsonDocument document;
  Status parsed = document.Parse(text, limits);
  if (!parsed.ok()) return parsed;
  Envelope envelope;
  Status status = CheckEnvelope(*form_ptr, document.root(), &envelope);
  if (!status.ok()) return status;
  ReplayedSubmission replayed;
  replayed.env = std::make_unique<ReplayEnv>(envelope.ended.utc_millis, envelope.ended.offset_minutes);
  SessionSnapshot snapshot;
  AnswerReader reader(*form_ptr, replayed.env.get(), &snapshot);
  status = reader.Read(envelope.fields[kAnswers].get_object().value_unsafe());
  if (!status.ok()) return status;
  const SessionOptions options = ReplayOptions(envelope, &snapshot);
  Result<std::unique_ptr<Session>> session = Session::Resume(form_ptr, replayed.env.get(), options, snapshot);
  if (!session.ok()) return session.status();
  replayed.session = std::move(session).value();
  return replayed;
}

Status Check(const std::shared_ptr<const Form>& form_ptr, std::string_view text) {
  JsonLimits limits;
  limits.max_depth = kMaxDepth;
  JsonDocument own;
  JsonDocument& document = ThreadDocumentFor(ThreadDocumentSlot::kSubmission, text.size(), own);
  Status parsed = document.Parse(text, limits);
  if (!parsed.ok()) {
    if (parsed.code() != StatusCode::kInvalidArgument || parsed.message().rfind("document is", 0) == 0) return parsed;
    return Fault(parsed.pointer(), "malformed JSON: " + parsed.message());
  }
  return CheckParsed(form_ptr, text, document.root());
}

}  // namespace

Status CheckSubmission(std::shared_ptr<const Form> form, std::string_view canonical_json) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  try {
    return Check(form, canonical_json);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while checking a submission");
  }
}

Status CheckParsedSubmission(std::shared_ptr<const Form> form, std::string_view canonical_json,
                             const simdjson::dom::element& root) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  try {
    return CheckParsed(form, canonical_json, root);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while checking a submission");
  }
}

Result<ReplayedSubmission> ReplaySubmission(std::shared_ptr<const Form> form, std::string_view json) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  try {
    return Replay(form, json);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory while replaying a submission");
  }
}

}  // namespace chosa
