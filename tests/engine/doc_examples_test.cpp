// Every expression example of docs/form-format.md, evaluated. The doc is the single source: the
// test reads it, extracts every example expression, and fails when an example has no expectation
// in tests/forms/doc_examples.json, when an expectation names no example of the doc (a stale
// one), or when an example's result differs from its expectation.
//
// What counts as an example (ExtractExamples):
//  - in a ```json block, or an inline code span that is a JSON member (`"constraint": "..."`),
//    the value of an expression property (relevant, constraint, calculation, choice_filter,
//    instance_name, count, and required / read_only when a string);
//  - any other inline code span in an "example" column of a table, or that contains `${`, `(`,
//    or an infix operator between spaces; spans under a "function" column (signatures) or a
//    "message" column (fault messages) are not examples.
// A span that matches but is no expression to evaluate (a placeholder such as `${name}`, a
// function named in prose such as `once()`) is listed in the fixture's "not_examples" with why.
//
// The fixture holds a form declaring every ${name} the examples use, named answer sets, and per
// example its expected value in some of the sets. Each example becomes an item of that form:
//  - by default a calculate (inside the repeat "in" names, if any), its raw result compared;
//  - "on": a copy of the named item with the example as its constraint (for examples that read
//    `.`), given the same answers as that item; the result is the constraint's truth;
//  - "filter_on": a copy of the named select with the example as its choice_filter; the result
//    is the offered values, separated by spaces;
//  - "load_error": the example alone in the form must fail to load with this text in a fault.
// A boolean example must be shown both true and false, unless "constant" says why not: an
// example that is always false (or always true) is what this test exists to catch.
// "claims" are statements of the doc in prose (the departures from JavaRosa, the conversions):
// each quotes the doc text it checks ("doc", which must still be in the doc) and is evaluated
// like an example.
//
// Sessions run on FixedEnv (2024-11-03T10:30:30+09:00), so today() and now() do not depend on TZ.
#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chosa/session.h"
#include "form/dependency_graph.h"
#include "session/session_internal.h"
#include "state/form_state.h"
#include "test_support.h"

using chosa::Form;
using chosa::Session;
using chosa::Value;
using chosa::testing::FixedEnv;
using chosa::testing::ReadFile;
using json = nlohmann::ordered_json;

namespace {

const std::string kDocPath = std::string(CHOSA_SOURCE_DIR) + "/docs/form-format.md";
const std::string kFixturePath = std::string(CHOSA_SOURCE_DIR) + "/tests/forms/doc_examples.json";

struct Extracted {
  std::string text;
  int line = 0;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The cells of a table row, split at `|` outside code spans and not escaped (`\|`).
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool in_code = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '`') in_code = !in_code;
    if (c == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += "\\|";
      ++i;
      continue;
    }
    if (c == '|' && !in_code) {
      cells.push_back(Trim(cell));
      cell.clear();
      continue;
    }
    cell += c;
  }
  cells.push_back(Trim(cell));
  // A row starts and ends with `|`: drop the empty outer cells.
  if (!cells.empty() && cells.front().empty()) cells.erase(cells.begin());
  if (!cells.empty() && cells.back().empty()) cells.pop_back();
  return cells;
}

std::string UnescapeJsonString(const std::string& s) { return json::parse("\"" + s + "\"").get<std::string>(); }

void AddJsonMembers(const std::string& text, int line, std::vector<Extracted>& out) {
  static const std::regex member(
      R"re("(relevant|constraint|calculation|choice_filter|instance_name|count|required|read_only)":\s*"((?:[^"\\]|\\.)*)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), member); it != std::sregex_iterator(); ++it) {
    out.push_back({UnescapeJsonString((*it)[2].str()), line});
  }
}

bool LooksLikeExpression(const std::string& span) {
  static const std::regex infix(R"re(\s(=|!=|<|<=|>|>=|\+|-|\*|div|mod|and|or)\s)re");
  return span.find("${") != std::string::npos || span.find('(') != std::string::npos ||
         std::regex_search(span, infix);
}

std::vector<Extracted> ExtractExamples(const std::string& doc) {
  std::vector<Extracted> out;
  std::istringstream in(doc);
  std::string line;
  int number = 0;
  bool in_fence = false;
  std::string fence_language;
  std::vector<std::string> header;  // the current table's column names
  bool in_table = false;
  static const std::regex span_re("`([^`]+)`");
  static const std::regex json_member_re(R"re(^"\w+":)re");
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      in_fence = !in_fence;
      fence_language = in_fence ? line.substr(3) : "";
      continue;
    }
    if (in_fence) {
      if (fence_language == "json") AddJsonMembers(line, number, out);
      continue;
    }
    std::vector<std::pair<std::string, std::string>> pieces;  // (column name, text)
    if (line.rfind("|", 0) == 0) {
      std::vector<std::string> cells = Cells(line);
      if (!in_table) {
        header = cells;
        in_table = true;
        continue;
      }
      if (line.rfind("|---", 0) == 0) continue;
      for (size_t i = 0; i < cells.size(); ++i) pieces.emplace_back(i < header.size() ? header[i] : "", cells[i]);
    } else {
      in_table = false;
      pieces.emplace_back("", line);
    }
    for (const auto& [column, text] : pieces) {
      if (column == "function" || column == "message") continue;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), span_re); it != std::sregex_iterator(); ++it) {
        std::string span = (*it)[1].str();
        if (span[0] == '{' || std::regex_search(span, json_member_re)) {
          AddJsonMembers(span, number, out);
        } else if (column == "example" || LooksLikeExpression(span)) {
          out.push_back({span, number});
        }
      }
    }
  }
  return out;
}

