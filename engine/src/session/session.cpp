// The filling session: answers by path, repeats, language and page navigation. Checks live in
// validator.cpp, the view model in view_builder.cpp, the review in review_builder.cpp, the
// submission in submission_writer.cpp.
#include "chosa/session.h"

#include <algorithm>

#include "chosa/base/utf8.h"
#include "chosa/env.h"
#include "chosa/view_model.h"
#include "chosa/uuid.h"
#include "session/answer_text.h"
#include "session/session_internal.h"
#include "state/form_state.h"

namespace chosa {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kRequired: return "required";
    case ErrorKind::kConstraint: return "constraint";
    case ErrorKind::kType: return "type";
    case ErrorKind::kChoice: return "choice";
    case ErrorKind::kCount: return "count";
    case ErrorKind::kReadOnly: return "read_only";
    case ErrorKind::kEvaluation: return "evaluation";
  }
  return "unknown";
}

const std::vector<int32_t>& PageItems(const Form& form, int32_t page) {
  if (form.pages().empty()) return form.top_level();
  return form.item(form.pages()[static_cast<size_t>(page)]).children;
}

Session::Session(std::shared_ptr<const Form> form, Env* env, SessionOptions options)
    : form_(std::move(form)), env_(env != nullptr ? env : Env::Default()), options_(std::move(options)) {}

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::Start(std::shared_ptr<const Form> form, Env* env, SessionOptions options) {
  // Both go into the submission: not UTF-8, it would be refused by every reader of it, the
  // collector first, and could never be corrected.
  if (!IsValidUtf8(options.device_id)) return Status::InvalidArgument("the device id is not UTF-8");
  if (!IsValidUtf8(options.enumerator_id)) return Status::InvalidArgument("the enumerator id is not UTF-8");
  return Create(std::move(form), env, std::move(options), true);
}

Result<std::unique_ptr<Session>> Session::Create(std::shared_ptr<const Form> form, Env* env, SessionOptions options,
                                                 bool evaluate) {
  if (form == nullptr) return Status::InvalidArgument("no form");
  std::unique_ptr<Session> session(new Session(std::move(form), env, std::move(options)));
  const Form& f = *session->form_;
  session->language_ = f.default_language();
  session->language_code_ = f.languages()[session->language_];
  if (!session->options_.language.empty()) {
    Status chosen = session->SetLanguage(session->options_.language);
    if (!chosen.ok()) return chosen;
  }
  session->language_code_ = f.languages()[session->language_];
  session->started_at_ = session->env_->NowMillis();
  session->started_offset_ = session->env_->UtcOffsetMinutes(session->started_at_);
  // Evaluated once the state knows the language (jr:choice-name reads it).
  session->state_ = std::make_unique<FormState>(session->form_, session->env_, false);
  session->state_->SetLanguage(session->language_);
  if (evaluate) session->state_->EvaluateAll();
  session->show_required_.assign(static_cast<size_t>(session->page_count()), 0);
  session->page_ = 0;
  if (evaluate && !session->form_->pages().empty() && !session->state_->IsRelevant(f.pages()[0])) {
    for (int32_t p = 1; p < session->page_count(); ++p) {
      if (session->state_->IsRelevant(f.pages()[static_cast<size_t>(p)])) {
        session->page_ = p;
        break;
      }
    }
  }
  return session;
}

std::string Session::AnswerText(const Value& value) { return value.is_empty() ? std::string() : value.ToString(); }

