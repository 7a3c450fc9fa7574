#include "access_log.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "chosa/engine/datetime.h"
#include "chosa/base/private_file.h"

namespace chosa::collector {

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  if (path.empty()) return std::unique_ptr<AccessLog>();
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(stderr, false));
  std::FILE* out = OpenPrivateFile(path, "a");  // device ids and addresses: the owner's only
  if (out == nullptr) return Status::IOError("cannot open the access log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<AccessLog>(new AccessLog(out, true));
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(out_);
}

std::string AccessLogLine(const AccessRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = FormatIsoDateTime(static_cast<double>(r.time_ms), 0);
  j["device"] = r.device;
  j["remote"] = r.remote;
  j["method"] = r.method;
  j["route"] = r.route;
  j["status"] = r.status;
  j["bytes_in"] = r.bytes_in;
  j["bytes_out"] = r.bytes_out;
  j["ms"] = std::round(r.ms * 100) / 100;
  if (!r.error.empty()) j["error"] = r.error;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AccessLog::Write(const AccessRecord& record) {
  const std::string line = AccessLogLine(record) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);  // a line per request, readable at once by tail -f and log shippers
}

}  // namespace chosa::collector
