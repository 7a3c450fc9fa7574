// Private files and directories (chosa/base/private_file.h).
#include "chosa/base/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace chosa {
namespace {

constexpr mode_t kLoose = S_IRWXG | S_IRWXO;

Status Errno(const std::string& what, int error) { return Status::IOError(what + ": " + std::strerror(error)); }

// Clears the group and other bits of an open regular file or directory when it has any.
bool TightenFd(int fd) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return false;
  if (!(S_ISREG(info.st_mode) || S_ISDIR(info.st_mode)) || (info.st_mode & kLoose) == 0) return true;
  return ::fchmod(fd, info.st_mode & 07700) == 0;
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status PreparePrivateFile(const std::string& path) {
  // A device, a pipe or a terminal (an access log to /dev/stderr) is not ours to change.
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) return Status::Ok();
  // O_CREAT with 0600 gives at most 0600 whatever the umask; an existing file keeps its mode,
  // so it is tightened through the same descriptor (no window between a check and a chmod).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return Errno("cannot create " + path, errno);
  const bool tightened = TightenFd(fd);
  const int error = errno;
  ::close(fd);
  if (!tightened) return Errno("cannot make " + path + " readable by its owner only", error);
  return Status::Ok();
}

std::FILE* OpenPrivateFile(const std::string& path, const char* mode) {
  if (!PreparePrivateFile(path).ok()) return nullptr;
  return std::fopen(path.c_str(), mode);
}

Status TightenIfPresent(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : Errno("cannot open " + path, errno);
  const bool tightened = TightenFd(fd);
  const int error = errno;
  ::close(fd);
  if (!tightened) return Errno("cannot make " + path + " readable by its owner only", error);
  return Status::Ok();
}

Status CreatePrivateDirectories(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat info;
  if (::stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) return Status::InvalidArgument(dir + " exists and is not a directory");
    return Status::Ok();
  }
  const std::string parent = Parent(dir);
  if (parent != dir) {
    Status made = CreatePrivateDirectories(parent);
    if (!made.ok()) return made;
  }
  if (::mkdir(dir.c_str(), S_IRWXU) != 0) {
    if (errno == EEXIST) return CreatePrivateDirectories(dir);  // made meanwhile
    return Errno("cannot create the directory " + dir, errno);
  }
  // mkdir's mode passes through the umask: an unusual one (0277) could leave it unusable.
  if (::chmod(dir.c_str(), S_IRWXU) != 0) return Errno("cannot set the mode of " + dir, errno);
  return Status::Ok();
}

}  // namespace chosa
