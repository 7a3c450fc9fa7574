#include "chosa/collector/server_config.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "chosa/base/json_reader.h"

namespace chosa::collector {

namespace {

Status ParseWhole(std::string_view key, std::string_view text, int64_t min, int64_t max, int64_t* out) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument(std::string(key) + " must be a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", not \"" + std::string(text) + "\"");
  }
  *out = value;
  return Status::Ok();
}

Status ParseNumber(std::string_view key, std::string_view text, double* out) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= 0)) {
    return Status::InvalidArgument(std::string(key) + " must be a number >= 0, not \"" + std::string(text) + "\"");
  }
  *out = value;
  return Status::Ok();
}

// Every setting: how a text value sets it.
using Setter = std::function<Status(std::string_view key, std::string_view value, CollectorConfig*)>;

Setter Whole(int64_t min, int64_t max, std::function<void(CollectorConfig*, int64_t)> set) {
  return [min, max, set](std::string_view key, std::string_view value, CollectorConfig* c) {
    int64_t n = 0;
    Status s = ParseWhole(key, value, min, max, &n);
    if (s.ok()) set(c, n);
    return s;
  };
}

Setter Text(std::function<void(CollectorConfig*, std::string)> set) {
  return [set](std::string_view, std::string_view value, CollectorConfig* c) {
    set(c, std::string(value));
    return Status::Ok();
  };
}

Setter Number(std::function<void(CollectorConfig*, double)> set) {
  return [set](std::string_view key, std::string_view value, CollectorConfig* c) {
    double n = 0;
    Status s = ParseNumber(key, value, &n);
    if (s.ok()) set(c, n);
    return s;
  };
}

