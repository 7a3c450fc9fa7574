#include "chosa/scenario/respondent.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "chosa/filling.h"
#include "chosa/form.h"
#include "chosa/view_model.h"
#include "respondent_profile.h"

namespace chosa {
namespace tools {

namespace {

constexpr int kTriesPerAnswer = 12;        // values tried before a question is given up
constexpr int kPlausibleTries = 4;         // of which drawn from the plausible range of a number
constexpr int kMaxStepsPerPage = 100000;   // each step decides a new path: a guard, never reached
constexpr double kOtherWeight = 0.3;       // people seldom pick "other"
constexpr int kDaysBack = 365;             // dates within the year before the filling started
constexpr int64_t kMillisPerDay = 86400000;

// Draws the same way with every standard library (the std distributions are not specified
// exactly), so that a seed names the same submissions everywhere.
class Dice {
 public:
  explicit Dice(uint64_t seed) : engine_(seed) {}
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Unit() < p; }
  int64_t Between(int64_t low, int64_t high) {  // inclusive; low <= high, a small span
    return low + static_cast<int64_t>(engine_() % static_cast<uint64_t>(high - low + 1));
  }
  size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += std::max(w, 0.0);
    if (total <= 0) return static_cast<size_t>(Between(0, static_cast<int64_t>(weights.size()) - 1));
    double r = Unit() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      r -= std::max(weights[i], 0.0);
      if (r < 0) return i;
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// An answerable item of the page as the view shows it now; a matrix row with its matrix.
struct Question {
  const ItemView* view;
  const ItemView* matrix;
};

void Flatten(const std::vector<ItemView>& items, const ItemView* matrix, std::vector<Question>* out) {
  for (const ItemView& item : items) {
    if (item.type == "group") {
      Flatten(item.children, nullptr, out);
    } else if (item.type == "matrix") {
      Flatten(item.children, &item, out);
    } else if (item.type == "repeat") {
      out->push_back({&item, nullptr});  // before its instances: sized first
      for (const RepeatInstanceView& instance : item.instances) Flatten(instance.items, nullptr, out);
    } else if (item.type != "note") {
      out->push_back({&item, matrix});
    }
  }
}

// Days since 1970-01-01 as YYYY-MM-DD (Howard Hinnant's civil_from_days).
std::string CivilDate(int64_t days, bool first_of_month) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char text[64];  // room for any year, though only recent ones are drawn
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(first_of_month ? 1 : day));
  return text;
}

// The local day the filling started on: dates are drawn back from it, so that a fixed clock
// gives fixed dates and `. <= today()` holds.
int64_t StartDay(const Session& session) {
  int64_t local = session.started_at_millis() + int64_t{session.started_offset_minutes()} * 60000;
  int64_t day = local / kMillisPerDay;
  return local < 0 && local % kMillisPerDay != 0 ? day - 1 : day;
}

// Fills through a Filling: a bare session and a draft of the store the same way.
class Respondent {
 public:
  Respondent(Filling& target, const RespondentOptions& options)
      : target_(target), options_(options), dice_(options.seed) {}

  Result<Submission> Run() {
    // Each round fills a page and leaves it; a page the engine sends back costs a round.
    const int rounds = 3 * session().page_count() + 6;
    for (int round = 0; round < rounds; ++round) {
      FillPage();
      if (!session().CanGoNext()) {
        Result<Submission> finalized = target_.Finalize();
        if (finalized.ok()) return finalized;
        std::vector<AnswerError> errors = session().AllErrors();
        if (errors.empty()) return finalized.status();  // not the answers: the store, say
        Reopen(errors);  // Finalize moved to the first page with an error
        continue;
      }
      Status moved = target_.Next();
      if (!moved.ok()) {
        std::vector<AnswerError> errors = session().PageErrors(session().page_index());
        if (errors.empty()) return moved;
        Reopen(errors);
      }
    }
    return Unfinished();
  }

 private:
  const Session& session() const { return target_.session(); }
  const Form& form() const { return session().form(); }

  // Answers the page's questions in order, looking at the page again after each answer: an
  // answer can show, hide or filter what follows.
  void FillPage() {
    for (int step = 0; step < kMaxStepsPerPage; ++step) {
      ViewModel view = session().View();
      std::vector<Question> questions;
      Flatten(view.items, nullptr, &questions);
      auto next = std::find_if(questions.begin(), questions.end(), [&](const Question& q) {
        return !q.view->read_only && decided_.count(q.view->path) == 0;
      });
      if (next == questions.end()) return;
      decided_.insert(next->view->path);
      if (next->view->type == "repeat") {
        SizeRepeat(*next);
      } else {
        Answer(*next);
      }
    }
  }

  bool Forced(const Question& q) const {
    return forced_.count(q.view->path) > 0 || (q.matrix != nullptr && forced_.count(q.matrix->path) > 0);
  }