Result<std::unique_ptr<Session>> Session::Resume(std::shared_ptr<const Form> form, Env* env, SessionOptions options,
                                                 const SessionSnapshot& snapshot) {
  if (!snapshot.language.empty()) options.language = snapshot.language;
  // Evaluated once, below, with the saved answers in place.
  Result<std::unique_ptr<Session>> started = Create(std::move(form), env, std::move(options), false);
  if (!started.ok()) return started.status();
  Session& s = **started;
  const Form& f = *s.form_;
  if (snapshot.started_at_millis != 0) {
    s.started_at_ = snapshot.started_at_millis;
    s.started_offset_ = snapshot.started_offset_minutes;
  }
  for (const auto& entry : snapshot.repeat_counts) {
    int32_t repeat = f.Find(entry.first);
    if (repeat == kNone || f.item(repeat).type != ItemType::kRepeat || entry.second < 0 || entry.second > 100000) {
      return Status::Corruption("saved repeat \"" + entry.first + "\" does not fit form " + f.id() + " " + f.version());
    }
    s.state_->SetInstanceCountQuietly(repeat, entry.second);
  }
  for (const auto& entry : snapshot.answers) {
    Result<AnswerRef> ref = s.Resolve(entry.first);
    if (!ref.ok()) return Status::Corruption("saved answer \"" + entry.first + "\": " + ref.status().message());
    const Item& item = f.item(ref->item);
    if (!HoldsAnswer(item.type) || item.type == ItemType::kCalculate) {
      return Status::Corruption("saved answer \"" + entry.first + "\" is not a question of the form");
    }
    Value value;
    if (IsSelect(item.type)) {
      value = Value::String(entry.second);
    } else {
      ParsedAnswer parsed = ParseTypedAnswer(item.type, entry.second, s.env_);
      if (parsed.error) {
        return Status::Corruption("saved answer \"" + entry.first + "\" cannot be read: \"" + entry.second + "\"");
      }
      value = std::move(parsed.value);
    }
    s.state_->SetValueQuietly(ref->item, std::move(value), ref->instance);
  }
  s.state_->EvaluateAll();
  s.page_ = 0;
  if (snapshot.page >= 0 && snapshot.page < s.page_count() && PageRelevantIn(f, *s.state_, snapshot.page)) {
    s.page_ = snapshot.page;
  }
  return started;
}

// --- addressing ----------------------------------------------------------------------------

Result<AnswerRef> Session::Resolve(std::string_view path) const {
  auto unknown = [&] { return Status::InvalidArgument(Message(MessageId::kUnknownPath, language_code_, path)); };
  AnswerRef ref;
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    ref.item = form_->Find(path);
    if (ref.item == kNone) return unknown();
    if (form_->item(ref.item).repeat != kNone) {
      const std::string& repeat = form_->item(form_->item(ref.item).repeat).name;
      return Status::InvalidArgument(
          Message(MessageId::kNeedsPosition, language_code_, path, repeat + "[1]/" + std::string(path)));
    }
    return ref;
  }
  // repeat[k]/name
  std::string_view head = path.substr(0, slash), tail = path.substr(slash + 1);
  size_t open = head.find('[');
  if (open == std::string_view::npos || head.empty() || head.back() != ']') return unknown();
  std::string_view repeat_name = head.substr(0, open);
  std::string_view digits = head.substr(open + 1, head.size() - open - 2);
  if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return unknown();
  }
  int32_t position = std::stoi(std::string(digits));
  int32_t repeat = form_->Find(repeat_name);
  ref.item = form_->Find(tail);
  if (repeat == kNone || ref.item == kNone || form_->item(repeat).type != ItemType::kRepeat ||
      form_->item(ref.item).repeat != repeat) {
    return unknown();
  }
  if (position < 1 || position > state_->InstanceCount(repeat)) {
    return Status::InvalidArgument(Message(MessageId::kNoSuchEntry, language_code_, repeat_name,
                                           std::to_string(state_->InstanceCount(repeat))));
  }
  ref.instance = position - 1;
  return ref;
}

int32_t Session::InstanceCount(int32_t repeat) const { return state_->InstanceCount(repeat); }

const Value& Session::StoredValue(const AnswerRef& ref) const { return state_->StoredValue(ref.item, ref.instance); }

std::string Session::InstanceName() const {
  const int32_t name = form_->settings().instance_name;
  return name == kNone ? std::string() : DisplayText(state_->EvaluateIn(name, kNone, 0));
}

void Session::RestoreValue(const AnswerRef& ref, const Value& value) { state_->SetValue(ref.item, value, ref.instance); }

