// Crash recovery of IndexOptions::renumber_slots (`inkdex repair`): a child
// opening the index to renumber its slots is killed with SIGKILL at chosen
// points of the renumbering and the rebuild after it; each time, the next
// plain open must verify and hold exactly what was committed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crash/crash_util.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "store/doc_store.h"

namespace inkdex::crash {
namespace {

// The child: opens `dir` to renumber its slots. At each of the open's
// cancellation checks (one per batch of records read or rewritten, then the
// rebuild's and the snapshot load's) it writes a byte to `progress` and
// waits for a byte on `go`, so the parent can kill it at exactly the n-th
// check. Writes 'D' once the open returned, then waits to be killed.
[[noreturn]] void RunRenumberingOpen(const std::string& dir, int progress, int go) {
  IndexOptions options;  // sync = true
  options.renumber_slots = true;
  options.cancelled = [progress, go] {
    char c = 'c';
    if (write(progress, &c, 1) != 1 || read(go, &c, 1) != 1) _exit(4);
    return false;
  };
  auto index = Index::Open(dir, options);
  if (!index.ok()) _exit(2);
  const char done = 'D';
  if (write(progress, &done, 1) != 1) _exit(3);
  for (;;) pause();
}

// Whether the closed index's store is part way through a renumbering: its
// key set and two records with one slot.
struct StoreState {
  bool renumbering = false;
  bool duplicate_slots = false;
};
StoreState ReadStoreState(const std::string& dir) {
  StoreState state;
  absl::StatusOr<std::unique_ptr<store::DocStore>> store =
      store::DocStore::Open(dir + "/docs", false, false, 1 << 20);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return state;
  std::vector<uint32_t> slots;
  EXPECT_TRUE((*store)
                  ->ForEachRecordBatch(256,
                                       [&](const store::DocStore::RecordBatch& batch) {
                                         for (const auto& [id, r] : batch.records) {
                                           slots.push_back(r->slot());
                                         }
                                         return absl::OkStatus();
                                       })
                  .ok());
  std::sort(slots.begin(), slots.end());
  state.duplicate_slots = std::adjacent_find(slots.begin(), slots.end()) != slots.end();
  absl::StatusOr<std::optional<std::string>> key =
      (*store)->GetMetadata(index::kRenumberingSlotsKey);
  state.renumbering = key.ok() && key->has_value();
  return state;
}

TEST(CrashTest, KillDuringASlotRenumberingLosesNothing) {
  ScratchDir dir("crash_renumber");
  ExpectedState state;
  uint64_t next_batch = 1;
  // Changes since the last renumbering: new ids in arrival order and moved
  // ones, so that each renumbering has records to rewrite.
  auto write_more = [&](uint64_t crash_batches, uint64_t fresh_batches) {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    for (uint64_t i = 0; i < fresh_batches; ++i, ++next_batch) {
      const WriteBatch batch = FreshBatch(next_batch);
      ASSERT_TRUE((*index)->Apply(batch).ok());
      ApplyToModel(batch, &state);
    }
    for (uint64_t i = 0; i < crash_batches; ++i, ++next_batch) {
      const WriteBatch batch = CrashBatch(next_batch);
      ASSERT_TRUE((*index)->Apply(batch).ok());
      ApplyToModel(batch, &state);
    }
  };
  write_more(40, 300);  // ~5,000 records: five batches of a store scan

  // Checks 1-5 read the order, 6-10 rewrite (the kill leaves part of the
  // records renumbered), 11 and later rebuild the search index and load the
  // snapshot; 1000: after the open returned.
  int killed_part_way = 0;
  for (const int kill_at : {7, 2, 9, 6, 12, 1000}) {
    SCOPED_TRACE("killed at check " + std::to_string(kill_at));
    int progress[2], go[2];
    ASSERT_EQ(pipe(progress), 0);
    ASSERT_EQ(pipe(go), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(progress[0]);
      close(go[1]);
      RunRenumberingOpen(dir.path(), progress[1], go[0]);
    }
    close(progress[1]);
    close(go[0]);
    int checks = 0;
    for (char c; read(progress[0], &c, 1) == 1;) {
      if (c == 'D' || ++checks == kill_at) break;
      ASSERT_EQ(write(go[1], &c, 1), 1);
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with status " << WEXITSTATUS(status);
    close(progress[0]);
    close(go[1]);

    const StoreState left = ReadStoreState(dir.path());
    if (left.renumbering && left.duplicate_slots) ++killed_part_way;
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    absl::StatusOr<VerifyReport> report = (*index)->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << report->problems.front();
    EXPECT_EQ(DiffIndex(**index, state), "");
    index->reset();
    EXPECT_FALSE(ReadStoreState(dir.path()).renumbering);
    write_more(10, 20);
  }
  // The kills at 7 and 9 (and perhaps others) found records rewritten and
  // others not.
  EXPECT_GE(killed_part_way, 2);
  ::testing::Test::RecordProperty("killed_part_way", killed_part_way);
}

}  // namespace
}  // namespace inkdex::crash
