// Errors, buffers, versions and the handle registry of the C API (c_boundary.h).
#include "c_boundary.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace chosa::capi {
namespace {

// The live handles. A mutex and a hash lookup per call (tens of nanoseconds) buy a clear
// CHOSA_MISUSE instead of a crash on a released or foreign pointer.
struct Registry {
  std::mutex mutex;
  std::unordered_map<const void*, HandleKind> live;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();  // never destroyed: handles may outlive statics
  return *registry;
}

char* Dup(std::string_view text) { return CopyOut(text); }

}  // namespace

void Register(const void* handle, HandleKind kind) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.live[handle] = kind;
}

bool Unregister(const void* handle) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.live.erase(handle) == 1;
}

bool IsLive(const void* pointer, HandleKind kind) {
  if (pointer == nullptr) return false;
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto found = r.live.find(pointer);
  return found != r.live.end() && found->second == kind;
}

bool WhileLive(const void* pointer, HandleKind kind, const std::function<void()>& read) {
  if (pointer == nullptr) return false;
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto found = r.live.find(pointer);
  if (found == r.live.end() || found->second != kind) return false;
  read();
  return true;
}

chosa_code CodeOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return CHOSA_OK;
    case StatusCode::kInvalidArgument: return CHOSA_INVALID_ARGUMENT;
    case StatusCode::kNotFound: return CHOSA_NOT_FOUND;
    case StatusCode::kCorruption: return CHOSA_CORRUPTION;
    case StatusCode::kIOError: return CHOSA_IO_ERROR;
    case StatusCode::kUnsupported: return CHOSA_UNSUPPORTED;
    case StatusCode::kInternal: return CHOSA_INTERNAL;
    case StatusCode::kAlreadyExists: return CHOSA_ALREADY_EXISTS;
    case StatusCode::kUnauthenticated: return CHOSA_UNAUTHENTICATED;
    case StatusCode::kPermissionDenied: return CHOSA_PERMISSION_DENIED;
    case StatusCode::kUnavailable: return CHOSA_UNAVAILABLE;
  }
  return CHOSA_INTERNAL;
}

chosa_code Fail(chosa_error* error, chosa_code code, std::string_view message, std::string_view path,
                std::string_view pointer, int32_t column) {
  if (error != nullptr) {
    chosa_error_clear(error);
    error->code = code;
    error->message = Dup(message);
    error->path = Dup(path);
    error->pointer = Dup(pointer);
    error->column = column;
  }
  return code;
}

chosa_code Fail(chosa_error* error, const Status& status, std::string_view path) {
  return Fail(error, CodeOf(status), status.message(), path, status.pointer(), status.column());
}

FirstError FirstOf(const std::vector<AnswerError>& errors) {
  FirstError first{errors.front().message, errors.front().path};
  if (errors.size() > 1) first.message += " (+" + std::to_string(errors.size() - 1) + ")";
  return first;
}

char* CopyOut(std::string_view bytes) {
  char* copy = static_cast<char*>(std::malloc(bytes.size() + 1));
  if (copy == nullptr) return nullptr;
  if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
  copy[bytes.size()] = '\0';
  return copy;
}

chosa_code Give(std::string_view bytes, char** out, size_t* out_size, chosa_error* error) {
  if (out == nullptr) return Fail(error, CHOSA_INVALID_ARGUMENT, "the output pointer is NULL");
  *out = CopyOut(bytes);
  if (*out == nullptr) return Fail(error, CHOSA_NO_MEMORY, "out of memory");
  if (out_size != nullptr) *out_size = bytes.size();
  return CHOSA_OK;
}

}  // namespace chosa::capi

using namespace chosa::capi;

extern "C" {

const char* chosa_version(void) { return CHOSA_VERSION_STRING; }
int32_t chosa_version_number(void) { return CHOSA_VERSION_NUMBER; }

const char* chosa_code_name(chosa_code code) {
  switch (code) {
    case CHOSA_OK: return "ok";
    case CHOSA_INVALID_ARGUMENT: return "invalid_argument";
    case CHOSA_NOT_FOUND: return "not_found";
    case CHOSA_CORRUPTION: return "corruption";
    case CHOSA_IO_ERROR: return "io_error";
    case CHOSA_UNSUPPORTED: return "unsupported";
    case CHOSA_INTERNAL: return "internal";
    case CHOSA_ALREADY_EXISTS: return "already_exists";
    case CHOSA_UNAUTHENTICATED: return "unauthenticated";
    case CHOSA_PERMISSION_DENIED: return "permission_denied";
    case CHOSA_UNAVAILABLE: return "unavailable";
    case CHOSA_STORE_TOO_NEW: return "store_too_new";
    case CHOSA_MISUSE: return "misuse";
    case CHOSA_CANCELLED: return "cancelled";
    case CHOSA_NO_MEMORY: return "no_memory";
  }
  return "unknown";
}

void chosa_error_clear(chosa_error* error) {
  if (error == nullptr) return;
  std::free(error->message);
  std::free(error->path);
  std::free(error->pointer);
  *error = chosa_error CHOSA_ERROR_INIT;
}

void chosa_free(void* buffer) { std::free(buffer); }

}  // extern "C"
