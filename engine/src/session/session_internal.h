// Pieces of the session shared by its files: which items each page shows, how an answer is
// checked, and the helpers that build the view model, the review and the submission.
#ifndef CHOSA_ENGINE_SESSION_SESSION_INTERNAL_H_
#define CHOSA_ENGINE_SESSION_SESSION_INTERNAL_H_

#include <string>
#include <vector>

#include "chosa/session.h"
#include "chosa/view_model.h"
#include "session/messages.h"

namespace chosa {

// The evaluation state under a session, for the session's own files and the engine's tests.
inline const FormState& StateOf(const Session& session) { return *session.state_; }

// How a message names choice `index` of `list` to the person filling: by its label in
// `language`, as it was shown to them (the value, a code like 271276, only for a choice without
// a label).
inline std::string_view ChoiceShown(const ChoiceList& list, int32_t index, size_t language) {
  const Choice& choice = list.choices[static_cast<size_t>(index)];
  const std::string_view label = choice.label.Get(language);
  return label.empty() ? std::string_view(choice.value) : label;
}

// The checks of one answer and of whole pages.
class SessionValidator {
 public:
  explicit SessionValidator(const Session& session) : s_(session) {}
  // Problems of one item in one instance (none when it is not relevant). `show_required`
  // includes "required" for empty answers: a renderer shows that only after a blocked next.
  void ItemErrors(int32_t item, int32_t instance, bool show_required, std::vector<AnswerError>* out) const;
  // Problems of every answer below `items` (recursing into groups, repeats and matrices).
  void SubtreeErrors(const std::vector<int32_t>& items, int32_t instance, bool show_required,
                     std::vector<AnswerError>* out) const;
  // Whether choice `index` of the item's list passes its choice_filter now.
  bool ChoicePasses(int32_t item, int32_t instance, int32_t index) const;

 private:
  const Session& s_;
};

class ViewBuilder {
 public:
  explicit ViewBuilder(const Session& session) : s_(session) {}
  ViewModel Build() const;
  static std::string ToJson(const ViewModel& view);
  // `text` with each ${name} replaced by its current value as text (the review's labels too).
  std::string Interpolate(std::string_view text, int32_t item, int32_t instance) const;

 private:
  void AddItems(const std::vector<int32_t>& items, int32_t instance, bool show_required,
                std::vector<ItemView>* out) const;
  ItemView ViewOf(int32_t item, int32_t instance, bool show_required) const;
  const Session& s_;
};

// Builds the review of every relevant page (Session::Review()): one walk over the form.
class ReviewBuilder {
 public:
  explicit ReviewBuilder(const Session& session) : s_(session), view_(session) {}
  Review Build() const;
  static std::string ToJson(const Review& review);

 private:
  struct Tally {
    int32_t errors = 0, answered = 0, questions = 0;
  };
  void AddItems(const std::vector<int32_t>& items, int32_t instance, Tally* tally,
                std::vector<ReviewItem>* out) const;
  ReviewItem ItemOf(int32_t item, int32_t instance, Tally* tally) const;
  std::string Display(int32_t item, const Value& value) const;
  const Session& s_;
  ViewBuilder view_;  // for Interpolate
};

class SubmissionWriter {
 public:
  explicit SubmissionWriter(const Session& session) : s_(session) {}
  Submission Write(int64_t ended_at_millis, std::string_view replaces, const std::vector<AuditEntry>* audit) const;

 private:
  const Session& s_;
};

// The items a page shows at its top level: the page's children, or every top-level item when
// the form has no pages.
const std::vector<int32_t>& PageItems(const Form& form, int32_t page);
class FormState;
bool PageRelevantIn(const Form& form, const FormState& state, int32_t page);
std::string UuidV4(Env* env);

}  // namespace chosa

#endif  // CHOSA_ENGINE_SESSION_SESSION_INTERNAL_H_
