// The C boundary's common parts: the handle registry (which pointers are live handles of which
// kind), the mapping from Status to chosa_code, filling a caller's chosa_error, copying results
// into buffers the caller frees, and the guard that keeps every C++ exception on this side.
#ifndef CHOSA_PLATFORM_C_BOUNDARY_H_
#define CHOSA_PLATFORM_C_BOUNDARY_H_

#include <cstdint>
#include <functional>
#include <new>
#include <string>
#include <string_view>

#include <vector>

#include "chosa/chosa.h"
#include "chosa/session.h"
#include "chosa/status.h"

namespace chosa::capi {

enum class HandleKind : uint32_t { kStore = 1, kForm, kDraft, kSync, kActions };

// Records a new handle (the pointer the app holds) as live, or forgets one being released. A
// handle is live between the two.
void Register(const void* handle, HandleKind kind);
// Returns false when `handle` was not live (released twice, or never a handle).
bool Unregister(const void* handle);
// Whether `pointer` is a live handle of `kind` (it is never read unless it is live).
bool IsLive(const void* pointer, HandleKind kind);
// Runs `read()` if `pointer` is a live handle of `kind`, while no other thread can release it
// (under the registry's lock: keep `read` to copying a pointer out). Returns whether it ran.
bool WhileLive(const void* pointer, HandleKind kind, const std::function<void()>& read);

chosa_code CodeOf(const Status& status);

// Fills `error` (when not null) and returns its code. `path`: the answer concerned, if any.
chosa_code Fail(chosa_error* error, chosa_code code, std::string_view message, std::string_view path = {},
                std::string_view pointer = {}, int32_t column = 0);
chosa_code Fail(chosa_error* error, const Status& status, std::string_view path = {});
inline chosa_code Report(chosa_error* error, const Status& status, std::string_view path = {}) {
  return status.ok() ? CHOSA_OK : Fail(error, status, path);
}
// A refused change of the answer (or repeat) at `path`: the error names the path; it has no JSON
// Pointer (the engine keeps the path in its Status's pointer, which is no pointer into a document).
inline chosa_code FailAt(chosa_error* error, const Status& status, std::string_view path) {
  return status.ok() ? CHOSA_OK : Fail(error, CodeOf(status), status.message(), path);
}

// A blocked next or finalize told as one error: the first of `errors` (REQUIRES: not empty),
// its message saying how many more there are, and its path.
struct FirstError {
  std::string message;
  std::string path;
};
FirstError FirstOf(const std::vector<AnswerError>& errors);

// A copy of `bytes` in malloc'd memory, NUL-terminated, for the caller to chosa_free; null when
// out of memory.
char* CopyOut(std::string_view bytes);
// Writes `bytes` to `*out` (and its size to `*out_size`, when not null); CHOSA_NO_MEMORY when it
// cannot.
chosa_code Give(std::string_view bytes, char** out, size_t* out_size, chosa_error* error);

// A C string argument: null is "".
inline std::string_view Arg(const char* text) { return text == nullptr ? std::string_view() : std::string_view(text); }

// Runs `body` (returning chosa_code) and turns any exception into an error.
template <typename Body>
chosa_code Guard(chosa_error* error, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(error, CHOSA_NO_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(error, CHOSA_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(error, CHOSA_INTERNAL, "internal error");
  }
}

}  // namespace chosa::capi

#endif  // CHOSA_PLATFORM_C_BOUNDARY_H_
