// SecretStore::Default(): each secret a file of its own, 0600 from its first byte, replaced
// atomically through a uniquely named temporary file (two writers of one name never share one).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "chosa/secret_store.h"

namespace chosa {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool WriteAll(int fd, const std::string& bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

class FileSecretStore final : public SecretStore {
 public:
  Result<std::string> Read(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound("no secret at " + path);
      return Status::IOError(Errno("cannot read " + path));
    }
    std::string bytes;
    char buffer[4096];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status status = Status::IOError(Errno("cannot read " + path));
        ::close(fd);
        return status;
      }
      if (n == 0) break;
      bytes.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return bytes;
  }

  Status Write(const std::string& path, const std::string& bytes) override {
    // mkstemp creates the file 0600 with a name no other writer uses.
    std::string temporary = path + ".XXXXXX";
    int fd = ::mkstemp(temporary.data());
    if (fd < 0) return Status::IOError(Errno("cannot write beside " + path));
    bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, bytes) && ::fsync(fd) == 0;
    std::string failure = ok ? "" : Errno("cannot write " + temporary);
    if (::close(fd) != 0 && ok) {
      ok = false;
      failure = Errno("cannot write " + temporary);
    }
    if (!ok) {
      ::unlink(temporary.c_str());
      return Status::IOError(failure);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
      Status status = Status::IOError(Errno("cannot replace " + path));
      ::unlink(temporary.c_str());
      return status;
    }
    SyncDirectory(path);  // the rename itself must survive a power loss
    return Status::Ok();
  }

  Status Erase(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Status::IOError(Errno("cannot delete " + path));
    SyncDirectory(path);
    return Status::Ok();
  }

 private:
  static void SyncDirectory(const std::string& path) {
    int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
};

}  // namespace

SecretStore* SecretStore::Default() {
  static FileSecretStore* files = new FileSecretStore();  // never destroyed: used until exit
  return files;
}

}  // namespace chosa
