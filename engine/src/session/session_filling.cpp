// SessionFilling: the Filling of a bare Session (chosa/filling.h).
#include "chosa/filling.h"

#include <utility>

namespace chosa {

SessionFilling::SessionFilling(std::unique_ptr<Session> session) : owned_(std::move(session)), session_(owned_.get()) {}

SessionFilling::SessionFilling(Session* session) : session_(session) {}

SessionFilling::~SessionFilling() = default;

Status SessionFilling::SetAnswer(std::string_view path, std::string_view text) {
  return session_->SetAnswer(path, text);
}

Result<int32_t> SessionFilling::AddRepeatInstance(std::string_view repeat) {
  return session_->AddRepeatInstance(repeat);
}

Status SessionFilling::RemoveRepeatInstance(std::string_view repeat, int32_t position) {
  return session_->RemoveRepeatInstance(repeat, position);
}

Status SessionFilling::SetLanguage(std::string_view language) { return session_->SetLanguage(language); }

Status SessionFilling::Next() { return session_->Next(); }

Status SessionFilling::Back() { return session_->Back(); }

Status SessionFilling::GoToPage(int32_t page) { return session_->GoToPage(page); }

Result<Submission> SessionFilling::Finalize() { return session_->Finalize(); }

}  // namespace chosa
