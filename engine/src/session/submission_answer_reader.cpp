// Re-validation's reading of the answers (submission_check_internal.h): every answer strictly as
// the engine writes it, in document order, turned into the snapshot a replayed session resumes.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "chosa/base/json_reader.h"
#include "session/answer_text.h"
#include "session/messages.h"
#include "session/submission_check_internal.h"
#include "chosa/base/suggest.h"

namespace chosa {
namespace submission_check {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

// Session::Resume restores at most this many instances of a repeat.
constexpr size_t kMaxInstances = 100000;

bool IsNumber(element value) { return IsJsonNumber(value); }

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

}  // namespace

Status ReadAnswers(const Form& form, Env* env, simdjson::dom::object answers, SessionSnapshot* snapshot) {
  AnswerReader reader(form, env, snapshot);
  return reader.Read(answers);
}

}  // namespace submission_check
}  // namespace chosa
