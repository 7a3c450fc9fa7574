// A filling session: one person filling one form, page by page. It takes answers as typed on
// a tablet (text, coerced to the question's type; full-width digits accepted), keeps relevance,
// calculations, required marks and errors current, navigates pages, and finalizes into the
// submission of docs/submission.md. The view model (view_model.h) is what a renderer draws.
//
// Answers are addressed by path: `name` outside repeats, `attendees[2]/name` inside (1-based
// position), the same paths as in scenarios, the store and the exports.
//
// REQUIRES: external synchronization (a session is used by one thread at a time). The Form is
// shared read-only by any number of sessions.
//
// Ownership: a Session shares its Form (shared_ptr: the form lives at least as long as the
// session) and borrows its Env, which must outlive it. What it returns is a value (answers,
// errors, the view model, the submission), except form(), options() and language(), which are
// valid while the session lives. chosa/filling.h changes a session through the same interface
// as a Draft of the device store.
#ifndef CHOSA_SESSION_H_
#define CHOSA_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chosa/form.h"
#include "chosa/status.h"
#include "chosa/value.h"

namespace chosa {

class Env;
class FormState;
struct Review;
struct ViewModel;

// What kind of problem an answer has; stable names for scenarios and the wire.
enum class ErrorKind : uint8_t {
  kRequired,     // "required": a relevant required question is empty
  kConstraint,   // "constraint": the constraint expression is false
  kType,         // "type": the text is not a number, a date, ...
  kChoice,       // "choice": not a choice of the list, or filtered out
  kCount,        // "count": too few / too many choices, or repeat instances outside min..max
  kReadOnly,     // "read_only": the item cannot be answered
  kEvaluation,   // "evaluation": an expression of the item could not be evaluated (a bad date)
};
const char* ErrorKindName(ErrorKind kind);

struct AnswerError {
  std::string path;     // "age", "attendees[2]/name"
  ErrorKind kind;
  std::string message;  // in the session's language
};

struct SessionOptions {
  std::string language;       // "" = the form's default language
  std::string device_id;      // stamped into the submission
  std::string enumerator_id;  // who fills it (staff id); may be empty
};

// The immutable result of finalize: the canonical bytes are what is stored, sent and hashed.
struct Submission {
  std::string uuid;            // version 4, from the Env's random bytes
  std::string instance_name;
  std::string canonical_json;  // UTF-8, fixed key order, no insignificant whitespace
  std::string sha256;          // lower-case hex of the canonical bytes
};

// Where an answer lives in the form: an item and, inside a repeat, a 0-based instance.
struct AnswerRef {
  int32_t item = kNone;
  int32_t instance = 0;
};

// A filling as the device store keeps it, to rebuild a session exactly (Session::Resume).
struct SessionSnapshot {
  std::string language;
  int32_t page = 0;
  int64_t started_at_millis = 0;
  int started_offset_minutes = 0;
  std::vector<std::pair<std::string, int32_t>> repeat_counts;  // repeat name -> instances
  std::vector<std::pair<std::string, std::string>> answers;    // path -> Session::AnswerText()
};

// How far a filling is: the relevant questions of the whole filling that take an answer (every
// answer type and matrix row, in every repeat instance; not notes, calculates, groups, pages,
// nor questions that are read-only now) and how many of them are answered.
struct FillingProgress {
  int32_t answered = 0;
  int32_t questions = 0;
  int32_t percent = 100;  // answered * 100 / questions, rounded down; 100 when there are none
};

// One change of an answer, for the audit trail a form may ask for (settings.audit).
struct AuditEntry {
  int64_t at_millis = 0;
  std::string path;
  std::string old_value;  // AnswerText, "" when it was empty
  std::string new_value;
};

class Session {
 public:
  // Starts a filling at the first relevant page, with defaults set and `min` repeat instances.
  // `env` (null: Env::Default()) must outlive the session.
  static Result<std::unique_ptr<Session>> Start(std::shared_ptr<const Form> form, Env* env,
                                                SessionOptions options = {});
  // Rebuilds a saved filling: repeat instances, answers (taken as saved: they were checked when
  // given), page, language and start time; then evaluates everything once. An answer whose path
  // or text no longer fits the form is reported, not guessed at.
  static Result<std::unique_ptr<Session>> Resume(std::shared_ptr<const Form> form, Env* env, SessionOptions options,
                                                 const SessionSnapshot& snapshot);
  // The text that stores `value` so that Resume reads back exactly the same value: numbers in
  // shortest round-trip form, dates and times in ISO 8601 with their offset, selects as values.
  static std::string AnswerText(const Value& value);

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Form& form() const { return *form_; }