  const Item* FormItem(const std::string& name) const {
    int32_t index = form().Find(name);
    return index == kNone ? nullptr : &form().item(index);
  }

  void Answer(const Question& q) {
    const ItemView& item = *q.view;
    const bool forced = Forced(q);
    if (!item.value.empty() && !forced) return;  // a default (or an earlier answer): kept
    if (!item.required && !forced && dice_.Chance(options_.skip_optional)) return;
    const Item* form_item = FormItem(item.name);
    std::string problem;
    for (int attempt = 0; attempt < kTriesPerAnswer; ++attempt) {
      std::optional<std::string> text = Draw(q, form_item, attempt);
      if (!text) {
        problem = "nothing is offered to choose from";
        break;
      }
      Status set = target_.SetAnswer(item.path, *text);
      if (!set.ok()) {
        problem = "\"" + *text + "\" refused: " + set.message();
        if (set.code() != StatusCode::kInvalidArgument) break;  // not the value: the store
        continue;
      }
      problem = AnswerProblem(item.path);
      if (problem.empty()) return;
      problem = "\"" + *text + "\": " + problem;
    }
    // An optional question is rather left empty than wrong; a required one is reported.
    if (!item.required && target_.SetAnswer(item.path, "").ok()) return;
    problems_.push_back(item.path + ": " + problem);
  }

  // The page's complaint about the answer at `path` other than its being required, or "".
  std::string AnswerProblem(const std::string& path) const {
    for (const AnswerError& error : session().PageErrors(session().page_index())) {
      if (error.path == path && error.kind != ErrorKind::kRequired) return error.message;
    }
    return "";
  }

  void SizeRepeat(const Question& q) {
    const ItemView& repeat = *q.view;
    const Item* form_item = FormItem(repeat.name);
    if (form_item == nullptr || form_item->repeat_count != kNone) return;  // the form counts them
    int64_t count = static_cast<int64_t>(repeat.instances.size());
    int64_t wanted = form_item->min == 0 && !Forced(q) && dice_.Chance(options_.skip_optional) ? 0 : dice_.Between(1, 4);
    wanted = std::max<int64_t>(wanted, form_item->min);
    if (form_item->max >= 0) wanted = std::min<int64_t>(wanted, form_item->max);
    for (; count < wanted; ++count) {
      Result<int32_t> added = target_.AddRepeatInstance(repeat.path);
      if (!added.ok()) {
        problems_.push_back(repeat.path + ": cannot add an instance: " + added.status().message());
        return;
      }
    }
  }

  // The engine found these answers wanting: answer them again, and never leave them empty.
  void Reopen(const std::vector<AnswerError>& errors) {
    for (const AnswerError& error : errors) {
      forced_.insert(error.path);
      decided_.erase(error.path);
      size_t slash = error.path.rfind('/');
      std::string prefix = slash == std::string::npos ? "" : error.path.substr(0, slash + 1);
      const Item* item = FormItem(error.path.substr(prefix.size()));
      if (item == nullptr || item->type != ItemType::kMatrix) continue;
      for (int32_t row : item->children) decided_.erase(prefix + form().item(row).name);
    }
  }

  Status Unfinished() const {
    std::string why;
    for (const std::string& problem : problems_) why += (why.empty() ? "" : "; ") + problem;
    for (const AnswerError& error : session().AllErrors()) {
      why += (why.empty() ? "" : "; ") + error.path + ": " + error.message;
    }
    return Status::InvalidArgument("the respondent could not finish " + form().id() + " " + form().version() +
                                   (why.empty() ? std::string() : ": " + why));
  }

  // --- drawing answers ---------------------------------------------------------------------

  std::optional<std::string> Draw(const Question& q, const Item* form_item, int attempt) {
    const ItemView& item = *q.view;
    const std::string& type = item.type;
    if (type == "select_one" || type == "matrix_row") return DrawChoice(q);
    if (type == "select_multiple") return DrawChoices(q, form_item);
    if (type == "rank") return DrawOrder(item);
    if (type == "integer" || type == "decimal") return DrawNumber(item.name, type == "decimal", attempt);
    if (type == "date") return DrawDate(item.appearance);
    if (type == "time") return DrawTime();
    if (type == "datetime") return DrawDate("") + " " + DrawTime();
    if (type == "acknowledge") return std::string("OK");
    if (type == "text") {
      const std::vector<std::string>& phrases = PhrasesFor(item.name);
      return phrases[static_cast<size_t>(dice_.Between(0, static_cast<int64_t>(phrases.size()) - 1))];
    }
    return std::nullopt;
  }

