// chosa_actions_*: the action messages through the C API (action_channel.h does the work).
#include "action_channel.h"
#include "c_boundary.h"
#include "c_handles.h"

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
  if (!IsLive(store, HandleKind::kStore)) return Fail(error, CHOSA_MISUSE, "not an open store handle");
  return Guard(error, [&]() -> chosa_code {
    std::shared_ptr<StoreCore> core = store->core;
    std::shared_lock<std::shared_mutex> open(core->lifetime);
    if (core->closed) return Fail(error, CHOSA_MISUSE, "not an open store handle");
    auto handle = std::make_unique<chosa_actions>(core->store.get(), std::string(Arg(enumerator_id)));
    handle->core = core;
    core->Adopt(handle.get());
    Register(handle.get(), HandleKind::kActions);
    *out = handle.release();
    return CHOSA_OK;
  });
}

void chosa_actions_close(chosa_actions* handle) {
  if (handle == nullptr || !Unregister(handle)) return;
  try {
    std::shared_ptr<StoreCore> core = handle->core;
    std::shared_lock<std::shared_mutex> open(core->lifetime);
    core->Forget(handle);
    handle->channel.Detach();  // its draft was saved already: let it go while the store is open
  } catch (...) {
  }
  delete handle;
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
