// Where a device keeps its secrets (the sync credentials with the device's bearer token): a
// small named blob, read and replaced whole. SecretStore::Default() keeps each secret in a file
// named by the secret's name (a path), created 0600 and replaced atomically (a temporary file
// beside it, fsync, rename, fsync of the directory), so that the token is never readable by
// others, not even for a moment, and a crash leaves the old or the new secret, never half of one.
// A tablet app gives its platform's key store instead (Android Keystore, iOS Keychain) through
// the C API's hooks.
//
// Thread safety: implementations must be safe for concurrent use; the default is (each write
// goes through its own temporary file). Ownership: Default() is owned by the process and never
// destroyed; whoever takes a SecretStore* borrows it.
#ifndef CHOSA_SECRET_STORE_H_
#define CHOSA_SECRET_STORE_H_

#include <string>

#include "chosa/status.h"

namespace chosa {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // The secret's bytes; kNotFound when there is none.
  virtual Result<std::string> Read(const std::string& name) = 0;
  // Keeps `bytes` durably under `name`, replacing what was there.
  virtual Status Write(const std::string& name, const std::string& bytes) = 0;
  // Forgets the secret (OK when there was none).
  virtual Status Erase(const std::string& name) = 0;

  // The files of this POSIX system: `name` is the file's path.
  static SecretStore* Default();
};

}  // namespace chosa

#endif  // CHOSA_SECRET_STORE_H_