  const AnswerSkew* SkewFor(const Question& q) const {
    for (const AnswerSkew& skew : options_.skews) {
      if (!skew.form_id.empty() && skew.form_id != form().id()) continue;
      if (skew.question != q.view->name && (q.matrix == nullptr || skew.question != q.matrix->name)) continue;
      if (!skew.when_question.empty()) {
        Result<Value> answer = session().GetAnswer(skew.when_question);
        if (!answer.ok() || Session::AnswerText(*answer) != skew.when_value) continue;
      }
      return &skew;
    }
    return nullptr;
  }

  std::vector<double> Weights(const Question& q) const {
    const AnswerSkew* skew = SkewFor(q);
    std::vector<double> weights;
    for (const ChoiceView& choice : q.view->choices) {
      double weight = choice.value == "other" ? kOtherWeight : 1.0;
      if (skew != nullptr) {
        for (const auto& [value, listed] : skew->weights) {
          if (value == choice.value) weight = listed;
        }
      }
      weights.push_back(weight);
    }
    return weights;
  }

  std::optional<std::string> DrawChoice(const Question& q) {
    if (q.view->choices.empty()) return std::nullopt;
    return q.view->choices[dice_.Weighted(Weights(q))].value;
  }

  // 1-3 choices (within the question's min..max), in list order.
  std::optional<std::string> DrawChoices(const Question& q, const Item* form_item) {
    const std::vector<ChoiceView>& choices = q.view->choices;
    if (choices.empty()) return std::nullopt;
    int64_t low = std::max<int64_t>(1, form_item != nullptr ? form_item->min : 0);
    int64_t high = std::max<int64_t>(low, 3);
    if (form_item != nullptr && form_item->max >= 0) high = std::min<int64_t>(high, form_item->max);
    high = std::min<int64_t>(high, static_cast<int64_t>(choices.size()));
    low = std::min(low, high);
    int64_t wanted = dice_.Between(low, high);
    std::vector<double> weights = Weights(q);
    std::vector<bool> chosen(choices.size(), false);
    for (int64_t k = 0; k < wanted; ++k) {
      size_t pick = dice_.Weighted(weights);
      chosen[pick] = true;
      weights[pick] = 0;  // without replacement
      if (std::none_of(weights.begin(), weights.end(), [](double w) { return w > 0; })) break;
    }
    std::string text;
    for (size_t i = 0; i < choices.size(); ++i) {
      if (chosen[i]) text += (text.empty() ? "" : " ") + choices[i].value;
    }
    return text;
  }

  // Every offered choice, shuffled.
  std::optional<std::string> DrawOrder(const ItemView& item) {
    if (item.choices.empty()) return std::nullopt;
    std::vector<std::string> values;
    for (const ChoiceView& choice : item.choices) values.push_back(choice.value);
    for (size_t i = values.size() - 1; i > 0; --i) {
      std::swap(values[i], values[static_cast<size_t>(dice_.Between(0, static_cast<int64_t>(i)))]);
    }
    std::string text;
    for (const std::string& value : values) text += (text.empty() ? "" : " ") + value;
    return text;
  }

  // From the plausible range first, then from wider ones when the constraint keeps refusing.
  std::string DrawNumber(const std::string& name, bool decimal, int attempt) {
    NumberRange range = PlausibleRange(name);
    if (attempt >= kPlausibleTries) {
      const std::vector<NumberRange>& fallbacks = FallbackRanges();
      range = fallbacks[static_cast<size_t>((attempt - kPlausibleTries) / 2) % fallbacks.size()];
    }
    // The mean of two draws: values bunch in the middle of the range, as people's do.
    double value = range.low + (range.high - range.low) * (dice_.Unit() + dice_.Unit()) / 2;
    char text[48];
    if (decimal) {
      std::snprintf(text, sizeof text, "%.1f", value);
    } else {
      std::snprintf(text, sizeof text, "%lld", static_cast<long long>(std::llround(value)));
    }
    return text;
  }

  std::string DrawDate(const std::string& appearance) {
    int64_t day = StartDay(session()) - dice_.Between(0, kDaysBack);
    return CivilDate(day, appearance == "month-year");
  }

  // Office hours, in steps of 5 minutes.
  std::string DrawTime() {
    int64_t minutes = dice_.Between(9 * 12, 18 * 12 - 1) * 5;
    char text[8];
    std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
    return text;
  }

  Filling& target_;
  const RespondentOptions& options_;
  Dice dice_;
  std::set<std::string> decided_;      // paths answered, or left empty on purpose
  std::set<std::string> forced_;       // paths the engine found wanting: answered, never skipped
  std::vector<std::string> problems_;  // "path: why" for required questions nothing satisfied
};

}  // namespace

Result<Submission> FillAsRespondent(Session& session, const RespondentOptions& options) {
  SessionFilling filling(&session);
  return Respondent(filling, options).Run();
}

Result<Submission> FillAsRespondent(Filling& filling, const RespondentOptions& options) {
  return Respondent(filling, options).Run();
}

}  // namespace tools
}  // namespace chosa
