// The acknowledged position's file (acknowledged_record.h): two slots of kSlotBytes, each one
// line of text an operator can read with cat:
//   chosa-acknowledged generation=G position=P count=C check=XXXXXXXXXXXXXXXX
// padded with spaces to the slot's size; `check` is FNV-1a 64 of the line before " check=".
#include "acknowledged_record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

namespace chosa::collector {
namespace {

constexpr size_t kSlotBytes = 128;

uint64_t Fnv1a(const char* data, size_t size) {
  uint64_t hash = 14695981039346656037ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string FormatSlot(uint64_t generation, const Acknowledged& record) {
  char line[kSlotBytes];
  const int body = std::snprintf(line, sizeof line, "chosa-acknowledged generation=%" PRIu64 " position=%" PRId64
                                 " count=%" PRId64, generation, record.position, record.count);
  std::snprintf(line + body, sizeof line - static_cast<size_t>(body), " check=%016" PRIx64,
                Fnv1a(line, static_cast<size_t>(body)));
  std::string slot(line);
  slot.resize(kSlotBytes - 1, ' ');
  slot.push_back('\n');
  return slot;
}

// The slot's generation and record; false when it is not a whole, valid slot.
bool ParseSlot(const char* slot, uint64_t* generation, Acknowledged* record) {
  const std::string text(slot, kSlotBytes);
  const size_t check_at = text.find(" check=");
  if (check_at == std::string::npos) return false;
  uint64_t check = 0;
  if (std::sscanf(text.c_str() + check_at, " check=%16" SCNx64, &check) != 1) return false;
  if (check != Fnv1a(text.data(), check_at)) return false;
  return std::sscanf(text.c_str(), "chosa-acknowledged generation=%" SCNu64 " position=%" SCNd64 " count=%" SCNd64,
                     generation, &record->position, &record->count) == 3;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Status IoError(const std::string& doing, const std::string& path) {
  return Status::IOError(doing + " " + path + ": " + std::strerror(errno));
}

// Reads both slots of the open file: the newest valid one, or {0, 0} for an empty file.
Status ReadSlots(int fd, const std::string& path, uint64_t* generation, Acknowledged* record) {
  char slots[2 * kSlotBytes];
  ssize_t read = ::pread(fd, slots, sizeof slots, 0);
  if (read < 0) return IoError("reading", path);
  *generation = 0;
  *record = Acknowledged();
  if (read == 0) return Status::Ok();
  bool found = false;
  for (size_t i = 0; i < 2; ++i) {
    if (static_cast<size_t>(read) < (i + 1) * kSlotBytes) break;
    uint64_t slot_generation = 0;
    Acknowledged slot_record;
    if (ParseSlot(slots + i * kSlotBytes, &slot_generation, &slot_record) &&
        (!found || slot_generation > *generation)) {
      *generation = slot_generation;
      *record = slot_record;
      found = true;
    }
  }
  if (!found) {
    return Status::Corruption(path + " is damaged (neither of its records is readable): restore a backup and "
                              "`chosa-collector restore` it, which writes this file again");
  }
  return Status::Ok();
}

Status WriteSlot(int fd, const std::string& path, uint64_t generation, const Acknowledged& record) {
  const std::string slot = FormatSlot(generation, record);
  const off_t at = static_cast<off_t>((generation % 2) * kSlotBytes);
  if (::pwrite(fd, slot.data(), slot.size(), at) != static_cast<ssize_t>(slot.size())) {
    return IoError("writing", path);
  }
  if (::fdatasync(fd) != 0) return IoError("flushing", path);
  return Status::Ok();
}

// Opens `path` for writing, creating it (its owner only) and making its name durable.
Result<int> OpenFile(const std::string& path) {
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return IoError("opening", path);
  if (!existed) SyncDirectory(DirectoryOf(path));
  return fd;
}

}  // namespace

std::string AcknowledgedPath(const std::string& data_dir) {
  return (data_dir.empty() ? std::string(".") : data_dir) + "/" + kAcknowledgedFileName;
}

Result<Acknowledged> ReadAcknowledged(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Acknowledged();
    return IoError("opening", path);
  }
  uint64_t generation = 0;
  Acknowledged record;
  Status status = ReadSlots(fd, path, &generation, &record);
  ::close(fd);
  if (!status.ok()) return status;
  return record;
}

Status ResetAcknowledged(const std::string& path, const Acknowledged& record) {
  Result<int> fd = OpenFile(path);
  if (!fd.ok()) return fd.status();
  uint64_t generation = 0;
  Acknowledged before;
  IgnoreError(ReadSlots(*fd, path, &generation, &before), "a damaged record is what a reset replaces");
  // Both slots, with newer generations than any there: nothing of the old record is read again,
  // and a crash between the two writes leaves the new record in the first.
  Status status = WriteSlot(*fd, path, generation + 1, record);
  if (status.ok()) status = WriteSlot(*fd, path, generation + 2, record);
  ::close(*fd);
  return status;
}

AcknowledgedRecord::~AcknowledgedRecord() {
  if (fd_ >= 0) ::close(fd_);
}

Status AcknowledgedRecord::Open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  Result<int> fd = OpenFile(path);
  if (!fd.ok()) return fd.status();
  fd_ = *fd;
  path_ = path;
  return ReadSlots(fd_, path_, &generation_, &written_);
}

Status AcknowledgedRecord::Advance(int64_t position, int64_t accepted) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fd_ < 0) return Status::Internal("the acknowledged position's file is not open");
  Acknowledged next{std::max(written_.position, position), written_.count + accepted};
  if (next.position == written_.position && next.count == written_.count) return Status::Ok();
  Status status = WriteSlot(fd_, path_, generation_ + 1, next);
  if (!status.ok()) return status;
  ++generation_;
  written_ = next;
  return Status::Ok();
}

}  // namespace chosa::collector