std::string Session::PathOf(const AnswerRef& ref) const {
  const Item& item = form_->item(ref.item);
  if (item.repeat == kNone) return item.name;
  return form_->item(item.repeat).name + "[" + std::to_string(ref.instance + 1) + "]/" + item.name;
}

// --- answers -------------------------------------------------------------------------------

Status Session::SetAnswer(std::string_view path, std::string_view text) {
  Result<AnswerRef> ref = Resolve(path);
  if (!ref.ok()) return ref.status();
  return SetAnswer(*ref, text);
}

Status Session::SetAnswer(const AnswerRef& ref, std::string_view text) {
  const Item& item = form_->item(ref.item);
  auto refuse = [&](MessageId id, std::string_view argument = {}) {
    return Status::InvalidArgument(Message(id, language_code_, argument), PathOf(ref));
  };
  if (!HoldsAnswer(item.type) || item.type == ItemType::kCalculate) return refuse(MessageId::kNoAnswer);
  // A matrix row is read-only when its matrix is.
  int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : ref.item;
  if (item.calculation != kNone || state_->IsReadOnly(owner, ref.instance)) return refuse(MessageId::kReadOnly);

  Value value;
  if (IsSelect(item.type)) {
    const ChoiceList& list = form_->choice_lists()[static_cast<size_t>(item.list)];
    std::vector<std::string> values = SplitValues(text);
    if (item.type == ItemType::kSelectOne || item.type == ItemType::kMatrixRow) {
      if (values.size() > 1) return refuse(MessageId::kOneChoiceOnly);
    }
    SessionValidator validator(*this);
    std::vector<int32_t> indices;
    for (const std::string& v : values) {
      int32_t index = list.Find(v);
      if (index == kNone) return refuse(MessageId::kNotAChoice, v);
      if (std::find(indices.begin(), indices.end(), index) != indices.end()) {
        return refuse(MessageId::kChoiceTwice, ChoiceShown(list, index, language_));
      }
      if (!validator.ChoicePasses(ref.item, ref.instance, index)) {
        return refuse(MessageId::kChoiceFiltered, ChoiceShown(list, index, language_));
      }
      indices.push_back(index);
    }
    // A select_multiple is kept in choice-list order; a rank in the order given.
    if (item.type == ItemType::kSelectMultiple) std::sort(indices.begin(), indices.end());
    std::string joined;
    for (int32_t index : indices) {
      if (!joined.empty()) joined.push_back(' ');
      joined += list.choices[static_cast<size_t>(index)].value;
    }
    value = Value::String(std::move(joined));
  } else {
    // Only a date asks its appearance how it takes its answer (a month for month-year).
    const DateInput date_input = item.type == ItemType::kDate ? DateInputOf(item) : DateInput::kDay;
    ParsedAnswer parsed = ParseTypedAnswer(item.type, text, env_, date_input);
    if (parsed.error) return refuse(*parsed.error);
    value = std::move(parsed.value);
  }
  state_->SetValue(ref.item, std::move(value), ref.instance);
  return Status::Ok();
}

Result<Value> Session::GetAnswer(std::string_view path) const {
  Result<AnswerRef> ref = Resolve(path);
  if (!ref.ok()) return ref.status();
  return state_->StoredValue(ref->item, ref->instance);
}

Result<Value> Session::ReadValue(std::string_view path) const {
  Result<AnswerRef> ref = Resolve(path);
  if (!ref.ok()) return ref.status();
  return state_->ReadValue(ref->item, ref->instance);
}

Result<bool> Session::IsRelevant(std::string_view path) const {
  Result<AnswerRef> ref = Resolve(path);
  if (!ref.ok()) return ref.status();
  return state_->IsRelevant(ref->item, ref->instance);
}

Result<bool> Session::IsRequired(std::string_view path) const {
  Result<AnswerRef> ref = Resolve(path);
  if (!ref.ok()) return ref.status();
  const Item& item = form_->item(ref->item);
  // A matrix row is required when its matrix is.
  int32_t owner = item.type == ItemType::kMatrixRow ? item.parent : ref->item;
  return state_->IsRelevant(ref->item, ref->instance) && state_->IsRequired(owner, ref->instance);
}

