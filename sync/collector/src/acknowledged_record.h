// The last acknowledged position, kept beside the collector database (DATA_DIR/collector.acknowledged)
// so that a database that went back in time (a lost collector.sqlite-wal, an older file put
// back) is noticed at start instead of serving as if nothing were missing: the devices hold the
// submissions acknowledged to them as sent and never send them again.
//
// The file is two fixed-size text slots, written in turn. A write replaces the older slot in
// place and is fdatasync'ed before the push's answer leaves; a reader takes the valid slot with
// the higher generation. A write torn by a crash leaves that slot invalid (its checksum fails) and
// the other slot, the previous record, stands: never a half-written number, and one small write
// and one flush per acknowledged batch (no rename, no directory sync after the first).
#ifndef CHOSA_SYNC_COLLECTOR_ACKNOWLEDGED_RECORD_H_
#define CHOSA_SYNC_COLLECTOR_ACKNOWLEDGED_RECORD_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "chosa/collector/sqlite_storage.h"
#include "chosa/status.h"

namespace chosa::collector {

inline constexpr char kAcknowledgedFileName[] = "collector.acknowledged";

// DATA_DIR/collector.acknowledged.
std::string AcknowledgedPath(const std::string& data_dir);

// The record at `path`; {0, 0} when there is no file (a collector that never acknowledged
// anything, or one from before the record). Corruption when the file exists but neither slot is
// valid.
Result<Acknowledged> ReadAcknowledged(const std::string& path);

// Replaces the record at `path` with `record` (restore, --accept-loss): both slots, flushed.
Status ResetAcknowledged(const std::string& path, const Acknowledged& record);

// The writer a serving collector keeps open. Thread-safe.
class AcknowledgedRecord {
 public:
  AcknowledgedRecord() = default;
  ~AcknowledgedRecord();
  AcknowledgedRecord(const AcknowledgedRecord&) = delete;
  AcknowledgedRecord& operator=(const AcknowledgedRecord&) = delete;

  // Opens (creates, 0600) the record at `path` and reads where it stands.
  Status Open(const std::string& path);
  // Records that a batch is about to be acknowledged: the position grows to `position` (never
  // shrinks) and `accepted`, the submissions it stored, are added to the count. Returns once the record is on disk; nothing is written when
  // it would not change.
  Status Advance(int64_t position, int64_t accepted);
  bool is_open() const { return fd_ >= 0; }

 private:
  std::mutex mutex_;  // one write at a time: each is flushed before the next one starts
  int fd_ = -1;
  std::string path_;
  uint64_t generation_ = 0;  // of the newest valid slot
  Acknowledged written_;
};

}  // namespace chosa::collector

#endif  // CHOSA_SYNC_COLLECTOR_ACKNOWLEDGED_RECORD_H_
