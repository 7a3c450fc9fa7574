// What a device keeps after enrolment to sync later: the collector's URL, whom to trust there,
// and the device's id and bearer token. The command-line tool keeps them in a small JSON file
// beside the device store (CredentialsPathFor); an app may keep them in its platform's key store
// instead and build a SyncCredentials itself.
//
// The file (mode 0600, written atomically: a temporary file, fsync, rename):
//   {"collector_url": "https://collector.example.jp", "device_id": "dev-…", "token": "…",
//    "ca_file": "/etc/chosa/bureau-ca.pem", "pinned_public_keys": ["sha256//…", "sha256//…"]}
// "ca_file" is "" for the system trust store; "pinned_public_keys" is [] for no pinning.
//
// Thread safety: the functions may run on any thread, concurrently (each write of a file goes
// through a temporary file of its own). Ownership: SyncCredentials is a plain
// value; nothing is kept between calls.
#ifndef CHOSA_SYNC_CREDENTIALS_H_
#define CHOSA_SYNC_CREDENTIALS_H_

#include <string>
#include <string_view>

#include "chosa/http_transport.h"
#include "chosa/secret_store.h"
#include "chosa/status.h"

namespace chosa::sync {

struct SyncCredentials {
  std::string collector_url;  // "https://collector.example.jp"
  std::string device_id;      // given by the collector at enrolment
  std::string token;          // the device's bearer token: a secret
  TlsOptions tls;             // the CA file (absolute path) and pins used for this collector
};

// "<store path>.sync.json": the credentials of the device store at `store_path`.
std::string CredentialsPathFor(const std::string& store_path);

// The file's bytes for `credentials`, and back: DecodeCredentials returns kInvalidArgument (with
// the JSON Pointer, and `origin` naming where the bytes came from) when they are malformed or
// have unknown fields.
std::string EncodeCredentials(const SyncCredentials& credentials);
Result<SyncCredentials> DecodeCredentials(std::string_view bytes, const std::string& origin);

// Keeps `credentials` as the secret `name` of `secrets` (an app's key store, or files).
Status SaveCredentials(SecretStore& secrets, const std::string& name, const SyncCredentials& credentials);
// Reads the secret `name`: kNotFound when there is none (the device is not enrolled).
Result<SyncCredentials> LoadCredentials(SecretStore& secrets, const std::string& name);

// The same with files (SecretStore::Default()): writes `path` readable by its owner only,
// replacing it atomically; reads it back.
Status SaveCredentials(const std::string& path, const SyncCredentials& credentials);
Result<SyncCredentials> LoadCredentials(const std::string& path);

}  // namespace chosa::sync

#endif  // CHOSA_SYNC_CREDENTIALS_H_
