// chosa_actions_*: the action messages through the C API (action_channel.h does the work).
#include "action_channel.h"
#include "c_boundary.h"
#include "c_handles.h"
#include "chosa/base/utf8.h"

using namespace chosa;
using namespace chosa::capi;

struct chosa_actions final : StoreChild {
  chosa_actions(DeviceStore* store, std::string enumerator_id) : channel(store, std::move(enumerator_id)) {}
  void Detach() override {
    std::lock_guard<std::mutex> lock(mutex);
    channel.Detach();
  }
  std::shared_ptr<StoreCore> core;
  std::mutex mutex;  // one message at a time
  ActionChannel channel;
};

extern "C" {

chosa_code chosa_actions_open(chosa_store* store, const char* enumerator_id, chosa_actions** out, chosa_error* error) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_actions_open: `out` is NULL");
  *out = nullptr;
  return WithStore(store, error, [&](const std::shared_ptr<StoreCore>& core) {
    // Stamped on every draft the channel starts (chosa_draft_start says why it must be UTF-8).
    if (!IsValidUtf8(Arg(enumerator_id))) {
      return Fail(error, CHOSA_INVALID_ARGUMENT, "chosa_actions_open: the enumerator id is not UTF-8");
    }
    auto handle = std::make_unique<chosa_actions>(core->store.get(), std::string(Arg(enumerator_id)));
    return GiveChild(std::move(handle), HandleKind::kActions, core, out);
  });
}

void chosa_actions_close(chosa_actions* handle) {
  // Its draft was saved already: it is let go while the store is open.
  CloseChild(handle, [handle] { handle->channel.Detach(); });
}

chosa_code chosa_actions_handle(chosa_actions* handle, const char* request, size_t size, char** out_reply,
                                size_t* out_size) {
  if (out_reply == nullptr) return CHOSA_INVALID_ARGUMENT;
  *out_reply = nullptr;
  if (!IsLive(handle, HandleKind::kActions)) return CHOSA_MISUSE;
  return Guard(nullptr, [&]() -> chosa_code {
    std::shared_lock<std::shared_mutex> open(handle->core->lifetime);
    std::lock_guard<std::mutex> lock(handle->mutex);
    std::string reply = handle->core->closed ? ErrorReply("misuse", "the store of this channel was closed")
                        : request == nullptr ? ErrorReply("invalid_argument", "the request is NULL")
                                             : handle->channel.Handle(std::string_view(request, size));
    return Give(reply, out_reply, out_size, nullptr);
  });
}

}  // extern "C"