const std::map<std::string, Setter, std::less<>>& Settings() {
  static const auto* settings = new std::map<std::string, Setter, std::less<>>{
      {"listen",
       [](std::string_view key, std::string_view value, CollectorConfig* c) {
         const size_t colon = value.rfind(':');
         if (colon == std::string_view::npos || colon == 0) {
           return Status::InvalidArgument(std::string(key) + " is HOST:PORT, e.g. 0.0.0.0:8443");
         }
         int64_t port;
         Status s = ParseWhole(key, value.substr(colon + 1), 0, 65535, &port);
         if (!s.ok()) return s;
         c->server.host = std::string(value.substr(0, colon));
         c->server.port = static_cast<int>(port);
         return Status::Ok();
       }},
      {"cert", Text([](CollectorConfig* c, std::string v) { c->server.cert_file = std::move(v); })},
      {"key", Text([](CollectorConfig* c, std::string v) { c->server.key_file = std::move(v); })},
      {"data", Text([](CollectorConfig* c, std::string v) { c->data_dir = std::move(v); })},
      {"access_log", Text([](CollectorConfig* c, std::string v) { c->server.access_log = std::move(v); })},
      {"threads", Whole(1, 1024, [](CollectorConfig* c, int64_t n) { c->server.worker_threads = static_cast<int>(n); })},
      {"keep_alive_requests",
       Whole(1, 1000000, [](CollectorConfig* c, int64_t n) { c->server.keep_alive_max_requests = static_cast<size_t>(n); })},
      {"keep_alive_seconds",
       Whole(1, 3600, [](CollectorConfig* c, int64_t n) { c->server.keep_alive_timeout_seconds = static_cast<int>(n); })},
      {"write_timeout_seconds",
       Whole(1, 3600, [](CollectorConfig* c, int64_t n) { c->server.write_timeout_seconds = static_cast<int>(n); })},
      {"io_threads", Whole(1, 64, [](CollectorConfig* c, int64_t n) { c->server.io_threads = static_cast<int>(n); })},
      {"listen_backlog",
       Whole(1, 65535, [](CollectorConfig* c, int64_t n) { c->server.listen_backlog = static_cast<int>(n); })},
      {"handshake_timeout_seconds",
       Whole(1, 3600, [](CollectorConfig* c, int64_t n) { c->server.handshake_timeout_seconds = static_cast<int>(n); })},
      {"header_timeout_seconds",
       Whole(1, 3600, [](CollectorConfig* c, int64_t n) { c->server.header_timeout_seconds = static_cast<int>(n); })},
      {"body_grace_seconds",
       Whole(0, 3600, [](CollectorConfig* c, int64_t n) { c->server.body_grace_seconds = static_cast<int>(n); })},
      {"body_min_bytes_per_second", Whole(1, int64_t{1} << 30, [](CollectorConfig* c, int64_t n) {
         c->server.body_min_bytes_per_second = static_cast<uint64_t>(n);
       })},
      {"max_unfinished_per_address", Whole(1, 1000000, [](CollectorConfig* c, int64_t n) {
         c->server.max_unfinished_per_address = static_cast<size_t>(n);
       })},
      {"max_unfinished_connections", Whole(1, 1000000, [](CollectorConfig* c, int64_t n) {
         c->server.max_unfinished_connections = static_cast<size_t>(n);
       })},
      {"trusted_proxy", [](std::string_view key, std::string_view value, CollectorConfig* c) {
         // One address, or several separated by commas; given again, they add up.
         size_t at = 0;
         while (at <= value.size()) {
           const size_t comma = std::min(value.find(',', at), value.size());
           const std::string_view one = value.substr(at, comma - at);
           if (one.empty() || one.find_first_not_of("0123456789abcdefABCDEF.:") != std::string_view::npos) {
             return Status::InvalidArgument(std::string(key) + " is an IP address (or several, with commas), not \"" +
                                            std::string(value) + "\"");
           }
           c->server.trusted_proxies.emplace_back(one);
           at = comma + 1;
         }
         return Status::Ok();
       }},
      {"enrol_rate_per_second", Number([](CollectorConfig* c, double n) { c->server.enrol_requests_per_second = n; })},
      {"enrol_burst", Number([](CollectorConfig* c, double n) { c->server.enrol_burst = n; })},
      {"rate_per_second", Number([](CollectorConfig* c, double n) { c->server.device_requests_per_second = n; })},
      {"rate_burst", Number([](CollectorConfig* c, double n) { c->server.device_request_burst = n; })},
      {"max_body_bytes", Whole(1024, int64_t{1} << 34, [](CollectorConfig* c, int64_t n) {
         c->server.limits.max_body_bytes = static_cast<size_t>(n);
       })},
      {"max_decompressed_bytes", Whole(1024, int64_t{1} << 34, [](CollectorConfig* c, int64_t n) {
         c->server.limits.max_decompressed_bytes = static_cast<size_t>(n);
       })},
      {"max_batch_items",
       Whole(1, 100000, [](CollectorConfig* c, int64_t n) { c->server.limits.max_batch_items = static_cast<size_t>(n); })},
      {"max_submission_bytes", Whole(1024, int64_t{1} << 30, [](CollectorConfig* c, int64_t n) {
         c->server.limits.max_submission_bytes = static_cast<size_t>(n);
       })},
      // 0 keeps nothing more in quarantine: every rejected line is refused as quarantine_full.
      {"quarantine_device_bytes",
       Whole(0, int64_t{1} << 40, [](CollectorConfig* c, int64_t n) { c->quarantine.device_bytes = n; })},
      {"quarantine_form_bytes",
       Whole(0, int64_t{1} << 40, [](CollectorConfig* c, int64_t n) { c->quarantine.form_bytes = n; })},
  };
  return *settings;
}

}  // namespace

Status ApplySetting(std::string_view key, std::string_view value, CollectorConfig* config) {
  const auto& settings = Settings();
  auto it = settings.find(key);
  if (it == settings.end()) return Status::InvalidArgument("unknown setting \"" + std::string(key) + "\"");
  return it->second(key, value, config);
}

Status ApplyConfigJson(std::string_view json, CollectorConfig* config) {
  JsonDocument document;
  Status parsed = document.Parse(json);
  if (!parsed.ok()) return parsed;
  simdjson::dom::object object;
  if (document.root().get_object().get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("a configuration is a JSON object of settings");
  }
  for (auto field : object) {
    const std::string pointer = PointerAppend("", field.key);
    std::string text;
    std::string_view string_value;
    if (field.value.get_string().get(string_value) == simdjson::SUCCESS) {
      text = std::string(string_value);
    } else if (field.value.is_number()) {
      text = simdjson::minify(field.value);
    } else {
      return Status::InvalidArgument("a setting is a string or a number", pointer);
    }
    Status applied = ApplySetting(field.key, text, config);
    if (!applied.ok()) return Status::InvalidArgument(applied.message(), pointer);
  }
  return Status::Ok();
}

}  // namespace chosa::collector
