// The app's platform hooks behind the engine's seams (platform_hooks.h).
#include "platform_hooks.h"

#include <cstddef>
#include <cstring>
#include <vector>

namespace chosa::capi {
namespace {

// The transport over an app's http_send: one request at a time, the collector's URL in front of
// each path. What the app's stack verifies of TLS is the app's duty (docs/c-api.md).
class HookTransport final : public sync::HttpTransport {
 public:
  HookTransport(const chosa_platform& p, std::string base_url) : p_(p), base_url_(std::move(base_url)) {}

  Status Send(const sync::HttpRequest& request, sync::HttpResponse* response) override {
    const std::string url = base_url_ + request.path;
    std::vector<const char*> names, values;
    for (const sync::HttpHeader& h : request.headers) {
      names.push_back(h.name.c_str());
      values.push_back(h.value.c_str());
    }
    chosa_http_request c{};
    c.method = request.method.c_str();
    c.url = url.c_str();
    c.header_count = names.size();
    c.header_names = names.data();
    c.header_values = values.data();
    c.body = reinterpret_cast<const uint8_t*>(request.body.data());
    c.body_size = request.body.size();
    sync::TransportOptions defaults;
    c.connect_timeout_ms = defaults.connect_timeout_ms;
    c.request_timeout_ms = defaults.request_timeout_ms;
    *response = sync::HttpResponse();
    chosa_http_response filled{response};
    char message[512] = {0};
    chosa_code code = p_.http_send(p_.user_data, &c, &filled, message, sizeof message);
    message[sizeof message - 1] = '\0';
    std::string why = message[0] != '\0' ? std::string(message) : "the app's HTTP stack gave no response";
    switch (code) {
      case CHOSA_OK:
        if (response->status < 100 || response->status > 599) {
          return Status::Unavailable("the app's HTTP stack returned no valid status (" +
                                     std::to_string(response->status) + ")");
        }
        return Status::Ok();
      case CHOSA_PERMISSION_DENIED: return Status::PermissionDenied(why);
      case CHOSA_INVALID_ARGUMENT: return Status::InvalidArgument(why);
      default: return Status::Unavailable(why);
    }
  }

 private:
  const chosa_platform& p_;  // the Hooks' copy, which outlives every transport it makes
  std::string base_url_;
};

}  // namespace

Result<std::unique_ptr<Hooks>> Hooks::Make(const chosa_platform* platform) {
  chosa_platform copy{};
  if (platform != nullptr) {
    const size_t known = platform->struct_size;
    if (known < offsetof(chosa_platform, user_data) + sizeof(void*)) {
      return Status::InvalidArgument("chosa_platform.struct_size is " + std::to_string(known) +
                                     ": set it to sizeof(chosa_platform)");
    }
    std::memcpy(&copy, platform, known < sizeof copy ? known : sizeof copy);
  }
  copy.struct_size = sizeof copy;
  return std::unique_ptr<Hooks>(new Hooks(copy));
}

Hooks::~Hooks() {
  if (p_.free_user_data != nullptr) p_.free_user_data(p_.user_data);
}

int64_t Hooks::NowMillis() {
  return p_.now_millis != nullptr ? p_.now_millis(p_.user_data) : Env::Default()->NowMillis();
}

int Hooks::UtcOffsetMinutes(int64_t utc_millis) {
  return p_.utc_offset_minutes != nullptr ? p_.utc_offset_minutes(p_.user_data, utc_millis)
                                          : Env::Default()->UtcOffsetMinutes(utc_millis);
}

void Hooks::RandomBytes(uint8_t* out, size_t size) {
  if (p_.random_bytes != nullptr) {
    p_.random_bytes(p_.user_data, out, size);
  } else {
    Env::Default()->RandomBytes(out, size);
  }
}

void Hooks::Log(LogLevel level, std::string_view message) {
  if (p_.log == nullptr) return Env::Default()->Log(level, message);
  const std::string line(message);
  p_.log(p_.user_data, static_cast<int32_t>(level), line.c_str());
}

bool Hooks::NetworkAvailable() {
  return p_.network_available != nullptr ? p_.network_available(p_.user_data) != 0 : true;
}

Result<std::string> Hooks::Read(const std::string& name) {
  if (p_.secret_read == nullptr) return SecretStore::Default()->Read(name);
  std::string bytes;
  chosa_secret secret{&bytes};
  chosa_code code = p_.secret_read(p_.user_data, name.c_str(), &secret);
  if (code == CHOSA_NOT_FOUND) return Status::NotFound("no secret " + name);
  if (code != CHOSA_OK) return Status::IOError("the app's secret store could not read " + name);
  if (!secret.set) return Status::IOError("the app's secret_read returned CHOSA_OK without chosa_secret_set");
  return bytes;
}

Status Hooks::Write(const std::string& name, const std::string& bytes) {
  if (p_.secret_write == nullptr) return SecretStore::Default()->Write(name, bytes);
  chosa_code code =
      p_.secret_write(p_.user_data, name.c_str(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return code == CHOSA_OK ? Status::Ok() : Status::IOError("the app's secret store could not keep " + name);
}

Status Hooks::Erase(const std::string& name) {
  if (p_.secret_erase == nullptr) return SecretStore::Default()->Erase(name);
  return p_.secret_erase(p_.user_data, name.c_str()) == CHOSA_OK
             ? Status::Ok()
             : Status::IOError("the app's secret store could not forget " + name);
}

Result<std::unique_ptr<sync::HttpTransport>> Hooks::Transport(const std::string& collector_url,
                                                              const sync::TlsOptions& tls) {
  if (p_.http_send == nullptr) {
    sync::TransportOptions options;
    options.tls = tls;
    return sync::MakeCurlTransport(collector_url, options);
  }
  if (collector_url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("the collector's URL must start with https://: " + collector_url);
  }
  return std::unique_ptr<sync::HttpTransport>(new HookTransport(p_, collector_url));
}

}  // namespace chosa::capi


extern "C" {

chosa_code chosa_http_response_set_status(chosa_http_response* response, int32_t status) {
  if (response == nullptr || response->response == nullptr) return CHOSA_MISUSE;
  response->response->status = status;
  return CHOSA_OK;
}

chosa_code chosa_http_response_add_header(chosa_http_response* response, const char* name, const char* value) {
  if (response == nullptr || response->response == nullptr || name == nullptr) return CHOSA_MISUSE;
  try {
    response->response->headers.push_back({name, value == nullptr ? "" : value});
  } catch (...) {
    return CHOSA_NO_MEMORY;
  }
  return CHOSA_OK;
}

chosa_code chosa_http_response_append_body(chosa_http_response* response, const void* data, size_t size) {
  if (response == nullptr || response->response == nullptr || (data == nullptr && size > 0)) return CHOSA_MISUSE;
  try {
    response->response->body.append(static_cast<const char*>(data), size);
  } catch (...) {
    return CHOSA_NO_MEMORY;
  }
  return CHOSA_OK;
}

chosa_code chosa_secret_set(chosa_secret* secret, const void* data, size_t size) {
  if (secret == nullptr || secret->bytes == nullptr || (data == nullptr && size > 0)) return CHOSA_MISUSE;
  try {
    secret->bytes->assign(static_cast<const char*>(data), size);
    secret->set = true;
  } catch (...) {
    return CHOSA_NO_MEMORY;
  }
  return CHOSA_OK;
}

}  // extern "C"
