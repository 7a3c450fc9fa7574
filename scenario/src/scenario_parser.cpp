// Reads scenario files (scenario.h) and checks them against the form they test.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "chosa/value.h"
#include "chosa/scenario/scenario.h"
#include "chosa/base/suggest.h"
#include "chosa/engine/datetime.h"
#include "chosa/base/json_reader.h"

namespace chosa {
namespace scenario {

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kSet: return "set";
    case StepKind::kClear: return "clear";
    case StepKind::kAdd: return "add";
    case StepKind::kRemove: return "remove";
    case StepKind::kLanguage: return "language";
    case StepKind::kNext: return "next";
    case StepKind::kBack: return "back";
    case StepKind::kGoto: return "goto";
    case StepKind::kFinalize: return "finalize";
    case StepKind::kExpect: return "expect";
  }
  return "?";
}

namespace {

const std::vector<std::string_view> kTopKeys = {"$schema", "name", "description", "form", "language",
                                                "enumerator_id", "now", "steps"};
const std::vector<std::string_view> kActionKeys = {"set", "clear", "add", "remove", "language",
                                                   "next", "back", "goto", "finalize", "expect"};
const std::vector<std::string_view> kModifierKeys = {"expect_blocked", "expect_refused", "comment"};
const std::vector<std::string_view> kExpectKeys = {
    "visible", "hidden", "required", "not_required", "values", "stored", "errors", "no_errors",
    "page", "count", "choices", "labels", "view", "submission"};
const std::vector<std::string_view> kErrorKinds = {"required", "constraint", "type", "choice",
                                                   "count", "read_only", "evaluation"};
const std::vector<std::string_view> kSubmissionKeys = {
    "answers", "exact", "keys_absent", "uuid", "form_id", "form_version", "device_id",
    "enumerator_id", "instance_name", "language", "started_at", "ended_at", "replaces"};

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// "a note", "an integer": an item type with its article.
std::string AType(ItemType type) {
  std::string name = ItemTypeName(type);
  return (name.find_first_of("aeiou") == 0 ? "an " : "a ") + name;
}

// nlohmann keeps the last of two equal keys without a word; a scenario with "age" twice in one
// "set" would silently test something else, so a first pass finds duplicates with their pointer.
constexpr size_t kMaxDepth = 64;  // as for forms

class DuplicateKeyFinder : public nlohmann::json_sax<Json> {
 public:
  std::vector<Status> problems;
  bool too_deep = false;

  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool string(string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool start_object(std::size_t) override {
    frames_.push_back({true, Begin(), {}, {}, 0});
    return Deep();
  }
  bool key(string_t& key) override {
    Frame& top = frames_.back();
    top.key = key;
    if (!top.keys.insert(key).second) {
      problems.push_back(Status::InvalidArgument("duplicate key " + Quote(key), PointerAppend(top.pointer, key)));
    }
    return true;
  }
  bool end_object() override { return Pop(); }
  bool start_array(std::size_t) override {
    frames_.push_back({false, Begin(), {}, {}, 0});
    return Deep();
  }
  bool end_array() override { return Pop(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;  // the DOM parse reports syntax errors
  }

 private:
  struct Frame {
    bool object;
    std::string pointer;
    std::set<std::string> keys;
    std::string key;
    size_t index;
  };
  std::string Begin() {
    if (frames_.empty()) return "";
    Frame& top = frames_.back();
    if (top.object) return PointerAppend(top.pointer, top.key);
    return top.pointer + "/" + std::to_string(top.index++);
  }
  bool Scalar() {
    Begin();
    return true;
  }
  bool Pop() {
    frames_.pop_back();
    return true;
  }
  bool Deep() {  // false stops the parse
    too_deep = frames_.size() > kMaxDepth;
    return !too_deep;
  }
  std::vector<Frame> frames_;
};

// Where an item may be named, and what it must then be.
enum class Use {
  kAny,      // visible, hidden, labels: any item
  kValue,    // values, stored: a question, a matrix row or a calculate
  kAnswer,   // set, clear: a question the filler answers
  kRequired, // required, not_required: a question or a matrix
  kSelect,   // choices
  kRepeat,   // add, remove, count
};

class Parser {
 public:
  explicit Parser(const Form& form) : form_(form) {
    for (const Item& item : form.items()) names_.push_back(item.name);
    for (int32_t page : form.pages()) page_names_.push_back(form.item(page).name);
  }

  ParsedScenario Parse(std::string_view text) {
    ParsedScenario result;
    // The SAX pass first: it is not recursive, so a document nested too deeply for the
    // recursive code after it (matching, printing) is refused before a tree is built.
    DuplicateKeyFinder duplicates;
    try {
      Json::sax_parse(text.begin(), text.end(), &duplicates);
    } catch (const nlohmann::json::exception&) {
      // Syntax errors are reported by the DOM parse below, with line and column.
    }
    if (duplicates.too_deep) {
      result.problems.push_back(Status::InvalidArgument("nesting deeper than " + std::to_string(kMaxDepth) + " levels"));
      return result;
    }
    Json doc;
    try {
      doc = Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
      // "[json.exception.parse_error.101] parse error at line 3, column 7: ..." without the tag.
      std::string what = e.what();
      size_t tag_end = what.find("] ");
      result.problems.push_back(Status::InvalidArgument(tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
      return result;
    }
    problems_ = std::move(duplicates.problems);  // first: they are about the text itself

    Scenario scenario;
    scenario.now_millis = kDefaultNowMillis;
    scenario.utc_offset_minutes = kDefaultOffsetMinutes;
    ReadScenario(doc, &scenario);
    result.problems = std::move(problems_);
    if (result.problems.empty()) result.scenario = std::move(scenario);
    return result;
  }

 private:
  void Problem(const std::string& pointer, std::string message) {
    problems_.push_back(Status::InvalidArgument(std::move(message), pointer));
  }

  static std::string TypeName(const Json& value) {
    switch (value.type()) {
      case Json::value_t::null: return "null";
      case Json::value_t::boolean: return "a boolean";
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned:
      case Json::value_t::number_float: return "a number";
      case Json::value_t::string: return "a string";
      case Json::value_t::array: return "an array";
      case Json::value_t::object: return "an object";
      default: return "a value";
    }
  }

  void WrongType(const std::string& pointer, const Json& value, const std::string& wanted) {
    Problem(pointer, "expected " + wanted + ", not " + TypeName(value));
  }

  // Reports keys of `object` outside `allowed`, each with the nearest allowed key.
  void CheckKeys(const Json& object, const std::string& pointer, const std::vector<std::string_view>& allowed) {
    for (const auto& [key, value] : object.items()) {
      (void)value;
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      Problem(PointerAppend(pointer, key), "unknown key " + Quote(key) + DidYouMean(key, allowed, "\"", "\""));
    }
  }

  bool ReadString(const Json& value, const std::string& pointer, std::string* out, bool non_empty = false) {
    if (!value.is_string()) {
      WrongType(pointer, value, "a string");
      return false;
    }
    *out = value.get<std::string>();
    if (non_empty && out->empty()) {
      Problem(pointer, "must not be empty");
      return false;
    }
    return true;
  }

  bool ReadInt(const Json& value, const std::string& pointer, int64_t min, int64_t max, int32_t* out) {
    bool integral = value.is_number_integer() ||
                    (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
    if (!integral) {
      WrongType(pointer, value, "a whole number");
      return false;
    }
    double number = value.get<double>();
    if (number < static_cast<double>(min) || number > static_cast<double>(max)) {
      Problem(pointer, "must be from " + std::to_string(min) + " to " + std::to_string(max));
      return false;
    }
    *out = static_cast<int32_t>(number);
    return true;
  }

  // A string, or an array of strings: "visible": "why" is "visible": ["why"].
  std::vector<std::pair<std::string, std::string>> ReadStringList(const Json& value, const std::string& pointer) {
    std::vector<std::pair<std::string, std::string>> out;  // (text, pointer)
    if (value.is_string()) {
      out.emplace_back(value.get<std::string>(), pointer);
    } else if (value.is_array()) {
      if (value.empty()) Problem(pointer, "an empty list: name at least one item");
      for (size_t i = 0; i < value.size(); ++i) {
        std::string p = pointer + "/" + std::to_string(i);
        if (value[i].is_string()) out.emplace_back(value[i].get<std::string>(), p);
        else WrongType(p, value[i], "a string");
      }
    } else {
      WrongType(pointer, value, "a string or an array of strings");
    }
    return out;
  }

  // --- item paths --------------------------------------------------------------------------

  // Checks "name" or "repeat[k]/name" against the form, for the given use.
  bool CheckPath(const std::string& path, const std::string& pointer, Use use) {
    std::string name = path;
    int32_t repeat = kNone;
    size_t slash = path.find('/');
    if (slash != std::string::npos || path.find('[') != std::string::npos) {
      size_t open = path.find('[');
      size_t close = path.find(']');
      std::string digits = open == std::string::npos || close == std::string::npos || close < open
                               ? std::string()
                               : path.substr(open + 1, close - open - 1);
      bool well_formed = slash != std::string::npos && open != std::string::npos && open > 0 &&
                         close + 1 == slash && !digits.empty() && digits.size() <= 6 &&
                         digits.find_first_not_of("0123456789") == std::string::npos && std::stoi(digits) >= 1 &&
                         slash + 1 < path.size();
      if (!well_formed) {
        Problem(pointer, "bad path " + Quote(path) + ": write \"name\", or \"repeat[position]/name\" inside a repeat (positions from 1)");
        return false;
      }
      std::string repeat_name = path.substr(0, open);
      repeat = form_.Find(repeat_name);
      if (repeat == kNone) {
        Problem(pointer, "unknown repeat " + Quote(repeat_name) + DidYouMean(repeat_name, names_, "\"", "\""));
        return false;
      }
      if (form_.item(repeat).type != ItemType::kRepeat) {
        Problem(pointer, Quote(repeat_name) + " is " + AType(form_.item(repeat).type) + ", not a repeat");
        return false;
      }
      name = path.substr(slash + 1);
    }
    int32_t index = form_.Find(name);
    if (index == kNone) {
      Problem(pointer, "unknown item " + Quote(name) + DidYouMean(name, names_, "\"", "\""));
      return false;
    }
    const Item& item = form_.item(index);
    if (repeat == kNone && item.repeat != kNone) {
      const std::string& r = form_.item(item.repeat).name;
      Problem(pointer, Quote(name) + " is inside repeat " + Quote(r) + ": write \"" + r + "[1]/" + name + "\"");
      return false;
    }
    if (repeat != kNone && item.repeat != repeat) {
      Problem(pointer, Quote(name) + " is not inside repeat " + Quote(form_.item(repeat).name));
      return false;
    }
    switch (use) {
      case Use::kAny:
        return true;
      case Use::kValue:
        if (item.type == ItemType::kMatrix) {
          Problem(pointer, Quote(name) + " is a matrix: it has no value of its own; check its rows (" +
                               form_.item(item.children.front()).name + ", ...) or a calculate over it");
          return false;
        }
        if (HoldsAnswer(item.type)) return true;
        Problem(pointer, Quote(name) + " is " + AType(item.type) + ": it has no value");
        return false;
      case Use::kAnswer:
        if (item.type == ItemType::kCalculate) {
          Problem(pointer, Quote(name) + " is a calculate: it cannot be answered; check it under \"values\"");
          return false;
        }
        if (item.type == ItemType::kMatrix) {
          Problem(pointer, Quote(name) + " is a matrix: answer each of its rows (" + form_.item(item.children.front()).name + ", ...)");
          return false;
        }
        if (HoldsAnswer(item.type)) return true;
        Problem(pointer, Quote(name) + " is " + AType(item.type) + ": it takes no answer");
        return false;
      case Use::kRequired:
        if ((HoldsAnswer(item.type) && item.type != ItemType::kCalculate) || item.type == ItemType::kMatrix) return true;
        Problem(pointer, Quote(name) + " is " + AType(item.type) + ": it is never required");
        return false;
      case Use::kSelect:
        if (IsSelect(item.type)) return true;
        Problem(pointer, Quote(name) + " is " + AType(item.type) + ", not a select: it has no choices");
        return false;
      case Use::kRepeat:
        if (repeat != kNone) {
          Problem(pointer, "name the repeat alone: " + Quote(form_.item(repeat).name));
          return false;
        }
        if (item.type != ItemType::kRepeat) {
          Problem(pointer, Quote(name) + " is " + AType(item.type) + ", not a repeat");
          return false;
        }
        return true;
    }
    return false;
  }

  std::vector<std::string> ReadPaths(const Json& value, const std::string& pointer, Use use) {
    std::vector<std::string> out;
    for (auto& [path, p] : ReadStringList(value, pointer)) {
      if (CheckPath(path, p, use)) out.push_back(path);
    }
    return out;
  }

  // A page by name or 0-based index.
  bool ReadPage(const Json& value, const std::string& pointer, int32_t* out) {
    int32_t count = form_.pages().empty() ? 1 : static_cast<int32_t>(form_.pages().size());
    if (value.is_string()) {
      std::string name = value.get<std::string>();
      if (form_.pages().empty()) {
        Problem(pointer, "the form has no pages: its one page is 0");
        return false;
      }
      for (size_t i = 0; i < page_names_.size(); ++i) {
        if (page_names_[i] == name) {
          *out = static_cast<int32_t>(i);
          return true;
        }
      }
      Problem(pointer, "unknown page " + Quote(name) + DidYouMean(name, page_names_, "\"", "\""));
      return false;
    }
    if (value.is_number()) return ReadInt(value, pointer, 0, count - 1, out);
    WrongType(pointer, value, "a page name or a page index (from 0)");
    return false;
  }

  bool ReadLanguage(const Json& value, const std::string& pointer, std::string* out) {
    if (!ReadString(value, pointer, out)) return false;
    const std::vector<std::string>& languages = form_.languages();
    if (std::find(languages.begin(), languages.end(), *out) != languages.end()) return true;
    std::string list;
    for (const std::string& l : languages) list += (list.empty() ? "" : ", ") + l;
    Problem(pointer, "the form has no language " + Quote(*out) + " (it has " + list + ")");
    return false;
  }

  // --- the scenario ------------------------------------------------------------------------

  void ReadScenario(const Json& doc, Scenario* s) {
    if (!doc.is_object()) {
      Problem("", "a scenario is an object: {\"name\": \"...\", \"steps\": [...]}");
      return;
    }
    CheckKeys(doc, "", kTopKeys);
    if (!doc.contains("name")) Problem("", "missing \"name\": say what the scenario proves");
    else ReadString(doc["name"], "/name", &s->name, true);
    if (doc.contains("description")) ReadString(doc["description"], "/description", &s->description);
    if (doc.contains("$schema")) {
      std::string ignored;
      ReadString(doc["$schema"], "/$schema", &ignored);
    }
    if (doc.contains("form")) {
      std::string id;
      if (ReadString(doc["form"], "/form", &id) && id != form_.id()) {
        Problem("/form", "the scenario is for form " + Quote(id) + ", not " + Quote(form_.id()));
      }
    }
    if (doc.contains("language")) ReadLanguage(doc["language"], "/language", &s->language);
    if (doc.contains("enumerator_id")) ReadString(doc["enumerator_id"], "/enumerator_id", &s->enumerator_id);
    if (doc.contains("now")) {
      std::string text;
      if (ReadString(doc["now"], "/now", &text) && !ParseDateTime(text, &s->now_millis, &s->utc_offset_minutes)) {
        Problem("/now", "expected a date and time like \"2024-11-03T10:30:00+09:00\", not " + Quote(text));
      }
    }
    if (!doc.contains("steps")) {
      Problem("", "missing \"steps\"");
      return;
    }
    const Json& steps = doc["steps"];
    if (!steps.is_array()) {
      WrongType("/steps", steps, "an array of steps");
      return;
    }
    if (steps.empty()) Problem("/steps", "a scenario needs at least one step");
    for (size_t i = 0; i < steps.size(); ++i) {
      Step step;
      step.pointer = "/steps/" + std::to_string(i);
      if (ReadStep(steps[i], &step)) s->steps.push_back(std::move(step));
    }
  }

  bool ReadStep(const Json& json, Step* step) {
    const std::string& at = step->pointer;
    if (!json.is_object()) {
      WrongType(at, json, "a step object such as {\"next\": true}");
      return false;
    }
    std::vector<std::string_view> all_keys = kActionKeys;
    all_keys.insert(all_keys.end(), kModifierKeys.begin(), kModifierKeys.end());
    CheckKeys(json, at, all_keys);
    std::vector<std::string> actions;
    for (const auto& [key, value] : json.items()) {
      (void)value;
      if (std::find(kActionKeys.begin(), kActionKeys.end(), key) != kActionKeys.end()) actions.push_back(key);
    }
    if (actions.empty()) {
      Problem(at, "a step needs one action (set, clear, add, remove, language, next, back, goto, finalize) or \"expect\"");
      return false;
    }
    if (actions.size() > 1) {
      Problem(at, "a step has one action or expectation, not " + Quote(actions[0]) + " and " + Quote(actions[1]) +
                      ": put them in two steps, so that a failure names the one that failed");
      return false;
    }
    const std::string& key = actions[0];
    std::string p = at + "/" + key;
    const Json& value = json[key];
    bool ok = true;
    if (key == "set") {
      step->kind = StepKind::kSet;
      ok = ReadSet(value, p, step);
    } else if (key == "clear") {
      step->kind = StepKind::kClear;
      std::vector<std::string> paths = ReadPaths(value, p, Use::kAnswer);
      for (const std::string& path : paths) step->answers.emplace_back(path, "");
      ok = !paths.empty();
    } else if (key == "add") {
      step->kind = StepKind::kAdd;
      ok = ReadAdd(value, p, step);
    } else if (key == "remove") {
      step->kind = StepKind::kRemove;
      ok = ReadRemove(value, p, step);
    } else if (key == "language") {
      step->kind = StepKind::kLanguage;
      ok = ReadLanguage(value, p, &step->language);
    } else if (key == "next" || key == "back" || key == "finalize") {
      step->kind = key == "next" ? StepKind::kNext : key == "back" ? StepKind::kBack : StepKind::kFinalize;
      if (value != Json(true)) {
        Problem(p, "write " + Quote(key) + ": true");
        ok = false;
      }
    } else if (key == "goto") {
      step->kind = StepKind::kGoto;
      ok = ReadPage(value, p, &step->page);
    } else {
      step->kind = StepKind::kExpect;
      ok = ReadExpect(value, p, &step->expect);
    }
    ok = ReadModifiers(json, step) && ok;
    if (step->kind == StepKind::kFinalize && !step->expect_blocked) finalized_ = true;
    return ok;
  }

  bool ReadModifiers(const Json& json, Step* step) {
    bool ok = true;
    bool blockable = step->kind == StepKind::kNext || step->kind == StepKind::kFinalize;
    const char* kind = StepKindName(step->kind);
    if (json.contains("comment")) {
      std::string ignored;
      ok = ReadString(json["comment"], step->pointer + "/comment", &ignored) && ok;
    }
    if (json.contains("expect_blocked")) {
      std::string p = step->pointer + "/expect_blocked";
      if (!json["expect_blocked"].is_boolean()) {
        WrongType(p, json["expect_blocked"], "true or false");
        ok = false;
      } else if (!blockable) {
        Problem(p, std::string("expect_blocked goes with next or finalize; ") +
                       (step->kind == StepKind::kExpect ? "an expectation cannot be blocked"
                                                        : "write \"expect_refused\": true for " + std::string(kind)));
        ok = false;
      } else {
        step->expect_blocked = json["expect_blocked"].get<bool>();
      }
    }
    if (json.contains("expect_refused")) {
      std::string p = step->pointer + "/expect_refused";
      const Json& v = json["expect_refused"];
      if (blockable) {
        Problem(p, std::string("write \"expect_blocked\": true for ") + kind);
        ok = false;
      } else if (step->kind == StepKind::kExpect) {
        Problem(p, "an expectation cannot be refused; expect_refused goes with an action");
        ok = false;
      } else if (v.is_boolean()) {
        if (v.get<bool>()) step->expect_refused = "";
      } else if (v.is_string()) {
        step->expect_refused = v.get<std::string>();
      } else {
        WrongType(p, v, "true, or a text the refusal's message contains");
        ok = false;
      }
      if (step->expect_refused && step->kind == StepKind::kAdd && step->times != 1) {
        Problem(p, "expect_refused needs a single add (no \"times\"): which of them should be refused?");
        ok = false;
      }
    }
    return ok;
  }

  // {"age": 70, "attendees[2]/name": "山田", "needs": ["a", "b"], "comments": null}
  bool ReadSet(const Json& value, const std::string& pointer, Step* step) {
    if (!value.is_object() || value.empty()) {
      Problem(pointer, "expected an object of answers: {\"age\": 70, \"needs\": [\"a\", \"b\"]}");
      return false;
    }
    bool ok = true;
    for (const auto& [path, answer] : value.items()) {
      std::string p = PointerAppend(pointer, path);
      bool path_ok = CheckPath(path, p, Use::kAnswer);
      std::string text;
      bool text_ok = AnswerText(answer, p, &text);
      if (path_ok && text_ok) step->answers.emplace_back(path, text);
      ok = ok && path_ok && text_ok;
    }
    return ok;
  }

  // The text Session::SetAnswer takes: numbers as written, arrays space-separated, null clears.
  bool AnswerText(const Json& value, const std::string& pointer, std::string* out) {
    switch (value.type()) {
      case Json::value_t::null: *out = ""; return true;
      case Json::value_t::string: *out = value.get<std::string>(); return true;
      case Json::value_t::number_integer: *out = std::to_string(value.get<int64_t>()); return true;
      case Json::value_t::number_unsigned: *out = std::to_string(value.get<uint64_t>()); return true;
      case Json::value_t::number_float: *out = FormatNumber(value.get<double>()); return true;
      case Json::value_t::boolean:
        Problem(pointer, "a boolean is no answer: write \"OK\" for an acknowledge, or the choice value (\"yes\")");
        return false;
      case Json::value_t::array: {
        bool ok = true;
        for (size_t i = 0; i < value.size(); ++i) {
          std::string element;
          std::string p = pointer + "/" + std::to_string(i);
          if (value[i].is_array() || value[i].is_object() || value[i].is_null() || value[i].is_boolean()) {
            WrongType(p, value[i], "a choice value (a string or a number)");
            ok = false;
            continue;
          }
          if (!AnswerText(value[i], p, &element)) {
            ok = false;
            continue;
          }
          *out += (i == 0 ? "" : " ") + element;
        }
        return ok;
      }
      default:
        WrongType(pointer, value, "a string, a number, an array of choice values, or null");
        return false;
    }
  }

  // The "repeat" of an add or remove step as an object: required, the name of a repeat.
  bool ReadRepeatKey(const Json& value, const std::string& pointer, Step* step) {
    if (!value.contains("repeat")) {
      Problem(pointer, "missing \"repeat\"");
      return false;
    }
    return ReadString(value["repeat"], pointer + "/repeat", &step->repeat) &&
           CheckPath(step->repeat, pointer + "/repeat", Use::kRepeat);
  }

  bool ReadAdd(const Json& value, const std::string& pointer, Step* step) {
    if (value.is_string()) {
      step->repeat = value.get<std::string>();
      return CheckPath(step->repeat, pointer, Use::kRepeat);
    }
    if (!value.is_object()) {
      WrongType(pointer, value, "a repeat name, or {\"repeat\": \"...\", \"times\": N}");
      return false;
    }
    CheckKeys(value, pointer, {"repeat", "times"});
    bool ok = ReadRepeatKey(value, pointer, step);
    if (value.contains("times")) ok = ReadInt(value["times"], pointer + "/times", 1, 10000, &step->times) && ok;
    return ok;
  }

  bool ReadRemove(const Json& value, const std::string& pointer, Step* step) {
    if (!value.is_object()) {
      WrongType(pointer, value, "{\"repeat\": \"...\", \"position\": N} (positions from 1)");
      return false;
    }
    CheckKeys(value, pointer, {"repeat", "position"});
    bool ok = ReadRepeatKey(value, pointer, step);
    if (!value.contains("position")) {
      Problem(pointer, "missing \"position\" (from 1)");
      ok = false;
    } else {
      ok = ReadInt(value["position"], pointer + "/position", 1, 1000000, &step->position) && ok;
    }
    return ok;
  }

  // --- expectations ------------------------------------------------------------------------

  bool ReadExpect(const Json& value, const std::string& pointer, Expectations* e) {
    if (!value.is_object() || value.empty()) {
      Problem(pointer, "expected an object of expectations: {\"visible\": [...], \"values\": {...}, ...}");
      return false;
    }
    size_t before = problems_.size();
    CheckKeys(value, pointer, kExpectKeys);
    for (const auto& [key, v] : value.items()) {
      std::string p = PointerAppend(pointer, key);
      if (key == "visible") e->visible = ReadPaths(v, p, Use::kAny);
      else if (key == "hidden") e->hidden = ReadPaths(v, p, Use::kAny);
      else if (key == "required") e->required = ReadPaths(v, p, Use::kRequired);
      else if (key == "not_required") e->not_required = ReadPaths(v, p, Use::kRequired);
      else if (key == "values") ReadExpectedValues(v, p, &e->values);
      else if (key == "stored") ReadExpectedValues(v, p, &e->stored);
      else if (key == "errors") ReadErrors(v, p, &e->errors);
      else if (key == "no_errors") {
        if (v == Json(true)) e->no_errors_anywhere = true;
        else if (v.is_boolean()) Problem(p, "write true (no errors anywhere) or a list of items");
        else e->no_errors = ReadPaths(v, p, Use::kAny);
      } else if (key == "page") {
        int32_t page = 0;
        if (ReadPage(v, p, &page)) e->page = page;
      } else if (key == "count") ReadCounts(v, p, &e->counts);
      else if (key == "choices") ReadChoices(v, p, &e->choices);
      else if (key == "labels") ReadLabels(v, p, &e->labels);
      else if (key == "view") {
        if (v.is_object()) e->view = v;
        else WrongType(p, v, "an object: a part of the view model");
      } else if (key == "submission") ReadSubmission(v, p, e);
    }
    return problems_.size() == before;
  }

  // Expected values: a string, a number, a boolean, null ("empty") or an array of those.
  bool CheckExpectedValue(const Json& v, const std::string& pointer, bool allow_array = true) {
    if (v.is_object() || (v.is_array() && !allow_array)) {
      WrongType(pointer, v, allow_array ? "a string, a number, a boolean, null or an array" : "a string or a number");
      return false;
    }
    bool ok = true;
    if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i) ok = CheckExpectedValue(v[i], pointer + "/" + std::to_string(i), false) && ok;
    }
    return ok;
  }

  template <typename Out>
  bool ReadPathObject(const Json& v, const std::string& pointer, const char* example, Out each) {
    if (!v.is_object() || v.empty()) {
      Problem(pointer, std::string("expected an object such as ") + example);
      return false;
    }
    for (const auto& [path, value] : v.items()) each(path, value, PointerAppend(pointer, path));
    return true;
  }

  void ReadExpectedValues(const Json& v, const std::string& pointer, std::vector<std::pair<std::string, Json>>* out) {
    ReadPathObject(v, pointer, "{\"checklist_total\": 100}", [&](const std::string& path, const Json& value, const std::string& p) {
      bool ok = CheckPath(path, p, Use::kValue);
      if (CheckExpectedValue(value, p) && ok) out->emplace_back(path, value);
    });
  }

  void ReadErrors(const Json& v, const std::string& pointer,
                  std::vector<std::pair<std::string, std::vector<ExpectedError>>>* out) {
    ReadPathObject(v, pointer, "{\"age\": [\"constraint\"]}", [&](const std::string& path, const Json& value, const std::string& p) {
      bool ok = CheckPath(path, p, Use::kAny);
      std::vector<ExpectedError> errors;
      Json list = value.is_array() ? value : Json::array({value});
      for (size_t i = 0; i < list.size(); ++i) {
        std::string ep = value.is_array() ? p + "/" + std::to_string(i) : p;
        ExpectedError error;
        const Json& e = list[i];
        std::string kind_pointer = ep;
        if (e.is_string()) {
          error.kind = e.get<std::string>();
        } else if (e.is_object()) {
          CheckKeys(e, ep, {"kind", "message"});
          kind_pointer = ep + "/kind";
          if (!e.contains("kind")) {
            Problem(ep, "missing \"kind\"");
            ok = false;
            continue;
          }
          if (!ReadString(e["kind"], kind_pointer, &error.kind)) {
            ok = false;
            continue;
          }
          if (e.contains("message")) {
            std::string message;
            if (ReadString(e["message"], ep + "/message", &message)) error.message = message;
            else ok = false;
          }
        } else {
          WrongType(ep, e, "an error kind (\"required\", \"constraint\", ...) or {\"kind\": ..., \"message\": ...}");
          ok = false;
          continue;
        }
        if (std::find(kErrorKinds.begin(), kErrorKinds.end(), error.kind) == kErrorKinds.end()) {
          Problem(kind_pointer, "unknown error kind " + Quote(error.kind) + DidYouMean(error.kind, kErrorKinds, "\"", "\"") +
                          " (kinds: required, constraint, type, choice, count, read_only, evaluation)");
          ok = false;
          continue;
        }
        errors.push_back(std::move(error));
      }
      if (ok) out->emplace_back(path, std::move(errors));
    });
  }

  void ReadCounts(const Json& v, const std::string& pointer, std::vector<std::pair<std::string, int32_t>>* out) {
    ReadPathObject(v, pointer, "{\"attendees\": 2}", [&](const std::string& path, const Json& value, const std::string& p) {
      int32_t count = 0;
      bool ok = CheckPath(path, p, Use::kRepeat);
      if (ReadInt(value, p, 0, 1000000, &count) && ok) out->emplace_back(path, count);
    });
  }

  bool ReadValueList(const Json& v, const std::string& pointer, std::vector<std::string>* out) {
    if (!v.is_array()) {
      WrongType(pointer, v, "an array of choice values");
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string text;
      if (v[i].is_string() || v[i].is_number()) {
        AnswerText(v[i], pointer + "/" + std::to_string(i), &text);
        out->push_back(text);
      } else {
        WrongType(pointer + "/" + std::to_string(i), v[i], "a choice value");
        ok = false;
      }
    }
    return ok;
  }

  void ReadChoices(const Json& v, const std::string& pointer, std::vector<std::pair<std::string, ExpectedChoices>>* out) {
    ReadPathObject(v, pointer, "{\"ward\": [\"271276\", \"271021\"]}", [&](const std::string& path, const Json& value, const std::string& p) {
      bool ok = CheckPath(path, p, Use::kSelect);
      ExpectedChoices choices;
      if (value.is_array()) {
        choices.exact.emplace();
        ok = ReadValueList(value, p, &*choices.exact) && ok;
      } else if (value.is_object()) {
        CheckKeys(value, p, {"include", "exclude"});
        if (!value.contains("include") && !value.contains("exclude")) {
          Problem(p, "expected \"include\" and/or \"exclude\"");
          ok = false;
        }
        if (value.contains("include")) ok = ReadValueList(value["include"], p + "/include", &choices.include) && ok;
        if (value.contains("exclude")) ok = ReadValueList(value["exclude"], p + "/exclude", &choices.exclude) && ok;
      } else {
        WrongType(p, value, "the exact choice values, or {\"include\": [...], \"exclude\": [...]}");
        ok = false;
      }
      if (ok) out->emplace_back(path, std::move(choices));
    });
  }

  void ReadLabels(const Json& v, const std::string& pointer, std::vector<std::pair<std::string, std::string>>* out) {
    ReadPathObject(v, pointer, "{\"checklist_total_note\": \"合計 100 / 100\"}", [&](const std::string& path, const Json& value, const std::string& p) {
      bool ok = CheckPath(path, p, Use::kAny);
      std::string label;
      if (ReadString(value, p, &label) && ok) out->emplace_back(path, label);
    });
  }

  // The keys of a submission's answers: answer items outside repeats, and repeats whose
  // instances are objects keyed by the repeat's children.
  void CheckAnswerKeys(const Json& answers, const std::string& pointer, int32_t repeat) {
    for (const auto& [key, value] : answers.items()) {
      std::string p = PointerAppend(pointer, key);
      int32_t index = form_.Find(key);
      if (index == kNone) {
        Problem(p, "unknown item " + Quote(key) + DidYouMean(key, names_, "\"", "\""));
        continue;
      }
      const Item& item = form_.item(index);
      if (item.repeat != repeat) {
        Problem(p, repeat == kNone ? Quote(key) + " is inside repeat " + Quote(form_.item(item.repeat).name) +
                                         ": its answers are under that key, one object per instance"
                                   : Quote(key) + " is not inside repeat " + Quote(form_.item(repeat).name));
        continue;
      }
      if (item.type == ItemType::kRepeat) {
        if (!value.is_array()) {
          WrongType(p, value, "an array: one object per instance");
          continue;
        }
        for (size_t i = 0; i < value.size(); ++i) {
          if (value[i].is_object()) CheckAnswerKeys(value[i], p + "/" + std::to_string(i), index);
          else WrongType(p + "/" + std::to_string(i), value[i], "an object: the answers of one instance");
        }
        continue;
      }
      if (!HoldsAnswer(item.type)) {
        Problem(p, Quote(key) + " is " + AType(item.type) + ": it has no key in a submission" +
                       (item.type == ItemType::kMatrix ? " (its rows do)" : ""));
        continue;
      }
      CheckExpectedValue(value, p);
    }
  }

  void ReadSubmission(const Json& v, const std::string& pointer, Expectations* e) {
    if (!v.is_object() || v.empty()) {
      Problem(pointer, "expected an object: {\"answers\": {...}, \"keys_absent\": [...]}");
      return;
    }
    if (!finalized_) {
      Problem(pointer, "no earlier step finalizes: add {\"finalize\": true} before expecting a submission");
    }
    CheckKeys(v, pointer, kSubmissionKeys);
    ExpectedSubmission s;
    for (const auto& [key, value] : v.items()) {
      std::string p = PointerAppend(pointer, key);
      if (key == "answers") {
        if (!value.is_object()) {
          WrongType(p, value, "an object of answers");
          continue;
        }
        CheckAnswerKeys(value, p, kNone);
        s.answers = value;
      } else if (key == "exact") {
        if (value.is_boolean()) s.exact = value.get<bool>();
        else WrongType(p, value, "true or false");
      } else if (key == "keys_absent") {
        s.keys_absent = ReadPaths(value, p, Use::kAny);
      } else if (std::find(kSubmissionKeys.begin(), kSubmissionKeys.end(), key) != kSubmissionKeys.end()) {
        if (value.is_string()) s.fields.emplace_back(key, value);
        else WrongType(p, value, "a string");
      }
    }
    if (s.exact && !s.answers) Problem(pointer + "/exact", "\"exact\" needs \"answers\" to compare with");
    e->submission = std::move(s);
  }

  const Form& form_;
  std::vector<std::string_view> names_, page_names_;
  std::vector<Status> problems_;
  bool finalized_ = false;  // an earlier step finalizes: a submission may be expected
};

}  // namespace

bool ParseDateTime(std::string_view text, int64_t* utc_millis, int* offset_minutes) {
  // A date and a time (a date alone is no moment), read by the engine's ISO 8601 reader.
  if (text.find('T') == std::string_view::npos) return false;
  std::optional<ParsedDateTime> parsed = ParseIsoDateTime(text);
  if (!parsed) return false;
  const int offset = parsed->offset_minutes.value_or(kDefaultOffsetMinutes);  // no offset written: Japan
  *utc_millis = parsed->wall_millis - int64_t{offset} * kMillisPerMinute;
  *offset_minutes = offset;
  return true;
}

ParsedScenario ParseScenario(std::string_view json, const Form& form) {
  try {
    return Parser(form).Parse(json);
  } catch (const std::exception& e) {
    // Parser reads checked JSON only; this is a safety net, never the normal path.
    ParsedScenario result;
    result.problems.push_back(Status::Internal(std::string("unexpected: ") + e.what()));
    return result;
  }
}

ParsedScenario LoadScenarioFile(const std::string& path, const Form& form) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    ParsedScenario result;
    result.problems.push_back(Status::IOError("cannot read the file"));
    return result;
  }
  return ParseScenario(text.str(), form);
}

}  // namespace scenario
}  // namespace chosa
