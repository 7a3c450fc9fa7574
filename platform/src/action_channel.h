// The action messages (schemas/action.schema.json, docs/c-api.md "Action messages"): a renderer
// in a web view sends {"v":1,"op":...} and receives {"v":1,"ok":...} with the new view model, so
// that the engine stays the only judge of relevance, validation and totals. A channel holds at
// most one open draft (the one the renderer shows).
//
// Thread safety: one Handle call at a time (the C API serialises them). Ownership: the channel
// borrows the DeviceStore, which must outlive it, and owns its Draft.
#ifndef CHOSA_PLATFORM_ACTION_CHANNEL_H_
#define CHOSA_PLATFORM_ACTION_CHANNEL_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "chosa/store.h"

namespace chosa::capi {

class ActionChannel {
 public:
  ActionChannel(DeviceStore* store, std::string enumerator_id);
  ~ActionChannel();
  ActionChannel(const ActionChannel&) = delete;
  ActionChannel& operator=(const ActionChannel&) = delete;

  // Handles one request and returns its reply (always a reply: a refused action is "ok": false
  // with its "error"). May throw std::bad_alloc only.
  std::string Handle(std::string_view request);
  // The store is closing: the open draft (saved already) is let go.
  void Detach();

 private:
  class Reply;
  void Dispatch(const std::string& op, const nlohmann::json& request, Reply& reply);

  DeviceStore* store_;
  std::string enumerator_id_;
  std::unique_ptr<Draft> draft_;
};

// A reply for a request that reached no channel (a closed store): {"v":1,"ok":false,"error":...}.
std::string ErrorReply(std::string_view code, std::string_view message);

}  // namespace chosa::capi

#endif  // CHOSA_PLATFORM_ACTION_CHANNEL_H_
