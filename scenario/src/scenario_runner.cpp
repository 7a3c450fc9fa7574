// Runs scenarios step by step on a Session and checks their expectations.
#include "chosa/scenario/scenario_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>

#include "chosa/env.h"
#include "chosa/session.h"
#include "chosa/value.h"
#include "chosa/view_model.h"
#include "chosa/scenario/json_match.h"

namespace chosa {
namespace scenario {

namespace {

// A fixed clock and zone and reproducible "random" bytes, so that today(), started_at and the
// UUID come out the same on every run and every machine.
class FixedEnv : public Env {
 public:
  FixedEnv(int64_t now_millis, int offset_minutes) : now_(now_millis), offset_(offset_minutes) {}
  int64_t NowMillis() override { return now_; }
  int UtcOffsetMinutes(int64_t) override { return offset_; }
  void RandomBytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) {
      state_ ^= state_ << 13;  // xorshift64
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      out[i] = static_cast<uint8_t>(state_ >> 24);
    }
  }
  void Log(LogLevel, std::string_view) override {}

 private:
  int64_t now_;
  int offset_;
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

std::string Ref(const std::string& path) { return "${" + path + "}"; }
std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string DescribeValue(const Value& value) {
  switch (value.type()) {
    case Value::Type::kString: return value.text().empty() ? "empty" : Quote(value.text());
    case Value::Type::kNumber: return std::isnan(value.number()) ? "NaN" : FormatNumber(value.number());
    case Value::Type::kBoolean: return value.truth() ? "true" : "false";
    case Value::Type::kNodeset: {
      std::string out = "[";
      for (const Value& item : value.items()) out += (out.size() > 1 ? ", " : "") + DescribeValue(item);
      return out + "]";
    }
    case Value::Type::kError: return "an error (" + value.text() + ")";
    default: return value.ToString();  // dates and times, ISO 8601
  }
}

// One element of an expected value against one actual value: numbers numerically, strings
// exactly, null and "" for empty.
bool ScalarMatches(const Json& expected, const Value& actual) {
  if (expected.is_null() || (expected.is_string() && expected.get<std::string>().empty())) return actual.is_empty();
  if (actual.is_error() || actual.is_nodeset()) return false;
  if (expected.is_string()) return actual.ToString() == expected.get<std::string>();
  if (expected.is_number()) {
    if (!actual.is_number() && !actual.is_string()) return false;
    double number = actual.ToNumber();
    return !std::isnan(number) && NumbersEqual(number, expected.get<double>());
  }
  if (expected.is_boolean()) return actual.is_boolean() && actual.truth() == expected.get<bool>();
  return false;
}

// The elements of a select_multiple / rank (space-separated) or of a nodeset (a matrix).
std::vector<Value> Elements(const Value& value) {
  if (value.is_nodeset()) return value.items();
  std::vector<Value> out;
  if (!value.is_string()) return {value};
  const std::string& text = value.text();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(Value::String(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

bool ValueMatches(const Json& expected, const Value& actual) {
  if (!expected.is_array()) return ScalarMatches(expected, actual);
  if (actual.is_error()) return false;
  std::vector<Value> elements = Elements(actual);
  if (elements.size() != expected.size()) return false;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (!ScalarMatches(expected[i], elements[i])) return false;
  }
  return true;
}

std::string DescribeExpected(const Json& expected) {
  if (expected.is_null() || (expected.is_string() && expected.get<std::string>().empty())) return "empty";
  return Describe(expected);
}

std::string DescribeError(const AnswerError& error) {
  return std::string(ErrorKindName(error.kind)) + " (" + error.message + ")";
}

std::string DescribeErrors(const std::vector<AnswerError>& errors, bool with_paths) {
  if (errors.empty()) return "none";
  std::string out;
  size_t shown = std::min<size_t>(errors.size(), 6);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += "; ";
    if (with_paths) out += Ref(errors[i].path) + ": ";
    out += DescribeError(errors[i]);
  }
  if (errors.size() > shown) out += "; and " + std::to_string(errors.size() - shown) + " more";
  return out;
}

const ItemView* FindByPath(const std::vector<ItemView>& items, const std::string& path) {
  for (const ItemView& item : items) {
    if (item.path == path) return &item;
    if (const ItemView* found = FindByPath(item.children, path)) return found;
    for (const RepeatInstanceView& instance : item.instances) {
      if (const ItemView* found = FindByPath(instance.items, path)) return found;
    }
  }
  return nullptr;
}

const ItemView* FindByName(const std::vector<ItemView>& items, const std::string& name) {
  for (const ItemView& item : items) {
    if (item.name == name) return &item;
    if (const ItemView* found = FindByName(item.children, name)) return found;
  }
  return nullptr;
}

// The item shown at `path`. Inside a repeat ("activities[2]/activity_summary") it is looked up
// in that instance by name too, since groups and notes carry no answer path of their own.
const ItemView* FindItem(const std::vector<ItemView>& items, const std::string& path) {
  if (const ItemView* found = FindByPath(items, path)) return found;
  size_t open = path.find('['), slash = path.find('/');
  if (open == std::string::npos || slash == std::string::npos) return nullptr;
  const ItemView* repeat = FindByPath(items, path.substr(0, open));
  if (!repeat) return nullptr;
  int32_t position = std::atoi(path.substr(open + 1).c_str());
  for (const RepeatInstanceView& instance : repeat->instances) {
    if (instance.position == position) return FindByName(instance.items, path.substr(slash + 1));
  }
  return nullptr;
}

std::string JoinValues(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + Quote(values[i]);
  return out + "]";
}

class Runner {
 public:
  Runner(const Scenario& scenario, std::shared_ptr<const Form> form)
      : scenario_(scenario), form_(std::move(form)), env_(scenario.now_millis, scenario.utc_offset_minutes) {}

  ScenarioResult Run() {
    SessionOptions options;
    options.language = scenario_.language;
    options.device_id = kTestDeviceId;
    options.enumerator_id = scenario_.enumerator_id;
    Result<std::unique_ptr<Session>> started = Session::Start(form_, &env_, options);
    if (!started.ok()) {
      result_.failures.push_back({0, "the session did not start: " + started.status().ToString()});
      result_.stopped = true;
      return std::move(result_);
    }
    session_ = std::move(started.value());
    for (size_t i = 0; i < scenario_.steps.size(); ++i) {
      step_number_ = static_cast<int>(i) + 1;
      result_.steps_run = step_number_;
      bool go_on = true;
      try {
        go_on = RunStep(scenario_.steps[i]);
      } catch (const std::exception& e) {
        Fail(std::string("internal error: ") + e.what());
        go_on = false;
      }
      if (!go_on) {
        result_.stopped = step_number_ < static_cast<int>(scenario_.steps.size());
        break;
      }
    }
    return std::move(result_);
  }

 private:
  void Fail(std::string message) { result_.failures.push_back({step_number_, std::move(message)}); }

  std::string PageName(int32_t page) const {
    if (form_->pages().empty()) return "0";
    if (page < 0 || page >= static_cast<int32_t>(form_->pages().size())) return std::to_string(page);
    return form_->item(form_->pages()[static_cast<size_t>(page)]).name;
  }

  // An action that is expected to be refused: false stops the scenario (the state is not what
  // the later steps assume).
  bool CheckRefusal(const Step& step, const Status& status, const std::string& action, const std::string& done) {
    if (step.expect_refused) {
      if (status.ok()) {
        Fail("expected " + action + " to be refused, but " + done);
        return false;
      }
      if (!status.message().empty() && status.message().find(*step.expect_refused) == std::string::npos) {
        Fail(action + " was refused as expected, but with the message " + Quote(status.message()) +
             ", which does not contain " + Quote(*step.expect_refused));
      }
      return true;
    }
    if (!status.ok()) {
      Fail("could not " + action + ": " + status.message());
      return false;
    }
    return true;
  }

  // Returns false when the scenario cannot go on.
  bool RunStep(const Step& step) {
    switch (step.kind) {
      case StepKind::kSet:
      case StepKind::kClear:
        for (const auto& [path, text] : step.answers) {
          Status status = session_->SetAnswer(path, text);
          std::string action = text.empty() ? "clear " + Ref(path) : "set " + Ref(path) + " to " + Quote(text);
          if (!CheckRefusal(step, status, action, "it was accepted")) return false;
        }
        return true;
      case StepKind::kAdd:
        for (int32_t i = 0; i < step.times; ++i) {
          int32_t before = CountOf(step.repeat);
          Result<int32_t> added = session_->AddRepeatInstance(step.repeat);
          std::string action = "add an instance to " + Ref(step.repeat) + " (it had " + std::to_string(before) + ")";
          std::string done = added.ok() ? "it was added at position " + std::to_string(*added) : "";
          if (!CheckRefusal(step, added.ok() ? Status() : added.status(), action, done)) return false;
        }
        return true;
      case StepKind::kRemove: {
        int32_t before = CountOf(step.repeat);
        Status status = session_->RemoveRepeatInstance(step.repeat, step.position);
        return CheckRefusal(step, status,
                            "remove " + step.repeat + "[" + std::to_string(step.position) + "] (of " +
                                std::to_string(before) + ")",
                            "it was removed");
      }
      case StepKind::kLanguage:
        return CheckRefusal(step, session_->SetLanguage(step.language), "switch to language " + Quote(step.language),
                            "it was switched");
      case StepKind::kBack: {
        int32_t before = session_->page_index();
        Status status = session_->Back();
        return CheckRefusal(step, status, "go back from page " + PageName(before),
                            "it went to page " + PageName(session_->page_index()));
      }
      case StepKind::kGoto:
        return CheckRefusal(step, session_->GoToPage(step.page), "go to page " + PageName(step.page),
                            "it went there");
      case StepKind::kNext: {
        int32_t before = session_->page_index();
        Status status = session_->Next();
        if (step.expect_blocked) {
          if (status.ok()) {
            Fail("expected next to be blocked on page " + PageName(before) + ", but it moved to page " +
                 PageName(session_->page_index()));
            return false;
          }
          return true;
        }
        if (!status.ok()) {
          std::vector<AnswerError> errors = session_->PageErrors(before);
          Fail("next was blocked on page " + PageName(before) + ": " +
               (errors.empty() ? status.message() : DescribeErrors(errors, true)));
          return false;
        }
        return true;
      }
      case StepKind::kFinalize: {
        Result<Submission> submission = session_->Finalize();
        if (step.expect_blocked) {
          if (submission.ok()) {
            Fail("expected finalize to be blocked, but it made a submission");
            return false;
          }
          return true;
        }
        if (!submission.ok()) {
          std::vector<AnswerError> errors = session_->AllErrors();
          Fail("finalize was blocked: " + (errors.empty() ? submission.status().message() : DescribeErrors(errors, true)));
          return false;
        }
        try {
          submission_ = Json::parse(submission->canonical_json);
        } catch (const nlohmann::json::exception& e) {
          Fail(std::string("the submission is not valid JSON: ") + e.what());
          return false;
        }
        result_.submissions.push_back({step_number_, submission->canonical_json, submission->sha256});
        return true;
      }
      case StepKind::kExpect:
        CheckExpectations(step.expect);
        return true;
    }
    return true;
  }

  int32_t CountOf(const std::string& repeat) const {
    Result<int32_t> count = session_->RepeatCount(repeat);
    return count.ok() ? *count : 0;
  }

  // --- expectations ------------------------------------------------------------------------

  template <typename T>
  bool Get(const Result<T>& result, const std::string& path, T* out) {
    if (!result.ok()) {
      Fail("cannot check " + Ref(path) + ": " + result.status().message());
      return false;
    }
    *out = *result;
    return true;
  }

  void CheckExpectations(const Expectations& e) {
    for (const std::string& path : e.visible) {
      bool relevant = false;
      if (Get(session_->IsRelevant(path), path, &relevant) && !relevant) Fail("expected " + Ref(path) + " visible, but it is hidden");
    }
    for (const std::string& path : e.hidden) {
      bool relevant = false;
      if (Get(session_->IsRelevant(path), path, &relevant) && relevant) Fail("expected " + Ref(path) + " hidden, but it is visible");
    }
    for (const std::string& path : e.required) {
      bool required = false;
      if (Get(session_->IsRequired(path), path, &required) && !required) Fail("expected " + Ref(path) + " required, but it is not required");
    }
    for (const std::string& path : e.not_required) {
      bool required = false;
      if (Get(session_->IsRequired(path), path, &required) && required) Fail("expected " + Ref(path) + " not required, but it is required");
    }
    for (const auto& [path, expected] : e.values) {
      Value value;
      if (Get(session_->ReadValue(path), path, &value) && !ValueMatches(expected, value)) {
        Fail("expected " + Ref(path) + " to be " + DescribeExpected(expected) + ", but it is " + DescribeValue(value));
      }
    }
    for (const auto& [path, expected] : e.stored) {
      Value value;
      if (Get(session_->GetAnswer(path), path, &value) && !ValueMatches(expected, value)) {
        Fail("expected the stored answer of " + Ref(path) + " to be " + DescribeExpected(expected) + ", but it is " +
             DescribeValue(value));
      }
    }
    if (!e.errors.empty() || !e.no_errors.empty() || e.no_errors_anywhere) CheckErrors(e);
    if (e.page && *e.page != session_->page_index()) {
      Fail("expected page " + PageName(*e.page) + ", but the session is on page " + PageName(session_->page_index()));
    }
    for (const auto& [repeat, expected] : e.counts) {
      int32_t count = 0;
      if (Get(session_->RepeatCount(repeat), repeat, &count) && count != expected) {
        Fail("expected " + std::to_string(expected) + " instances of " + Ref(repeat) + ", but there are " + std::to_string(count));
      }
    }
    if (!e.choices.empty() || !e.labels.empty()) CheckView(e);
    if (e.view) {
      Json view;
      try {
        view = Json::parse(session_->ViewJson());
      } catch (const nlohmann::json::exception& ex) {
        Fail(std::string("the view model is not valid JSON: ") + ex.what());
        return;
      }
      std::string why = Mismatch(*e.view, view, MatchMode{false, true});
      if (!why.empty()) Fail("the view differs at " + why);
    }
    if (e.submission) CheckSubmission(*e.submission);
  }

  void CheckErrors(const Expectations& e) {
    std::vector<AnswerError> all = session_->AllErrors();
    auto of = [&](const std::string& path) {
      std::vector<AnswerError> out;
      for (const AnswerError& error : all) {
        if (error.path == path) out.push_back(error);
      }
      return out;
    };
    for (const auto& [path, expected] : e.errors) {
      std::vector<AnswerError> actual = of(path);
      std::vector<bool> used(actual.size(), false);
      bool matches = true;
      for (const ExpectedError& want : expected) {
        bool found = false;
        for (size_t i = 0; i < actual.size() && !found; ++i) {
          if (used[i] || ErrorKindName(actual[i].kind) != want.kind) continue;
          if (want.message && actual[i].message != *want.message) continue;
          used[i] = found = true;
        }
        matches = matches && found;
      }
      matches = matches && std::all_of(used.begin(), used.end(), [](bool u) { return u; });
      if (matches) continue;
      std::string wanted;
      for (const ExpectedError& want : expected) {
        wanted += (wanted.empty() ? "" : ", ") + want.kind + (want.message ? " (" + *want.message + ")" : "");
      }
      Fail("expected " + Ref(path) + " to have " + (expected.empty() ? "no errors" : "the errors " + wanted) +
           ", but it has " + DescribeErrors(actual, false));
    }
    for (const std::string& path : e.no_errors) {
      std::vector<AnswerError> actual = of(path);
      if (!actual.empty()) Fail("expected " + Ref(path) + " to have no errors, but it has " + DescribeErrors(actual, false));
    }
    if (e.no_errors_anywhere && !all.empty()) {
      Fail("expected no errors anywhere, but there " + std::string(all.size() == 1 ? "is 1: " : "are " + std::to_string(all.size()) + ": ") +
           DescribeErrors(all, true));
    }
  }

  // Choices and labels are what the current page shows.
  void CheckView(const Expectations& e) {
    ViewModel view = session_->View();
    auto find = [&](const std::string& path) -> const ItemView* {
      const ItemView* item = FindItem(view.items, path);
      if (!item) Fail(Ref(path) + " is not shown on the current page (" + PageName(session_->page_index()) + ")");
      return item;
    };
    for (const auto& [path, expected] : e.choices) {
      const ItemView* item = find(path);
      if (!item) continue;
      std::vector<std::string> offered;
      for (const ChoiceView& choice : item->choices) offered.push_back(choice.value);
      if (expected.exact && offered != *expected.exact) {
        Fail("expected " + Ref(path) + " to offer " + JoinValues(*expected.exact) + ", but it offers " + JoinValues(offered));
      }
      for (const std::string& value : expected.include) {
        if (std::find(offered.begin(), offered.end(), value) == offered.end()) {
          Fail("expected " + Ref(path) + " to offer " + Quote(value) + ", but it offers " + JoinValues(offered));
        }
      }
      for (const std::string& value : expected.exclude) {
        if (std::find(offered.begin(), offered.end(), value) != offered.end()) {
          Fail("expected " + Ref(path) + " not to offer " + Quote(value) + ", but it does");
        }
      }
    }
    for (const auto& [path, expected] : e.labels) {
      const ItemView* item = find(path);
      if (item && item->label != expected) {
        Fail("expected the label of " + Ref(path) + " to be " + Quote(expected) + ", but it is " + Quote(item->label));
      }
    }
  }

  void CheckSubmission(const ExpectedSubmission& expected) {
    if (!submission_) {
      Fail("expected a submission, but no finalize has succeeded yet");
      return;
    }
    const Json& actual = *submission_;
    for (const auto& [key, value] : expected.fields) {
      auto found = actual.find(key);
      if (found == actual.end()) Fail("expected the submission's " + Quote(key) + " to be " + Describe(value) + ", but it has none");
      else if (*found != value) Fail("expected the submission's " + Quote(key) + " to be " + Describe(value) + ", but it is " + Describe(*found));
    }
    const Json empty = Json::object();
    auto answers_it = actual.find("answers");
    const Json& answers = answers_it == actual.end() ? empty : *answers_it;
    if (expected.answers) {
      std::string why = Mismatch(*expected.answers, answers, MatchMode{expected.exact, false}, "/answers");
      if (!why.empty()) Fail("the submission differs at " + why);
    }
    for (const std::string& path : expected.keys_absent) {
      const Json* where = &answers;
      std::string key = path;
      size_t slash = path.find('/');
      if (slash != std::string::npos) {  // repeat[k]/name
        size_t open = path.find('[');
        std::string repeat = path.substr(0, open);
        size_t position = std::stoul(path.substr(open + 1, path.find(']') - open - 1));
        auto instances = answers.find(repeat);
        if (instances == answers.end() || !instances->is_array() || instances->size() < position) continue;
        where = &(*instances)[position - 1];
        key = path.substr(slash + 1);
      }
      auto found = where->find(key);
      if (found != where->end()) {
        Fail("expected no key " + Quote(path) + " in the submission's answers, but it is there: " + Describe(*found));
      }
    }
  }

  const Scenario& scenario_;
  std::shared_ptr<const Form> form_;
  FixedEnv env_;
  std::unique_ptr<Session> session_;
  std::optional<Json> submission_;  // the last finalized submission
  ScenarioResult result_;
  int step_number_ = 0;
};

}  // namespace

ScenarioResult RunScenario(const Scenario& scenario, std::shared_ptr<const Form> form) {
  try {
    return Runner(scenario, std::move(form)).Run();
  } catch (const std::exception& e) {
    ScenarioResult result;
    result.failures.push_back({0, std::string("internal error: ") + e.what()});
    result.stopped = true;
    return result;
  }
}

}  // namespace scenario
}  // namespace chosa
