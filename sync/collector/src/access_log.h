// The structured access log: one JSON object per request and line (time, device, method,
// route, status, bytes in and out, milliseconds), for the bureau's log tooling.
#ifndef CHOSA_SYNC_COLLECTOR_ACCESS_LOG_H_
#define CHOSA_SYNC_COLLECTOR_ACCESS_LOG_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "chosa/status.h"

namespace chosa::collector {

struct AccessRecord {
  int64_t time_ms = 0;     // when the request arrived, ms since the epoch
  std::string device;      // device id or analyst name; "" before authentication
  std::string remote;      // client address
  std::string method;
  std::string route;       // the path
  int status = 0;
  uint64_t bytes_in = 0;   // request body as received
  uint64_t bytes_out = 0;  // response body
  double ms = 0;           // time to handle it
  std::string error;       // the error message of a 4xx/5xx
};

class AccessLog {
 public:
  // "-": standard error; otherwise a file appended to. "": no log.
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& path);
  ~AccessLog();
  void Write(const AccessRecord& record);

 private:
  explicit AccessLog(std::FILE* out, bool owned) : out_(out), owned_(owned) {}
  std::mutex mutex_;
  std::FILE* out_;
  bool owned_;
};

// The record as its log line (without the newline).
std::string AccessLogLine(const AccessRecord& record);

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_ACCESS_LOG_H_