// --- the form with one item per example -----------------------------------------------------

// The array holding the item named `name` (and its index there), searched through the tree.
json* FindItemArray(json& items, const std::string& name, size_t& index) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].value("name", "") == name) {
      index = i;
      return &items;
    }
    if (items[i].contains("items")) {
      if (json* found = FindItemArray(items[i]["items"], name, index)) return found;
    }
  }
  return nullptr;
}

struct Example {
  std::string expression;
  json spec;
  std::string host;  // the item that holds it
  enum Kind { kCalculation, kConstraint, kChoiceFilter, kLoadError } kind = kCalculation;
};

// Adds the item that evaluates `example` to `form`; false (with a reason) when the spec is bad.
bool AddHost(json& form, Example& example, std::string& why) {
  const json& spec = example.spec;
  json& items = form["items"];
  size_t index = 0;
  if (spec.contains("on") || spec.contains("filter_on")) {
    const bool constraint = spec.contains("on");
    const std::string model = spec[constraint ? "on" : "filter_on"].get<std::string>();
    json* array = FindItemArray(items, model, index);
    if (array == nullptr) {
      why = "no item " + model + " in the fixture's form";
      return false;
    }
    json copy = (*array)[index];
    copy["name"] = example.host;
    for (const char* key : {"constraint", "constraint_message", "required", "relevant", "choice_filter", "calculation"}) {
      copy.erase(key);
    }
    copy[constraint ? "constraint" : "choice_filter"] = example.expression;
    example.kind = constraint ? Example::kConstraint : Example::kChoiceFilter;
    array->insert(array->begin() + static_cast<std::ptrdiff_t>(index) + 1, copy);
    return true;
  }
  json calc = {{"type", "calculate"}, {"name", example.host}, {"calculation", example.expression}};
  if (spec.contains("in")) {
    const std::string repeat = spec["in"].get<std::string>();
    json* array = FindItemArray(items, repeat, index);
    if (array == nullptr) {
      why = "no repeat " + repeat + " in the fixture's form";
      return false;
    }
    (*array)[index]["items"].push_back(calc);
  } else {
    items.push_back(calc);
  }
  return true;
}

// The answers of set `set_name`, with those of an item copied to the copies made of it.
std::vector<std::pair<std::string, std::string>> AnswersOf(const json& fixture, const std::string& set_name,
                                                           const std::vector<Example>& examples) {
  std::vector<std::pair<std::string, std::string>> answers;
  for (const auto& [path, text] : fixture["answer_sets"][set_name].items()) {
    answers.emplace_back(path, text.get<std::string>());
  }
  const size_t given = answers.size();
  for (const Example& ex : examples) {
    if (ex.kind != Example::kConstraint) continue;
    const std::string model = ex.spec["on"].get<std::string>();
    for (size_t i = 0; i < given; ++i) {
      const std::string& path = answers[i].first;
      if (path == model) answers.emplace_back(ex.host, answers[i].second);
      if (path.size() > model.size() && path.compare(path.size() - model.size() - 1, std::string::npos, "/" + model) == 0) {
        answers.emplace_back(path.substr(0, path.size() - model.size()) + ex.host, answers[i].second);
      }
    }
  }
  return answers;
}

