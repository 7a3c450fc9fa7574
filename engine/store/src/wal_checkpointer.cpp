#include "wal_checkpointer.h"

#include <chrono>

namespace chosa {

WalCheckpointer::~WalCheckpointer() { Stop(); }

Status WalCheckpointer::Start(const std::string& path, sqlite3* writer) {
  Status opened = connection_.Open(path, SQLITE_OPEN_READWRITE);
  if (!opened.ok()) return opened;
  // A connection learns that the file is in WAL mode only when it first reads it; until then
  // its checkpoints silently do nothing and the WAL grows without bound.
  Result<int64_t> primed = connection_.QueryInt("SELECT count(*) FROM sqlite_master", "preparing checkpoints");
  if (!primed.ok()) return primed.status();
  sqlite3_wal_hook(writer, &WalCheckpointer::OnCommit, this);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void WalCheckpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  if (thread_.joinable()) thread_.join();
  connection_.Close();
}

bool WalCheckpointer::WaitUntilIdle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  // idle_ alone may be left from before the last request: a pending request is not idle.
  return idle_changed_.wait_until(lock, deadline, [this] { return idle_ && !requested_.load(); });
}

// Whether a WAL of `pages` pages wants a checkpoint: past the first threshold, when nothing of it
// was copied yet (a smaller WAL than the last copy started over) or a step more was written.
bool WalCheckpointer::Due(int pages) const {
  if (pages < kCheckpointPages) return false;
  int copied = copied_.load();
  return pages < copied || pages - copied >= kCheckpointStep || pages >= kRestartPages;
}

int WalCheckpointer::OnCommit(void* self, sqlite3*, const char*, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  if (pages < c->last_pages_) c->copied_.store(0);  // the WAL started over
  c->last_pages_ = pages;
  c->commits_.store(c->commits_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  c->wal_pages_.store(pages);
  if (c->Due(pages) && !c->requested_.exchange(true)) {
    // Taking the mutex (empty) orders the flag with the thread's wait: no wake-up is lost.
    { std::lock_guard<std::mutex> lock(c->mutex_); }
    c->wanted_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  const auto idle = std::chrono::milliseconds(kIdleMillis);
  auto asked = [this] { return requested_.load() || stopping_; };
  std::unique_lock<std::mutex> lock(mutex_);
  Copy last;
  while (!stopping_) {
    if (!last.behind) {
      idle_ = true;
      idle_changed_.notify_all();
      wanted_.wait(lock, asked);
      idle_ = false;
    } else {
      // Frames were left behind: copied when the writer pauses, so that its next write starts
      // the WAL over, or when the hook asks; not after every commit of a writer that goes on.
      uint64_t seen = commits_.load(std::memory_order_relaxed);
      if (!wanted_.wait_for(lock, idle, asked) && commits_.load(std::memory_order_relaxed) != seen) continue;
    }
    if (stopping_) break;
    Copy copy = Checkpoint(lock);
    // A checkpoint that copied nothing more is held up by a reader: wait for the next request.
    if (copy.behind && copy.copied == last.copied) copy.behind = false;
    last = copy;
  }
}

WalCheckpointer::Copy WalCheckpointer::Checkpoint(std::unique_lock<std::mutex>& lock) {
  int mode = wal_pages_.load() >= kRestartPages ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
  uint64_t commits = commits_.load(std::memory_order_relaxed);
  lock.unlock();
  // PASSIVE copies what it can without blocking the writer or readers; RESTART, rarely, waits
  // for the writer's current transaction (the busy timeout) so that the WAL starts over.
  int log = -1, copied = -1;
  int code = sqlite3_wal_checkpoint_v2(connection_.get(), nullptr, mode, &log, &copied);
  lock.lock();
  requested_.store(false);
  checkpoints_.fetch_add(1, std::memory_order_relaxed);
  // Busy (another process checkpoints) or not in WAL mode: the next request tries again.
  if (code != SQLITE_OK || log < 0 || copied < 0) return Copy{};
  copied_.store(copied);
  // A commit that asked while this ran may have been copied by it: asked again only if one came
  // and it is still due. Without a commit the WAL's size is the one this copy started from, and
  // a WAL past kRestartPages is always due: the thread would checkpoint again and again.
  const bool committed = commits_.load(std::memory_order_relaxed) != commits;
  if (committed && Due(wal_pages_.load())) requested_.store(true);
  return Copy{log > copied || committed, copied};
}

}  // namespace chosa