  // --- answers -------------------------------------------------------------------------------
  // Sets the answer at `path` from text as typed: integers and decimals accept full-width digits
  // and signs (１２３, －, ．); dates YYYY-MM-DD or YYYY/MM/DD (a month-year date also YYYY-MM,
  // stored as the first day of the month); times HH:MM[:SS]; a
  // select_multiple or rank takes its values separated by spaces; "" clears. On a type or choice
  // fault nothing is stored and the Status (kInvalidArgument, message in the session's language)
  // says why; a constraint that fails does not refuse the answer: it shows as an error.
  Status SetAnswer(std::string_view path, std::string_view text);
  Status SetAnswer(const AnswerRef& ref, std::string_view text);
  Status ClearAnswer(std::string_view path) { return SetAnswer(path, ""); }
  // The value as stored ("" when unanswered), whether relevant or not.
  Result<Value> GetAnswer(std::string_view path) const;
  // The value as expressions read it ("" when not relevant).
  Result<Value> ReadValue(std::string_view path) const;
  Result<bool> IsRelevant(std::string_view path) const;
  Result<bool> IsRequired(std::string_view path) const;

  // --- repeats -------------------------------------------------------------------------------
  // Appends an instance; returns its 1-based position. Refused past `max` or for a repeat
  // whose count is an expression.
  Result<int32_t> AddRepeatInstance(std::string_view repeat);
  // Removes the instance at 1-based `position`; refused below `min` or for a count expression.
  Status RemoveRepeatInstance(std::string_view repeat, int32_t position);
  Result<int32_t> RepeatCount(std::string_view repeat) const;

  // --- language ------------------------------------------------------------------------------
  Status SetLanguage(std::string_view language);
  const std::string& language() const;

  // --- navigation ----------------------------------------------------------------------------
  // Pages are the form's pages (one page when it has none); non-relevant pages are skipped.
  int32_t page_index() const { return page_; }          // 0-based position in Form::pages()
  int32_t page_count() const;
  // Validates the current page and moves to the next relevant one. On errors, stays and
  // returns kInvalidArgument; the errors are in PageErrors() and the view model.
  Status Next();
  // Moves to the previous relevant page; never validates.
  Status Back();
  // Jumps to a relevant page (0-based), without validating.
  Status GoToPage(int32_t page);
  bool CanGoBack() const;
  bool CanGoNext() const;  // there is a later relevant page

  // What share of the questions is answered. Kept by the evaluation state as answers,
  // relevance and repeat instances change, so this is O(1): the view model's navigation and the
  // drafts list read it.
  FillingProgress Progress() const;

  // --- validation ----------------------------------------------------------------------------
  std::vector<AnswerError> PageErrors(int32_t page) const;
  std::vector<AnswerError> AllErrors() const;

  // --- finalize ------------------------------------------------------------------------------
  // Validates everything; on errors returns kInvalidArgument (see AllErrors()) and moves to the
  // first page with an error. Otherwise builds the submission, stamped with the Env's clock.
  // `replaces`: the UUID of the submission this one corrects (IsUuidV4), or "".
  // `audit`: the answer changes to export with the submission (settings.audit), or null.
  Result<Submission> Finalize(std::string_view replaces = "", const std::vector<AuditEntry>* audit = nullptr);

  // --- the view model ------------------------------------------------------------------------
  // The current page as a renderer draws it, built on request from the values already kept.
  ViewModel View() const;
  std::string ViewJson() const;
  // Every relevant page with its relevant items and their answers as a person reads them, and
  // every current error, for a review before finalize (docs/view-model.md "Review"). Costs
  // what the whole form holds: an occasional call, not one per keystroke.
  chosa::Review Review() const;
  std::string ReviewJson() const;

  // --- addressing ----------------------------------------------------------------------------
  // Resolves "name" / "repeat[k]/name" (k from 1) to an item and 0-based instance.
  Result<AnswerRef> Resolve(std::string_view path) const;
  std::string PathOf(const AnswerRef& ref) const;

  // What the device store keeps of a filling besides its answers: the instances of a repeat
  // (item index of the repeat), the value kept for an answer (relevant or not: a non-relevant
  // answer keeps its value), and the instance name as it reads now ("" when the form has none).
  int32_t InstanceCount(int32_t repeat) const;
  const Value& StoredValue(const AnswerRef& ref) const;
  std::string InstanceName() const;
  int64_t started_at_millis() const { return started_at_; }
  int started_offset_minutes() const { return started_offset_; }
  const SessionOptions& options() const { return options_; }

 private:
  Session(std::shared_ptr<const Form> form, Env* env, SessionOptions options);
  // Start, with the state evaluated now (`evaluate`) or left to the caller (Resume).
  static Result<std::unique_ptr<Session>> Create(std::shared_ptr<const Form> form, Env* env, SessionOptions options,
                                                 bool evaluate);
  friend class SessionValidator;
  friend class Draft;  // restores a value, the page or the language that the store could not save
  friend const FormState& StateOf(const Session& session);  // session/session_internal.h
  // Puts back a value the store could not save, as it was kept before (it passed its checks).
  void RestoreValue(const AnswerRef& ref, const Value& value);
  friend class ViewBuilder;
  friend class ReviewBuilder;
  friend class SubmissionWriter;

  std::shared_ptr<const Form> form_;
  Env* env_;
  SessionOptions options_;
  size_t language_ = 0;
  std::string language_code_;
  std::unique_ptr<FormState> state_;
  int32_t page_ = 0;
  std::vector<uint8_t> show_required_;  // per page: a blocked next or finalize happened there
  int64_t started_at_ = 0;
  int started_offset_ = 0;
};

}  // namespace chosa

#endif  // CHOSA_SESSION_H_