// Sets `path` to `text`, adding repeat instances that `repeat[k]/...` needs first.
void SetAnswer(Session& session, const std::string& path, const std::string& text) {
  static const std::regex in_repeat(R"re(^(\w+)\[(\d+)\]/)re");
  std::smatch m;
  if (std::regex_search(path, m, in_repeat)) {
    const std::string repeat = m[1].str();
    const int wanted = std::stoi(m[2].str());
    auto count = session.RepeatCount(repeat);
    REQUIRE(count.ok());
    for (int n = *count; n < wanted; ++n) REQUIRE(session.AddRepeatInstance(repeat).ok());
  }
  chosa::Status set = session.SetAnswer(path, text);
  INFO("answer " << path << " = '" << text << "'");
  REQUIRE(set.ok());
}

const char* TypeName(Value::Type type) {
  switch (type) {
    case Value::Type::kString: return "string";
    case Value::Type::kNumber: return "number";
    case Value::Type::kBoolean: return "boolean";
    case Value::Type::kDate: return "date";
    case Value::Type::kDateTime: return "datetime";
    case Value::Type::kTime: return "time";
    case Value::Type::kNodeset: return "nodeset";
    case Value::Type::kError: return "error";
  }
  return "?";
}

std::string Show(const Value& v) {
  if (v.is_error()) return "error: " + v.text();
  return std::string(TypeName(v.type())) + " '" + v.ToString() + "'";
}

// Whether `actual` is what `expected` says: true/false a boolean, a number a number (to 1e-12,
// relatively), a string a string; {"number": "NaN"}, {"date": "..."}, {"datetime": "..."},
// {"time": "..."} those types with that text; {"error": "part"} an error value whose reason
// contains it; {"regex": "..."} any value whose text matches in full.
bool Matches(const Value& actual, const json& expected) {
  if (expected.is_boolean()) return actual.is_boolean() && actual.truth() == expected.get<bool>();
  if (expected.is_number()) {
    const double e = expected.get<double>();
    return actual.is_number() && std::fabs(actual.number() - e) <= 1e-12 * std::max(1.0, std::fabs(e));
  }
  if (expected.is_string()) return actual.is_string() && actual.text() == expected.get<std::string>();
  if (expected.is_object() && expected.size() == 1) {
    const std::string kind = expected.begin().key();
    const std::string text = expected.begin().value().get<std::string>();
    if (kind == "regex") return !actual.is_error() && std::regex_match(actual.ToString(), std::regex(text));
    if (kind == "error") return actual.is_error() && actual.text().find(text) != std::string::npos;
    if (kind == "number" && text == "NaN") return actual.is_number() && std::isnan(actual.number());
    if (kind == "date" || kind == "datetime" || kind == "time") {
      return TypeName(actual.type()) == kind && actual.ToString() == text;
    }
  }
  FAIL("unknown expectation " << expected.dump());
  return false;
}

// The result of `ex` in the session: per repeat instance when it lives in a repeat.
std::vector<Value> ResultsOf(const Session& session, const Example& ex) {
  const chosa::FormState& state = chosa::StateOf(session);
  const Form& form = session.form();
  std::vector<std::string> paths;
  if (ex.spec.contains("in")) {
    const std::string repeat = ex.spec["in"].get<std::string>();
    auto count = session.RepeatCount(repeat);
    REQUIRE(count.ok());
    for (int k = 1; k <= *count; ++k) paths.push_back(repeat + "[" + std::to_string(k) + "]/" + ex.host);
  } else {
    paths.push_back(ex.host);
  }
  std::vector<Value> results;
  for (const std::string& path : paths) {
    auto ref = session.Resolve(path);
    REQUIRE(ref.ok());
    if (ex.kind == Example::kCalculation) {
      results.push_back(state.NodeResultOf(ref->item, chosa::NodeProperty::kCalculation, ref->instance));
    } else if (ex.kind == Example::kConstraint) {
      results.push_back(state.NodeResultOf(ref->item, chosa::NodeProperty::kConstraint, ref->instance));
    } else {
      const chosa::Item& item = form.item(ref->item);
      std::string offered;
      for (const chosa::Choice& choice : form.choice_lists()[static_cast<size_t>(item.list)].choices) {
        if (!state.EvaluateIn(item.choice_filter, ref->item, ref->instance, &choice).ToBoolean()) continue;
        offered += (offered.empty() ? "" : " ") + choice.value;
      }
      results.push_back(Value::String(offered));
    }
  }
  return results;
}

}  // namespace

