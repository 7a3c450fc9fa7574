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

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Clears the group and other bits of the regular file or directory `path` has: by its path,
// never through a descriptor of its own. Closing any descriptor of a file drops every POSIX lock
// this process holds on it, and SQLite's locks on a database this process has open are such locks.
Status Tighten(const std::string& path, const struct stat& info) {
  if (!(S_ISREG(info.st_mode) || S_ISDIR(info.st_mode)) || (info.st_mode & kLoose) == 0) return Status::Ok();
  if (::chmod(path.c_str(), info.st_mode & 07700) != 0) {
    return Errno("cannot make " + path + " readable by its owner only", errno);
  }
  return Status::Ok();
}

}  // namespace

Status PreparePrivateFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    // A device, a pipe or a terminal (an access log to /dev/stderr) is not ours to change.
    return S_ISREG(info.st_mode) ? Tighten(path, info) : Status::Ok();
  }
  // O_EXCL with 0600: the file is born private whatever the umask (the umask only takes bits off).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) return PreparePrivateFile(path);  // made meanwhile
    return Errno("cannot create " + path, errno);
  }
  ::close(fd);
  return Status::Ok();
}

std::FILE* OpenPrivateFile(const std::string& path, const char* mode) {
  if (!PreparePrivateFile(path).ok()) return nullptr;
  return std::fopen(path.c_str(), mode);
}

Status TightenIfPresent(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return errno == ENOENT ? Status::Ok() : Errno("cannot read " + path, errno);
  return Tighten(path, info);
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