// --- repeats -------------------------------------------------------------------------------

Result<int32_t> Session::AddRepeatInstance(std::string_view repeat_name) {
  int32_t repeat = form_->Find(repeat_name);
  if (repeat == kNone || form_->item(repeat).type != ItemType::kRepeat) {
    return Status::InvalidArgument(Message(MessageId::kUnknownPath, language_code_, repeat_name));
  }
  const Item& item = form_->item(repeat);
  if (item.repeat_count != kNone) return Status::InvalidArgument(Message(MessageId::kRepeatFixed, language_code_));
  if (item.max >= 0 && state_->InstanceCount(repeat) >= item.max) {
    return Status::InvalidArgument(Message(MessageId::kRepeatMax, language_code_, std::to_string(item.max)));
  }
  return state_->AddInstance(repeat) + 1;
}

Status Session::RemoveRepeatInstance(std::string_view repeat_name, int32_t position) {
  int32_t repeat = form_->Find(repeat_name);
  if (repeat == kNone || form_->item(repeat).type != ItemType::kRepeat) {
    return Status::InvalidArgument(Message(MessageId::kUnknownPath, language_code_, repeat_name));
  }
  const Item& item = form_->item(repeat);
  if (item.repeat_count != kNone) return Status::InvalidArgument(Message(MessageId::kRepeatFixed, language_code_));
  int32_t count = state_->InstanceCount(repeat);
  if (position < 1 || position > count) {
    return Status::InvalidArgument(Message(MessageId::kNoSuchEntry, language_code_, repeat_name, std::to_string(count)));
  }
  if (count <= item.min) {
    return Status::InvalidArgument(Message(MessageId::kRepeatMin, language_code_, std::to_string(item.min)));
  }
  state_->RemoveInstance(repeat, position - 1);
  return Status::Ok();
}

Result<int32_t> Session::RepeatCount(std::string_view repeat_name) const {
  int32_t repeat = form_->Find(repeat_name);
  if (repeat == kNone || form_->item(repeat).type != ItemType::kRepeat) {
    return Status::InvalidArgument(Message(MessageId::kUnknownPath, language_code_, repeat_name));
  }
  return state_->InstanceCount(repeat);
}

// --- language ------------------------------------------------------------------------------

Status Session::SetLanguage(std::string_view language) {
  const auto& languages = form_->languages();
  auto it = std::find(languages.begin(), languages.end(), language);
  if (it == languages.end()) {
    return Status::InvalidArgument(Message(MessageId::kUnknownLanguage, language_code_, language));
  }
  language_ = static_cast<size_t>(it - languages.begin());
  language_code_ = *it;
  // Calculations and relevance that read labels (jr:choice-name) follow the language.
  if (state_ != nullptr) state_->SetLanguage(language_);
  return Status::Ok();
}

const std::string& Session::language() const { return language_code_; }

// --- navigation ----------------------------------------------------------------------------

int32_t Session::page_count() const {
  return form_->pages().empty() ? 1 : static_cast<int32_t>(form_->pages().size());
}

bool PageRelevantIn(const Form& form, const FormState& state, int32_t page) {
  return form.pages().empty() || state.IsRelevant(form.pages()[static_cast<size_t>(page)]);
}

namespace {

bool PageRelevant(const Form& form, const FormState& state, int32_t page) { return PageRelevantIn(form, state, page); }

}  // namespace

bool Session::CanGoBack() const {
  if (!form_->settings().allow_back) return false;
  for (int32_t p = page_ - 1; p >= 0; --p) {
    if (PageRelevant(*form_, *state_, p)) return true;
  }
  return false;
}

bool Session::CanGoNext() const {
  for (int32_t p = page_ + 1; p < page_count(); ++p) {
    if (PageRelevant(*form_, *state_, p)) return true;
  }
  return false;
}

