// The C API's handles and how their lifetimes hang together. A chosa_store owns a StoreCore
// shared with every draft, sync and action channel made from it: the core keeps the app's hooks
// (destroyed last, so free_user_data runs when nothing can call a hook any more) and the
// DeviceStore. `lifetime` is held shared by every call that uses the store and exclusively by
// chosa_store_close, which first cancels running syncs, then detaches every child (its Draft is
// saved and destroyed) and closes the DeviceStore; a child's later calls return CHOSA_MISUSE.
// Lock order: lifetime, then children_mutex, then a handle's own mutex.
#ifndef CHOSA_PLATFORM_C_HANDLES_H_
#define CHOSA_PLATFORM_C_HANDLES_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>

#include "c_boundary.h"
#include "platform_hooks.h"
#include "chosa/store.h"

namespace chosa::capi {

// Something made from a store that must let go of it when the store closes.
class StoreChild {
 public:
  virtual ~StoreChild() = default;
  // Stop soon (a running sync); called without `lifetime` held, from the closing thread.
  virtual void Cancel() {}
  // Release whatever uses the DeviceStore; called with `lifetime` held exclusively.
  virtual void Detach() = 0;
};

struct StoreCore {
  std::unique_ptr<Hooks> hooks;  // declared first: destroyed after the store
  std::unique_ptr<DeviceStore> store;
  std::string path;

  std::shared_mutex lifetime;
  bool closed = false;
  std::mutex children_mutex;
  std::set<StoreChild*> children;

  void Adopt(StoreChild* child) {
    std::lock_guard<std::mutex> lock(children_mutex);
    children.insert(child);
  }
  void Forget(StoreChild* child) {
    std::lock_guard<std::mutex> lock(children_mutex);
    children.erase(child);
  }
};

constexpr const char kClosedStore[] = "its store was closed (chosa_store_close)";
constexpr const char kNotAStore[] = "not an open store handle (NULL, or closed already)";

}  // namespace chosa::capi

struct chosa_store {
  std::shared_ptr<chosa::capi::StoreCore> core;
};

struct chosa_form {
  std::shared_ptr<const chosa::Form> form;
};

struct chosa_draft final : chosa::capi::StoreChild {
  void Detach() override {
    std::lock_guard<std::mutex> lock(mutex);
    draft.reset();
    detached = true;
  }
  std::shared_ptr<chosa::capi::StoreCore> core;
  std::mutex mutex;                     // one call at a time
  std::unique_ptr<chosa::Draft> draft;  // null once finalized, or detached
  int64_t id = 0;
  bool detached = false;
};

#endif  // CHOSA_PLATFORM_C_HANDLES_H_

namespace chosa::capi {

// Runs `body(core)` (the store's shared core) with the store open for the call's length.
// The core is taken while the handle is live, so a chosa_store_close on another thread either
// comes first (this call is refused) or finds the store in use and waits for it.
template <typename Body>
chosa_code WithStore(chosa_store* store, chosa_error* error, Body&& body) {
  return Guard(error, [&]() -> chosa_code {
    std::shared_ptr<StoreCore> core;
    if (!WhileLive(store, HandleKind::kStore, [&] { core = store->core; })) {
      return Fail(error, CHOSA_MISUSE, kNotAStore);
    }
    std::shared_lock<std::shared_mutex> open(core->lifetime);
    if (core->closed) return Fail(error, CHOSA_MISUSE, kNotAStore);
    return body(core);
  });
}

// Hands a new child handle of `core` to the app: it is live, and the store will detach it.
template <typename Child>
chosa_code GiveChild(std::unique_ptr<Child> handle, HandleKind kind, const std::shared_ptr<StoreCore>& core,
                     Child** out) {
  handle->core = core;
  core->Adopt(handle.get());
  Register(handle.get(), kind);
  *out = handle.release();
  return CHOSA_OK;
}

// Releases a child handle: `release()` lets go of what it holds of the store while the store is
// still open (a draft saves its page); a handle not live (closed twice) is left alone.
template <typename Child, typename Release>
void CloseChild(Child* handle, Release&& release) noexcept {
  if (handle == nullptr || !Unregister(handle)) return;
  try {
    std::shared_ptr<StoreCore> core = handle->core;
    std::shared_lock<std::shared_mutex> open(core->lifetime);
    core->Forget(handle);
    release();
  } catch (...) {
    // A close cannot fail: whatever the release met, the handle goes.
  }
  delete handle;
}

}  // namespace chosa::capi
