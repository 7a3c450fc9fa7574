// chosa_draft_*: one filling through the C API, saved as it goes (a Draft of the device store).
#include <nlohmann/json.hpp>

#include "c_boundary.h"
#include "c_handles.h"
#include "chosa/base/utf8.h"
#include "platform_json.h"

using namespace chosa;
using namespace chosa::capi;

namespace {

constexpr const char kNotADraft[] = "not an open draft handle (NULL, or closed already)";

// Runs `body(draft)` with the draft's store open and the draft to this call alone.
template <typename Body>
chosa_code WithDraft(chosa_draft* handle, chosa_error* error, Body&& body) {
  if (!IsLive(handle, HandleKind::kDraft)) return Fail(error, CHOSA_MISUSE, kNotADraft);
  return Guard(error, [&]() -> chosa_code {
    std::shared_lock<std::shared_mutex> open(handle->core->lifetime);
    std::lock_guard<std::mutex> lock(handle->mutex);
    if (handle->detached || handle->core->closed) {
      return Fail(error, CHOSA_MISUSE, std::string("this draft cannot be used: ") + kClosedStore);
    }
    if (!handle->draft) return Fail(error, CHOSA_MISUSE, "this draft was finalized: it is in the outbox now");
    return body(*handle->draft);
  });
}

// The first error of the page (after a blocked next) or of the filling (a refused finalize).
chosa_code Blocked(chosa_error* error, const Status& status, const std::vector<AnswerError>& errors) {
  if (errors.empty()) return Fail(error, status);
  FirstError first = FirstOf(errors);
  return Fail(error, CodeOf(status), first.message, first.path);
}

// Makes a draft from the store (`make(store)` returns a Result<unique_ptr<Draft>>).
template <typename Make>
chosa_code NewDraft(chosa_store* store, chosa_draft** out, chosa_error* error, Make&& make) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "`out` is NULL");
  *out = nullptr;
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) -> chosa_code {
    Result<std::unique_ptr<Draft>> made = make(*core->store);
    if (!made.ok()) return Fail(error, made.status());
    auto handle = std::make_unique<chosa_draft>();
    handle->id = (*made)->id();
    handle->draft = std::move(*made);
    return GiveChild(std::move(handle), HandleKind::kDraft, core, out);
  });
}

}  // namespace

extern "C" {

chosa_code chosa_draft_start(chosa_store* store, const char* form_id, const char* enumerator_id, const char* language,
                             chosa_draft** out, chosa_error* error) {
  return NewDraft(store, out, error, [&](DeviceStore& s) -> Result<std::unique_ptr<Draft>> {
    // Kept with the draft, listed as JSON and stamped on the submission: bytes that are not
    // UTF-8 would make all three unreadable.
    if (!IsValidUtf8(Arg(enumerator_id))) return Status::InvalidArgument("the enumerator id is not UTF-8");
    return s.StartDraft(Arg(form_id), Arg(enumerator_id), Arg(language));
  });
}

chosa_code chosa_draft_resume(chosa_store* store, int64_t draft_id, chosa_draft** out, chosa_error* error) {
  return NewDraft(store, out, error, [&](DeviceStore& s) { return s.Resume(draft_id); });
}

void chosa_draft_close(chosa_draft* handle) {
  // Its draft saves its page while the store is open (or was detached already).
  CloseChild(handle, [handle] { handle->draft.reset(); });
}

int64_t chosa_draft_id(chosa_draft* handle) {
  return IsLive(handle, HandleKind::kDraft) ? handle->id : 0;
}

chosa_code chosa_draft_view_json(chosa_draft* handle, char** out, size_t* out_size, chosa_error* error) {
  return WithDraft(handle, error,
                   [&](Draft& draft) { return Give(draft.session().ViewJson(), out, out_size, error); });
}

chosa_code chosa_draft_review_json(chosa_draft* handle, char** out, size_t* out_size, chosa_error* error) {
  return WithDraft(handle, error,
                   [&](Draft& draft) { return Give(draft.session().ReviewJson(), out, out_size, error); });
}

chosa_code chosa_draft_set_answer(chosa_draft* handle, const char* path, const char* text, chosa_error* error) {
  if (path == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_draft_set_answer: `path` is NULL");
  return WithDraft(handle, error,
                   [&](Draft& draft) { return FailAt(error, draft.SetAnswer(path, Arg(text)), path); });
}

chosa_code chosa_draft_set_answer_json(chosa_draft* handle, const char* path, const char* json, chosa_error* error) {
  if (path == nullptr || json == nullptr) {
    return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_draft_set_answer_json: `path` or `json` is NULL");
  }
  return WithDraft(handle, error, [&](Draft& draft) -> chosa_code {
    nlohmann::json value = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return Fail(error, CHOSA_INVALID_ARGUMENT, "the answer is not a JSON value", path);
    Result<std::string> text = AnswerTextFromJson(draft.session(), path, value);
    if (!text.ok()) return FailAt(error, text.status(), path);
    return FailAt(error, draft.SetAnswer(path, *text), path);
  });
}

chosa_code chosa_draft_add_instance(chosa_draft* handle, const char* repeat, int32_t* out_position,
                                    chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) -> chosa_code {
    Result<int32_t> position = draft.AddRepeatInstance(Arg(repeat));
    if (!position.ok()) return FailAt(error, position.status(), Arg(repeat));
    if (out_position != nullptr) *out_position = *position;
    return CHOSA_OK;
  });
}

chosa_code chosa_draft_remove_instance(chosa_draft* handle, const char* repeat, int32_t position, chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) {
    return FailAt(error, draft.RemoveRepeatInstance(Arg(repeat), position), Arg(repeat));
  });
}

chosa_code chosa_draft_next(chosa_draft* handle, chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) -> chosa_code {
    Status moved = draft.Next();
    if (moved.ok()) return CHOSA_OK;
    return Blocked(error, moved, draft.session().PageErrors(draft.session().page_index()));
  });
}

chosa_code chosa_draft_back(chosa_draft* handle, chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) { return Report(error, draft.Back()); });
}

chosa_code chosa_draft_go_to_page(chosa_draft* handle, int32_t page, chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) { return Report(error, draft.GoToPage(page)); });
}

chosa_code chosa_draft_set_language(chosa_draft* handle, const char* language, chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) { return Report(error, draft.SetLanguage(Arg(language))); });
}

chosa_code chosa_draft_finalize(chosa_draft* handle, char** out_uuid, chosa_error* error) {
  return WithDraft(handle, error, [&](Draft& draft) -> chosa_code {
    Result<Submission> submission = draft.Finalize();
    if (!submission.ok()) return Blocked(error, submission.status(), draft.session().AllErrors());
    handle->draft.reset();  // the filling is in the outbox; the handle stays until closed
    return out_uuid == nullptr ? CHOSA_OK : Give(submission->uuid, out_uuid, nullptr, error);
  });
}

}  // extern "C"