Status Session::Next() {
  std::vector<AnswerError> errors = PageErrors(page_);
  if (!errors.empty()) {
    show_required_[static_cast<size_t>(page_)] = 1;
    return Status::InvalidArgument(Message(MessageId::kPageHasErrors, language_code_, std::to_string(errors.size())));
  }
  for (int32_t p = page_ + 1; p < page_count(); ++p) {
    if (PageRelevant(*form_, *state_, p)) {
      page_ = p;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(Message(MessageId::kLastPage, language_code_));
}

Status Session::Back() {
  for (int32_t p = page_ - 1; p >= 0 && form_->settings().allow_back; --p) {
    if (PageRelevant(*form_, *state_, p)) {
      page_ = p;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(Message(MessageId::kFirstPage, language_code_));
}

Status Session::GoToPage(int32_t page) {
  if (page < 0 || page >= page_count()) {
    return Status::InvalidArgument(
        Message(MessageId::kNoSuchPage, language_code_, std::to_string(page), std::to_string(page_count())));
  }
  if (page < page_ && !form_->settings().allow_back) {
    return Status::InvalidArgument(Message(MessageId::kNoBack, language_code_));
  }
  if (!PageRelevant(*form_, *state_, page)) {
    return Status::InvalidArgument(Message(MessageId::kPageNotRelevant, language_code_));
  }
  page_ = page;
  return Status::Ok();
}

FillingProgress Session::Progress() const {
  FillingProgress progress;
  progress.answered = state_->answered();
  progress.questions = state_->questions();
  progress.percent = progress.questions == 0
                         ? 100
                         : static_cast<int32_t>(int64_t{progress.answered} * 100 / progress.questions);
  return progress;
}

// --- validation and finalize -----------------------------------------------------------------

std::vector<AnswerError> Session::PageErrors(int32_t page) const {
  std::vector<AnswerError> errors;
  if (page < 0 || page >= page_count() || !PageRelevant(*form_, *state_, page)) return errors;
  SessionValidator(*this).SubtreeErrors(PageItems(*form_, page), 0, true, &errors);
  return errors;
}

std::vector<AnswerError> Session::AllErrors() const {
  std::vector<AnswerError> errors;
  for (int32_t p = 0; p < page_count(); ++p) {
    std::vector<AnswerError> page_errors = PageErrors(p);
    errors.insert(errors.end(), page_errors.begin(), page_errors.end());
  }
  return errors;
}

Result<Submission> Session::Finalize(std::string_view replaces, const std::vector<AuditEntry>* audit) {
  if (!replaces.empty() && !IsUuidV4(replaces)) {
    return Status::InvalidArgument(Message(MessageId::kNotAUuid, language_code_, replaces));
  }
  if (options_.device_id.empty()) return Status::InvalidArgument(Message(MessageId::kNoDeviceId, language_code_));
  if (!form_->settings().public_key.empty()) {  // loaded with accept_public_key: kEncryptedFormsUnavailable
    return Status::Unsupported(Message(MessageId::kEncryptedForm, language_code_));
  }
  for (int32_t p = 0; p < page_count(); ++p) {
    std::vector<AnswerError> errors = PageErrors(p);
    if (errors.empty()) continue;
    size_t total = AllErrors().size();
    page_ = p;
    for (int32_t q = p; q < page_count(); ++q) {
      if (!PageErrors(q).empty()) show_required_[static_cast<size_t>(q)] = 1;
    }
    return Status::InvalidArgument(Message(MessageId::kFormHasErrors, language_code_, std::to_string(total)));
  }
  return SubmissionWriter(*this).Write(env_->NowMillis(), replaces, audit);
}

// --- view model --------------------------------------------------------------------------------

ViewModel Session::View() const { return ViewBuilder(*this).Build(); }

std::string Session::ViewJson() const { return ViewBuilder::ToJson(View()); }

Review Session::Review() const { return ReviewBuilder(*this).Build(); }

std::string Session::ReviewJson() const { return ReviewBuilder::ToJson(ReviewBuilder(*this).Build()); }

}  // namespace chosa