TEST_CASE("Every expression example in docs/form-format.md gives the result the fixture expects") {
  const std::string doc = ReadFile(kDocPath);
  REQUIRE_FALSE(doc.empty());
  const std::string fixture_text = ReadFile(kFixturePath);
  REQUIRE_FALSE(fixture_text.empty());
  const json fixture = json::parse(fixture_text);

  // 1. Every example of the doc has an expectation, and every expectation an example.
  std::map<std::string, int> in_doc;  // example -> first line
  for (const Extracted& e : ExtractExamples(doc)) in_doc.emplace(e.text, e.line);
  const json& specs = fixture["examples"];
  const json& not_examples = fixture["not_examples"];
  for (const auto& [text, line] : in_doc) {
    INFO("docs/form-format.md line " << line << ": `" << text << "`");
    CHECK((specs.contains(text) || not_examples.contains(text)));
  }
  for (const json* table : {&specs, &not_examples}) {
    for (const auto& [text, spec] : table->items()) {
      INFO("the fixture's `" << text << "` is no longer an example in docs/form-format.md");
      CHECK(in_doc.count(text) == 1);
      CHECK_FALSE((specs.contains(text) && not_examples.contains(text)));
    }
  }
  for (const auto& [text, claim] : fixture["claims"].items()) {
    INFO("claim `" << text << "` quotes \"" << claim["doc"].get<std::string>() << "\", which is not in the doc");
    CHECK(doc.find(claim["doc"].get<std::string>()) != std::string::npos);
  }

  // 2. One item per example (and claim) in a copy of the fixture's form.
  json form = fixture["form"];
  std::vector<Example> examples;
  std::vector<Example> load_errors;
  int hosts = 0;
  auto add = [&](const std::string& text, const json& spec) {
    Example ex{text, spec, "docex_" + std::to_string(++hosts)};
    if (spec.contains("load_error")) {
      ex.kind = Example::kLoadError;
      load_errors.push_back(ex);
      return;
    }
    std::string why;
    INFO("`" << text << "`");
    REQUIRE(AddHost(form, ex, why));
    // The rule that catches an example that is always false (or always true).
    bool seen_true = false, seen_false = false, all_boolean = true;
    REQUIRE(spec.contains("expect"));
    for (const auto& [set, value] : spec["expect"].items()) {
      INFO("answer set " << set);
      CHECK(fixture["answer_sets"].contains(set));
      for (const json& v : value.is_array() ? value : json::array({value})) {
        all_boolean = all_boolean && v.is_boolean();
        if (v.is_boolean()) (v.get<bool>() ? seen_true : seen_false) = true;
      }
    }
    if (all_boolean && !spec.contains("constant")) {
      INFO("`" << text << "` is a condition: show it true in one answer set and false in another");
      CHECK((seen_true && seen_false));
    }
    examples.push_back(ex);
  };
  for (const auto& [text, spec] : specs.items()) add(text, spec);
  for (const auto& [text, spec] : fixture["claims"].items()) add(text, spec);

  for (const Example& ex : load_errors) {
    json alone = fixture["form"];
    alone["items"].push_back({{"type", "calculate"}, {"name", ex.host}, {"calculation", ex.expression}});
    const std::string faults = chosa::testing::FaultsOf(alone.dump());
    INFO("`" << ex.expression << "` must not load; faults:\n" << faults);
    CHECK(faults.find(ex.spec["load_error"].get<std::string>()) != std::string::npos);
  }

  for (const Example& ex : examples) UNSCOPED_INFO(ex.host << ": `" << ex.expression << "`");
  const std::shared_ptr<const Form> loaded = chosa::testing::MustLoad(form.dump());

  // 3. Each answer set in its own session; each example's result where the fixture expects one.
  int checked = 0;
  for (const auto& [set_name, unused] : fixture["answer_sets"].items()) {
    FixedEnv env;
    auto started = Session::Start(loaded, &env);
    REQUIRE(started.ok());
    Session& session = **started;
    for (const auto& [path, text] : AnswersOf(fixture, set_name, examples)) SetAnswer(session, path, text);
    for (const Example& ex : examples) {
      if (!ex.spec["expect"].contains(set_name)) continue;
      const json& expected = ex.spec["expect"][set_name];
      const std::vector<Value> results = ResultsOf(session, ex);
      const json expected_list = expected.is_array() ? expected : json::array({expected});
      INFO("`" << ex.expression << "` in answer set " << set_name);
      REQUIRE(results.size() == expected_list.size());
      for (size_t i = 0; i < results.size(); ++i) {
        INFO((results.size() > 1 ? "instance " + std::to_string(i + 1) + ": " : std::string()) << "expected "
             << expected_list[i].dump() << ", got " << Show(results[i]));
        CHECK(Matches(results[i], expected_list[i]));
        ++checked;
      }
    }
  }
  CHECK(checked > 0);
}
