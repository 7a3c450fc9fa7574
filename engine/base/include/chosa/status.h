// Errors as values, in the manner of LevelDB's Status: every fallible call in chosa returns a
// Status (or a Result<T>) and no exception crosses a public API.
//
// A Status carries a code, a human-readable message and, where it applies, the JSON Pointer of
// the fault (RFC 6901) and a 1-based column inside an expression or a line of text.
//
// Thread safety: a Status and a Result are plain values; distinct objects may be used from
// distinct threads, one object from several only to read it.
// Ownership: both own what they hold (strings copied in); value() and the references it returns
// live as long as the Result.
#ifndef CHOSA_STATUS_H_
#define CHOSA_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace chosa {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller passed something malformed (a form, an answer, a request)
  kNotFound,
  kCorruption,       // stored data is damaged
  kIOError,
  kUnsupported,      // well-formed, but outside what this version offers
  kInternal,
  kAlreadyExists,     // creating what exists and may not change (a published form version)
  kUnauthenticated,   // no valid credentials (a missing, unknown or revoked token)
  kPermissionDenied,  // valid credentials, not allowed (a device pushing a form not assigned to it)
  kUnavailable,       // try again later (a server busy, rate limited or shutting down)
};

// The stable lower-case name of a code ("invalid_argument"), for logs, debugging and tests. Nothing
// sends it on the wire: the protocol's error bodies carry a message and a JSON Pointer
// ({"error", "pointer"}) with an HTTP status, not a code name. Only a test calls it today.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::string pointer = {}, int column = 0) {
    return Status(StatusCode::kInvalidArgument, std::move(message), std::move(pointer), column);
  }
  static Status NotFound(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
  static Status Corruption(std::string message) { return Status(StatusCode::kCorruption, std::move(message)); }
  static Status IOError(std::string message) { return Status(StatusCode::kIOError, std::move(message)); }
  static Status Unsupported(std::string message) { return Status(StatusCode::kUnsupported, std::move(message)); }
  static Status Internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }
  static Status AlreadyExists(std::string message) { return Status(StatusCode::kAlreadyExists, std::move(message)); }
  static Status Unauthenticated(std::string message) {
    return Status(StatusCode::kUnauthenticated, std::move(message));
  }
  static Status PermissionDenied(std::string message) {
    return Status(StatusCode::kPermissionDenied, std::move(message));
  }
  static Status Unavailable(std::string message) { return Status(StatusCode::kUnavailable, std::move(message)); }

  Status(StatusCode code, std::string message, std::string pointer = {}, int column = 0)
      : code_(code), message_(std::move(message)), pointer_(std::move(pointer)), column_(column) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // JSON Pointer of the fault ("" = the whole document or not applicable).
  const std::string& pointer() const { return pointer_; }
  // 1-based column inside the expression (or line of text) at `pointer`; 0 = not applicable.
  int column() const { return column_; }

  // "/items/3/relevant: col 14: unknown name ${wrd}"; "OK" for success.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string pointer_;
  int column_ = 0;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}             // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}     // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

// Drops a Status (or a Result) on purpose, where ignoring it is right: a ROLLBACK after a failure
// that is being reported, a best-effort cleanup. `why` says why, for the reader; it is not used.
// Status and Result are [[nodiscard]]: every other ignored one is a warning.
inline void IgnoreError(const Status& /*status*/, const char* /*why*/) {}
template <typename T>
inline void IgnoreError(const Result<T>& /*result*/, const char* /*why*/) {}

}  // namespace chosa

#endif  // CHOSA_STATUS_H_
