// A form test scenario (docs/scenarios.md, schemas/scenario.schema.json): steps that fill a
// form the way a person would, and expectations on what the session shows after them.
//
// ParseScenario reads a scenario file and checks it against the form it tests, so that a typo
// in a key or an item name is reported before anything runs, with its JSON Pointer:
//   /steps/3/expect/visibel: unknown key "visibel"; did you mean "visible"?
// The parsed Scenario is plain data; scenario_runner.h runs it.
#ifndef CHOSA_TOOLS_SCENARIO_H_
#define CHOSA_TOOLS_SCENARIO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "chosa/form.h"
#include "chosa/status.h"

namespace chosa {
namespace scenario {

// Keeps key order: the answers of one "set" are entered in the order written.
using Json = nlohmann::ordered_json;

// One expected problem of an answer: a kind ("required", "constraint", ...) and, if given, the
// exact message.
struct ExpectedError {
  std::string kind;
  std::optional<std::string> message;
};

// The choices a select offers now: either exactly `exact` (in list order), or at least
// `include` and none of `exclude`.
struct ExpectedChoices {
  std::optional<std::vector<std::string>> exact;
  std::vector<std::string> include, exclude;
};

struct ExpectedSubmission {
  std::optional<Json> answers;             // each key must be there with a matching value
  bool exact = false;                      // answers: and no other key (in instances too)
  std::vector<std::string> keys_absent;    // paths that must have no key: "why", "attendees[2]/x"
  std::vector<std::pair<std::string, Json>> fields;  // envelope fields: form_id, language, ...
};

// Everything one "expect" step checks; all of it is checked, every failure reported.
struct Expectations {
  std::vector<std::string> visible, hidden, required, not_required;
  std::vector<std::pair<std::string, Json>> values;   // as expressions read them
  std::vector<std::pair<std::string, Json>> stored;   // as stored, relevant or not
  std::vector<std::pair<std::string, std::vector<ExpectedError>>> errors;
  std::vector<std::string> no_errors;
  bool no_errors_anywhere = false;                    // "no_errors": true
  std::optional<int32_t> page;                        // 0-based page index
  std::vector<std::pair<std::string, int32_t>> counts;  // repeat instances
  std::vector<std::pair<std::string, ExpectedChoices>> choices;
  std::vector<std::pair<std::string, std::string>> labels;
  std::optional<Json> view;                           // partial match of Session::ViewJson()
  std::optional<ExpectedSubmission> submission;
};

enum class StepKind { kSet, kClear, kAdd, kRemove, kLanguage, kNext, kBack, kGoto, kFinalize, kExpect };
const char* StepKindName(StepKind kind);  // the step's key: "set", "expect", ...

struct Step {
  StepKind kind = StepKind::kExpect;
  std::string pointer;  // "/steps/3"
  // set / clear: (path, text as Session::SetAnswer takes it), in the order written.
  std::vector<std::pair<std::string, std::string>> answers;
  std::string repeat;       // add / remove
  int32_t position = 0;     // remove: 1-based
  int32_t times = 1;        // add
  std::string language;     // language
  int32_t page = 0;         // goto: 0-based page index
  bool expect_blocked = false;                 // next / finalize must be refused
  std::optional<std::string> expect_refused;   // the action must be refused; the message must
                                               // contain this text ("" = any message)
  Expectations expect;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string language;       // "" = the form's default
  std::string enumerator_id;
  int64_t now_millis = 0;     // the fixed clock
  int utc_offset_minutes = 0;
  std::vector<Step> steps;
};

// The default fixed clock: 2024-11-03T10:30:30+09:00 (the engine tests' instant).
constexpr int64_t kDefaultNowMillis = 1730597430000;
constexpr int kDefaultOffsetMinutes = 540;

struct ParsedScenario {
  std::optional<Scenario> scenario;  // set when there is no problem
  std::vector<Status> problems;      // each with its JSON Pointer, in document order
  bool ok() const { return scenario.has_value(); }
};

// Parses scenario JSON and checks every key, value, item name, page and language against
// `form`. Never throws.
ParsedScenario ParseScenario(std::string_view json, const Form& form);
// The same for a file; an unreadable file is one problem without a pointer.
ParsedScenario LoadScenarioFile(const std::string& path, const Form& form);

// "2024-11-03T10:30:30+09:00" (seconds and offset optional; "Z" is UTC) as UTC milliseconds and
// the offset in minutes; false when malformed.
bool ParseDateTime(std::string_view text, int64_t* utc_millis, int* offset_minutes);

}  // namespace scenario
}  // namespace chosa

#endif  // CHOSA_TOOLS_SCENARIO_H_
