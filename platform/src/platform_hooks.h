// An app's chosa_platform as the C++ seams the engine and the sync client take: an Env (clock,
// zone, random bytes, log, connectivity), a SecretStore and an HttpTransport factory. Each hook
// the app left NULL falls back to the POSIX default (Env::Default(), SecretStore::Default(),
// libcurl). The Hooks own the app's user_data and call its free function when destroyed.
#ifndef CHOSA_PLATFORM_PLATFORM_HOOKS_H_
#define CHOSA_PLATFORM_PLATFORM_HOOKS_H_

#include <memory>
#include <string>

#include "chosa/chosa.h"
#include "chosa/env.h"
#include "chosa/http_transport.h"
#include "chosa/secret_store.h"
#include "chosa/status.h"

namespace chosa::capi {

class Hooks final : public Env, public SecretStore {
 public:
  // Copies `platform` (null: every default); a struct_size below the members an app's header
  // knew leaves the later ones NULL. kInvalidArgument for a struct_size that is not one.
  static Result<std::unique_ptr<Hooks>> Make(const chosa_platform* platform);
  ~Hooks() override;
  Hooks(const Hooks&) = delete;
  Hooks& operator=(const Hooks&) = delete;

  // Env
  int64_t NowMillis() override;
  int UtcOffsetMinutes(int64_t utc_millis) override;
  void RandomBytes(uint8_t* out, size_t size) override;
  void Log(LogLevel level, std::string_view message) override;
  bool NetworkAvailable() override;

  // SecretStore
  Result<std::string> Read(const std::string& name) override;
  Status Write(const std::string& name, const std::string& bytes) override;
  Status Erase(const std::string& name) override;

  // The transport to `collector_url`: the app's http_send, else libcurl with `tls`.
  Result<std::unique_ptr<sync::HttpTransport>> Transport(const std::string& collector_url,
                                                         const sync::TlsOptions& tls);

 private:
  explicit Hooks(const chosa_platform& platform) : p_(platform) {}
  chosa_platform p_;
};

}  // namespace chosa::capi

// What an app's http_send fills (chosa.h).
struct chosa_http_response {
  chosa::sync::HttpResponse* response;
};

// What an app's secret_read fills (chosa.h).
struct chosa_secret {
  std::string* bytes;
  bool set = false;
};

#endif  // CHOSA_PLATFORM_PLATFORM_HOOKS_H_
