// The device store's background checkpointer (engine/src/store/wal_checkpointer.h): it copies the
// WAL while the writer writes, and does nothing once the writer stops.
#include "store/wal_checkpointer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "store/sqlite_handle.h"
#include "test_support.h"

namespace chosa {
namespace {

TEST_CASE("After a WAL past the restart threshold is copied, an idle store runs no more checkpoints", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.file("store.sqlite");
  Connection writer;
  REQUIRE(writer.Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE).ok());
  // Small pages, so that the restart threshold (kRestartPages) is a few MiB of WAL.
  REQUIRE(writer.Exec("PRAGMA page_size=512; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; "
                      "CREATE TABLE t (x BLOB)",
                      "setting up")
              .ok());
  WalCheckpointer checkpointer;
  REQUIRE(checkpointer.Start(path, writer.get()).ok());
  // One commit that leaves the WAL past kRestartPages pages.
  const std::string rows = std::to_string(WalCheckpointer::kRestartPages + 500);  // a page each
  REQUIRE(writer.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows +
                          ") INSERT INTO t SELECT zeroblob(400) FROM n",
                      "writing")
              .ok());
  // The commit asked for a checkpoint: wait for it (the bound only keeps a broken checkpointer
  // from hanging the suite).
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (checkpointer.checkpoints_run() == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(checkpointer.checkpoints_run() >= 1);
  // Nothing was written since: the thread must be idle, not checkpointing again and again (it
  // was, at 100% of a core, until the next commit: thousands of checkpoints in this pause).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const uint64_t after_pause = checkpointer.checkpoints_run();
  CHECK(after_pause <= 3);
  sqlite3_wal_hook(writer.get(), nullptr, nullptr);
  checkpointer.Stop();
}

}  // namespace
}  // namespace chosa
