#include "c_api_sync_support.h"

#include <httplib.h>
#include <strings.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>

namespace chosa::capi_test {

using nlohmann::json;

std::string Take(char* buffer) {
  REQUIRE(buffer != nullptr);
  std::string text(buffer);
  chosa_free(buffer);
  return text;
}

json Instances(chosa_store* store, const char* state) {
  char* out = nullptr;
  Error error;
  INFO(error.message());
  REQUIRE(chosa_store_list_instances(store, state, &out, &error) == CHOSA_OK);
  return json::parse(Take(out));
}

std::vector<std::string> Uuids(chosa_store* store, const char* state) {
  std::vector<std::string> uuids;
  for (const json& instance : Instances(store, state)) uuids.push_back(instance["uuid"]);
  std::sort(uuids.begin(), uuids.end());
  return uuids;
}

std::string TryFillVisit(chosa_store* store, int age, std::string* uuid) {
  chosa_draft* draft = nullptr;
  Error error;
  if (chosa_draft_start(store, "visit_record", "staff-1", "en", &draft, &error) != CHOSA_OK) {
    return "chosa_draft_start: " + error.message();
  }
  const std::string age_text = std::to_string(age);
  const std::pair<const char*, const char*> answers[] = {{"age", age_text.c_str()},
                                                         {"adl_eat", "3"},
                                                         {"adl_bath", "2"},
                                                         {"visits[1]/visit_date", "2024-11-02"},
                                                         {"confirmed", "OK"}};
  std::string failed;
  for (const auto& [path, text] : answers) {
    if (chosa_draft_set_answer(draft, path, text, &error) != CHOSA_OK) {
      failed = std::string("chosa_draft_set_answer ") + path + ": " + error.message();
      break;
    }
  }
  char* out = nullptr;
  if (failed.empty()) {
    if (chosa_draft_finalize(draft, &out, &error) != CHOSA_OK) {
      failed = "chosa_draft_finalize: " + error.message();
    } else {
      if (uuid != nullptr) *uuid = out;
      chosa_free(out);
    }
  }
  chosa_draft_close(draft);
  return failed;
}

std::string FillVisit(chosa_store* store, int age) {
  std::string uuid;
  std::string failed = TryFillVisit(store, age, &uuid);
  INFO(failed);
  REQUIRE(failed.empty());
  REQUIRE(uuid.size() == 36);
  return uuid;
}

void Latch::Open() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
  }
  opened_.notify_all();
}

bool Latch::Wait(std::chrono::seconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  return opened_.wait_for(lock, limit, [this] { return open_; });
}

