// The device store's background checkpointer (engine/store/src/wal_checkpointer.h): it copies the
// WAL while the writer writes, and does nothing once the writer stops.
#include "wal_checkpointer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "chosa/sqlite/sqlite_handle.h"
#include "test_support.h"

namespace chosa {
namespace {

TEST_CASE("After a WAL past the restart threshold is copied, an idle store runs no more checkpoints", "[store]") {
  testing::TempDir dir;
  const std::string path = dir.File("store.sqlite");
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
  // The commit asked for a checkpoint. Once it ran and nothing was written since, the thread must
  // go to sleep until the next commit asks, not checkpoint again and again (it did, at 100% of a
  // core, until the next commit: thousands of checkpoints in a pause). Asserted on that event, the
  // thread asleep with no request pending; the deadline only keeps a checkpointer that never
  // sleeps from hanging the suite, it says nothing about speed.
  REQUIRE(checkpointer.WaitUntilIdle(std::chrono::steady_clock::now() + std::chrono::seconds(60)));
  // Idle with no request means that the commit's checkpoint ran (only a checkpoint clears one).
  // One RESTART copies the whole WAL, so the thread settles after that one.
  CHECK(checkpointer.checkpoints_run() == 1);
  sqlite3_wal_hook(writer.get(), nullptr, nullptr);
  checkpointer.Stop();
}

}  // namespace
}  // namespace chosa
