#include "chosa/sync_credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace chosa::sync {

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

}  // namespace

std::string CredentialsPathFor(const std::string& store_path) { return store_path + ".sync.json"; }

Status SaveCredentials(const std::string& path, const SyncCredentials& credentials) {
  nlohmann::ordered_json json;
  json["collector_url"] = credentials.collector_url;
  json["device_id"] = credentials.device_id;
  json["token"] = credentials.token;
  json["ca_file"] = credentials.tls.ca_file;
  json["pinned_public_keys"] = credentials.tls.pinned_public_keys;
  const std::string bytes = json.dump(2) + "\n";

  // The token must never be readable by others, not even for a moment: create 0600, then rename.
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(Errno("cannot write " + temporary));
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
  // The rename itself must survive a power loss.
  int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

Result<SyncCredentials> LoadCredentials(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::NotFound("no sync credentials at " + path + " (the device is not enrolled)");
    return Status::IOError(Errno("cannot read " + path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(Errno("cannot read " + path));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument(path + " is not a JSON object (the sync credentials file)");
  }
  SyncCredentials credentials;
  for (auto& [key, value] : json.items()) {
    const std::string pointer = "/" + key;
    std::string* text_field = nullptr;
    if (key == "collector_url") text_field = &credentials.collector_url;
    if (key == "device_id") text_field = &credentials.device_id;
    if (key == "token") text_field = &credentials.token;
    if (key == "ca_file") text_field = &credentials.tls.ca_file;
    if (text_field != nullptr) {
      if (!value.is_string()) return Status::InvalidArgument(path + ": \"" + key + "\" must be a string", pointer);
      *text_field = value.get<std::string>();
    } else if (key == "pinned_public_keys") {
      if (!value.is_array()) return Status::InvalidArgument(path + ": \"" + key + "\" must be an array", pointer);
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) {
          return Status::InvalidArgument(path + ": a pin must be a string", pointer + "/" + std::to_string(i));
        }
        credentials.tls.pinned_public_keys.push_back(value[i].get<std::string>());
      }
    } else {
      return Status::InvalidArgument(path + ": unknown field \"" + key + "\"", pointer);
    }
  }
  for (const char* required : {"collector_url", "device_id", "token"}) {
    if (!json.contains(required) || json[required].get<std::string>().empty()) {
      return Status::InvalidArgument(path + ": missing field \"" + std::string(required) + "\"");
    }
  }
  return credentials;
}

}  // namespace chosa::sync