bool Latch::is_open() {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

Collector::Collector(bool with_checklist) : with_checklist_(with_checklist) {
  e2e::ToolRun published = process.Tool({"publish", kVisitRecord});
  INFO(published.out << e2e::ReadFile(process.dir() + "/tool.log"));
  REQUIRE(published.exit_status == 0);
  if (with_checklist) process.Publish({"coordinator_checklist"});
  process.Start();
}

std::string Collector::Code() {
  return with_checklist_ ? process.EnrolCode({"visit_record", "coordinator_checklist"})
                         : process.EnrolCode({"visit_record"});
}

size_t Collector::Requests() const { return e2e::CountOf(process.access_log(), "\n"); }

void Collector::RequireHolds(chosa_store* store, const std::vector<std::string>& uuids) const {
  std::map<std::string, std::string> expected;
  for (const std::string& uuid : uuids) {
    char* out = nullptr;
    size_t size = 0;
    Error error;
    INFO(uuid << ": " << error.message());
    REQUIRE(chosa_store_read_submission(store, uuid.c_str(), &out, &size, &error) == CHOSA_OK);
    expected[uuid] = std::string(out, size);
    chosa_free(out);
  }
  REQUIRE(expected.size() == uuids.size());
  e2e::RequireCollectorHolds(process.data_dir(), expected);
}

namespace {

void Say(char* message, size_t message_size, const std::string& text) {
  if (message == nullptr || message_size == 0) return;
  const size_t n = std::min(text.size(), message_size - 1);
  std::memcpy(message, text.data(), n);
  message[n] = '\0';
}

// "https://host:port/path" split; false when it is not such a URL.
bool SplitUrl(const std::string& url, std::string* host, int* port, std::string* path) {
  const std::string scheme = "https://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  const size_t slash = url.find('/', scheme.size());
  const std::string authority = url.substr(scheme.size(), slash - scheme.size());
  *path = slash == std::string::npos ? "/" : url.substr(slash);
  const size_t colon = authority.rfind(':');
  *host = authority.substr(0, colon);
  *port = colon == std::string::npos ? 443 : std::atoi(authority.c_str() + colon + 1);
  return !host->empty() && *port > 0;
}

}  // namespace

chosa_code HttplibSend(void* user_data, const chosa_http_request* request, chosa_http_response* response, char* message,
                       size_t message_size) {
  auto* stack = static_cast<HttplibStack*>(user_data);
  const int call = ++stack->calls;
  std::string host, path;
  int port = 0;
  if (!SplitUrl(request->url, &host, &port, &path)) {
    Say(message, message_size, std::string("not an https URL: ") + request->url);
    return CHOSA_INVALID_ARGUMENT;
  }
  const std::string method = request->method;
  if (method == "POST" && path.find("/submissions") != std::string::npos) ++stack->posts;
  {
    std::lock_guard<std::mutex> lock(stack->mutex);
    stack->requests.push_back(method + " " + path);
  }

  httplib::SSLClient client(host, port);
  client.set_ca_cert_path(stack->ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(false);
  const auto seconds = [](int64_t ms) { return static_cast<time_t>(ms / 1000); };
  const auto micros = [](int64_t ms) { return static_cast<time_t>((ms % 1000) * 1000); };
  client.set_connection_timeout(seconds(request->connect_timeout_ms), micros(request->connect_timeout_ms));
  client.set_read_timeout(seconds(request->request_timeout_ms), micros(request->request_timeout_ms));
  client.set_write_timeout(seconds(request->request_timeout_ms), micros(request->request_timeout_ms));

  httplib::Request req;
  req.method = method;
  req.path = path;
  for (size_t i = 0; i < request->header_count; ++i) {
    req.headers.emplace(request->header_names[i], request->header_values[i]);
  }
  if (request->body_size > 0) req.body.assign(reinterpret_cast<const char*>(request->body), request->body_size);
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  if (!client.send(req, res, error)) {
    Say(message, message_size, "cpp-httplib: " + httplib::to_string(error));
    return error == httplib::Error::SSLServerVerification ? CHOSA_PERMISSION_DENIED : CHOSA_UNAVAILABLE;
  }
  if (stack->after && !stack->after(*request, call, res.status)) {
    Say(message, message_size, "the connection was cut before the response arrived");
    return CHOSA_UNAVAILABLE;
  }
  chosa_http_response_set_status(response, res.status);
  for (const auto& [name, value] : res.headers) {
    // The body is handed over decoded: what said how it travelled no longer applies.
    if (strcasecmp(name.c_str(), "Content-Encoding") == 0 || strcasecmp(name.c_str(), "Content-Length") == 0 ||
        strcasecmp(name.c_str(), "Transfer-Encoding") == 0) {
      continue;
    }
    chosa_http_response_add_header(response, name.c_str(), value.c_str());
  }
  chosa_http_response_append_body(response, res.body.data(), res.body.size());
  return CHOSA_OK;
}

namespace {

chosa_code ReadSecret(MemorySecrets* s, const char* name, chosa_secret* secret) {
  s->reads++;
  std::lock_guard<std::mutex> lock(s->mutex);
  auto found = s->secrets.find(name);
  if (found == s->secrets.end()) return CHOSA_NOT_FOUND;
  return chosa_secret_set(secret, found->second.data(), found->second.size());
}

chosa_code WriteSecret(MemorySecrets* s, const char* name, const uint8_t* data, size_t size) {
  s->writes++;
  std::lock_guard<std::mutex> lock(s->mutex);
  s->secrets[name].assign(reinterpret_cast<const char*>(data), size);
  return CHOSA_OK;
}

chosa_code EraseSecret(MemorySecrets* s, const char* name) {
  s->erases++;
  std::lock_guard<std::mutex> lock(s->mutex);
  s->secrets.erase(name);
  return CHOSA_OK;
}

MemorySecrets* SecretsOf(void* user_data) { return static_cast<MemorySecrets*>(user_data); }
MemorySecrets* AppSecretsOf(void* user_data) { return &static_cast<AppHooks*>(user_data)->secrets; }

}  // namespace

void UseMemorySecrets(chosa_platform* platform, MemorySecrets* secrets) {
  platform->user_data = secrets;
  platform->free_user_data = [](void* user_data) { SecretsOf(user_data)->frees++; };
  platform->secret_read = [](void* user_data, const char* name, chosa_secret* secret) {
    return ReadSecret(SecretsOf(user_data), name, secret);
  };
  platform->secret_write = [](void* user_data, const char* name, const uint8_t* data, size_t size) {
    return WriteSecret(SecretsOf(user_data), name, data, size);
  };
  platform->secret_erase = [](void* user_data, const char* name) { return EraseSecret(SecretsOf(user_data), name); };
}

chosa_platform AppPlatform(AppHooks* app) {
  chosa_platform p{};
  p.struct_size = sizeof p;
  p.user_data = app;
  p.free_user_data = [](void* user_data) { static_cast<AppHooks*>(user_data)->frees++; };
  p.network_available = [](void* user_data) -> int32_t { return static_cast<AppHooks*>(user_data)->network.load(); };
  p.http_send = [](void* user_data, const chosa_http_request* request, chosa_http_response* response, char* message,
                   size_t message_size) {
    return HttplibSend(&static_cast<AppHooks*>(user_data)->http, request, response, message, message_size);
  };
  p.secret_read = [](void* user_data, const char* name, chosa_secret* secret) {
    return ReadSecret(AppSecretsOf(user_data), name, secret);
  };
  p.secret_write = [](void* user_data, const char* name, const uint8_t* data, size_t size) {
    return WriteSecret(AppSecretsOf(user_data), name, data, size);
  };
  p.secret_erase = [](void* user_data, const char* name) { return EraseSecret(AppSecretsOf(user_data), name); };
  return p;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace chosa::capi_test
