// Crash recovery: a child process applying synced batches is killed with
// SIGKILL at random moments; after each kill the index must verify and equal
// the acknowledged batches, plus the batch in flight wholly or not at all.
// And recovery when the search index (Xapian) lags the document store.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "crash/crash_util.h"
#include "gtest/gtest.h"
#include "store/doc_store.h"

namespace inkdex::crash {
namespace {

namespace fs = std::filesystem;

using BatchFn = WriteBatch (*)(uint64_t n);

// Batches a deferred writer commits between two builds of its search index,
// and at most in one life (then it waits to be killed): six lives of
// FreshBatch's new artists stay under the 10,000 that DiffIndex's paged
// search can read back.
constexpr uint64_t kDeferredRun = 8;
constexpr uint64_t kDeferredMaxBatches = 120;

// The child: opens the index and applies batches make(first),
// make(first+1), ... for ever, writing each acknowledged batch number to
// `fd`. `deferred`: opens it with IndexOptions::defer_search_index, and
// every kDeferredRun batches builds the search index and opens it again (as
// bulk loads one after another would). Never returns.
[[noreturn]] void RunWriter(const std::string& dir, BatchFn make, uint64_t first, int fd,
                            bool deferred) {
  IndexOptions options;  // sync = true
  options.defer_search_index = deferred;
  auto index = Index::Open(dir, options);
  if (!index.ok()) _exit(2);
  for (uint64_t n = first;; ++n) {
    absl::StatusOr<std::vector<ChangeResult>> r = (*index)->Apply(make(n));
    if (!r.ok()) _exit(3);
    if (write(fd, &n, sizeof n) != static_cast<ssize_t>(sizeof n)) _exit(4);
    if (deferred && n - first + 1 == kDeferredMaxBatches) {
      for (;;) pause();
    }
    if (deferred && (n - first + 1) % kDeferredRun == 0) {
      if (!(*index)->BuildDeferredSearchIndex().ok()) _exit(5);
      index->reset();
      index = Index::Open(dir, options);
      if (!index.ok()) _exit(6);
    }
  }
}

// Reads every batch number the child acknowledged; 0 if none.
uint64_t LastAcknowledged(int fd) {
  uint64_t last = 0, n = 0;
  while (read(fd, &n, sizeof n) == static_cast<ssize_t>(sizeof n)) last = n;
  return last;
}

void ExpectVerifies(const Index& index) {
  absl::StatusOr<VerifyReport> report = index.Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

// Kills a writer applying make(n) batches at random moments, six times;
// after each kill the index must verify and hold the model of the
// acknowledged batches (`apply` adds a batch to a Model, `served` turns it
// into what the index serves), with the batch in flight wholly or not at
// all.
template <typename Model>
void KillWritersAndCheck(const std::string& tag, BatchFn make,
                         void (*apply)(const WriteBatch&, Model*),
                         ExpectedState (*served)(const Model&), bool deferred = false) {
  ScratchDir dir(tag);
  std::mt19937_64 rng(42);
  Model state;
  int in_flight_present = 0, in_flight_absent = 0;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const uint64_t first = static_cast<uint64_t>(round + 1) * 100000;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      RunWriter(dir.path(), make, first, fds[1], deferred);
    }
    close(fds[1]);
    const int delay_ms = std::uniform_int_distribution<int>(200, 1500)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the writer exited by itself with status " << WEXITSTATUS(status);
    const uint64_t last = LastAcknowledged(fds[0]);
    close(fds[0]);

    Model acknowledged = state;
    for (uint64_t n = first; last != 0 && n <= last; ++n) apply(make(n), &acknowledged);
    Model with_in_flight = acknowledged;
    apply(make(last == 0 ? first : last + 1), &with_in_flight);

    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    ExpectVerifies(**index);
    const std::string without = DiffIndex(**index, served(acknowledged));
    const std::string with = DiffIndex(**index, served(with_in_flight));
    ASSERT_TRUE(without.empty() || with.empty())
        << "acknowledged " << (last == 0 ? 0 : last - first + 1)
        << " batches; state differs from them (" << without
        << ") and from them plus the batch in flight (" << with << ")";
    state = without.empty() ? acknowledged : with_in_flight;
    ++(without.empty() ? in_flight_absent : in_flight_present);
  }
  EXPECT_FALSE(state.empty()) << "the writer never committed anything";
  ::testing::Test::RecordProperty("in_flight_present", in_flight_present);
  ::testing::Test::RecordProperty("in_flight_absent", in_flight_absent);
}

ExpectedState Itself(const ExpectedState& state) { return state; }

TEST(CrashTest, KillDuringApplyLosesNoAcknowledgedBatchAndNoHalfBatch) {
  KillWritersAndCheck<ExpectedState>("crash", CrashBatch, ApplyToModel, Itself);
}

// The same for bulk loads with a deferred search index: a kill while the
// background writers write their parts, while they merge, or before the
// merge loses nothing acknowledged, and the next open brings the search
// index up to the store.
TEST(CrashTest, KillDuringADeferredLoadLosesNoAcknowledgedBatch) {
  KillWritersAndCheck<ExpectedState>("crash_deferred", FreshBatch, ApplyToModel, Itself,
                                     /*deferred=*/true);
}

// The same with ranked items (index/item_states.h): the kept states of the
// items are committed with the documents, so after any kill each artist
// serves its highest-ranked live item by the acknowledged batches, and a
// delete of the served item falls back to a kept one.
TEST(CrashTest, KillDuringRankedApplyKeepsEveryItemsState) {
  KillWritersAndCheck<RankedState>("crash_ranked", RankedCrashBatch, ApplyRankedToModel,
                                   ServedState);
}

// Copies the directory tree `from` to `to` (which must not exist).
void CopyTree(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

// Puts root/text_old (an older copy of the search index) in place of
// root/text, opens the index, and expects it to verify, to hold `state`, and
// to find `count` artists for `word`. Returns the index (null on failure).
std::unique_ptr<Index> OpenWithOldSearchIndex(const fs::path& root, const IndexOptions& options,
                                              const ExpectedState& state, const std::string& word,
                                              int64_t count) {
  fs::remove_all(root / "text");
  fs::rename(root / "text_old", root / "text");
  auto index = Index::Open(root.string(), options);
  EXPECT_TRUE(index.ok()) << index.status();
  if (!index.ok()) return nullptr;
  ExpectVerifies(**index);
  EXPECT_EQ(DiffIndex(**index, state), "");
  SearchRequest q;
  q.text = word;
  absl::StatusOr<SearchResponse> r = (*index)->Search(q);
  EXPECT_TRUE(r.ok()) << r.status();
  if (r.ok()) {
    EXPECT_EQ(r->total, count) << word;
  }
  return *std::move(index);
}

// Commits that reached the document store but not Xapian are re-applied on
// open: an older text/ next to a newer docs/ is what a crash between the two
// commits leaves.
TEST(CrashTest, OpenCatchesUpASearchIndexThatLagsTheDocumentStore) {
  ScratchDir dir("lag");
  const fs::path root(dir.path());
  ExpectedState state;
  auto apply = [&](Index& index, const WriteBatch& b) {
    ASSERT_TRUE(index.Apply(b).ok());
    ApplyToModel(b, &state);
  };
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    for (uint64_t n = 1; n <= 3; ++n) apply(**index, CrashBatch(n));
  }
  CopyTree(root / "text", root / "text_old");
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    for (uint64_t n = 4; n <= 6; ++n) apply(**index, CrashBatch(n));
    WriteBatch marked;  // text only the newer commits hold
    for (int i = 0; i < 5; ++i) {
      marked.Upsert(MakeArtist("late" + std::to_string(i), 1000, 10, 10, "laterword"));
    }
    apply(**index, marked);
  }
  std::unique_ptr<Index> index = OpenWithOldSearchIndex(root, {}, state, "laterword", 5);
  ASSERT_NE(index, nullptr);
  // Deleted before the lag: must not come back from the old text index.
  SearchRequest q;
  for (const auto& [id, want] : state) {
    if (!want.deleted) continue;
    q.text = id;
    absl::StatusOr<SearchResponse> r = index->Search(q);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->total, 0) << id;
  }
}

// The commit log is trimmed while the index is open (not only at open), and
// a search index older than what the log still holds (an old copy of text/)
// is rebuilt from the stored documents instead of replayed.
TEST(CrashTest, ASearchIndexOlderThanTheCommitLogIsRebuilt) {
  ScratchDir dir("trimmed");
  const fs::path root(dir.path());
  IndexOptions fast;
  fast.sync = false;  // 1,000+ commits; durability is not what is tested here
  ExpectedState state;
  auto apply = [&](Index& index, const WriteBatch& b) {
    ASSERT_TRUE(index.Apply(b).ok());
    ApplyToModel(b, &state);
  };
  {
    auto index = Index::Open(dir.path(), fast);
    ASSERT_TRUE(index.ok()) << index.status();
    for (uint64_t n = 1; n <= 3; ++n) apply(**index, CrashBatch(n));
  }
  CopyTree(root / "text", root / "text_old");
  uint64_t seq = 0;
  {
    auto index = Index::Open(dir.path(), fast);
    ASSERT_TRUE(index.ok()) << index.status();
    for (uint64_t n = 4; n <= 1010; ++n) {
      WriteBatch one;  // one change a commit: many commits, quickly
      one.Upsert(MakeArtist("t" + std::to_string(n % 300), n * 10, 20, 20, "trimword"));
      apply(**index, one);
    }
    seq = (*index)->Stats().commit_seq;
  }
  ASSERT_GT(seq, 1000u);
  {
    auto store = store::DocStore::Open((root / "docs").string(), false, false, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    auto log = (*store)->LogAfter(0);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ(log->size(), seq % 1000) << "trimmed every 1,000 commits while open";
  }
  EXPECT_NE(OpenWithOldSearchIndex(root, fast, state, "trimword", 300), nullptr);
}

// A crash while text/ is being created or removed (a deferred load's merge,
// a rebuild) can leave the directory without glass's revision file: open
// starts it afresh and rebuilds it from the store instead of failing.
TEST(CrashTest, ASearchIndexCutOffWhileCreatedIsRebuilt) {
  ScratchDir dir("cutoff");
  const fs::path root(dir.path());
  ExpectedState state;
  {
    auto index = Index::Open(dir.path(), {});
    ASSERT_TRUE(index.ok()) << index.status();
    for (uint64_t n = 1; n <= 3; ++n) {
      ASSERT_TRUE((*index)->Apply(CrashBatch(n)).ok());
      ApplyToModel(CrashBatch(n), &state);
    }
  }
  ASSERT_TRUE(fs::remove(root / "text" / "iamglass"));
  auto index = Index::Open(dir.path(), {});
  ASSERT_TRUE(index.ok()) << index.status();
  ExpectVerifies(**index);
  EXPECT_EQ(DiffIndex(**index, state), "");
}

// A search index ahead of the document store cannot be repaired by replay:
// open refuses with DATA_LOSS rather than serving a mix, and says how to
// rebuild it; the rebuild serves exactly what the store holds.
TEST(CrashTest, OpenRefusesASearchIndexAheadOfTheDocumentStore) {
  ScratchDir dir("ahead");
  const fs::path root(dir.path());
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_TRUE((*index)->Apply(CrashBatch(1)).ok());
  }
  CopyTree(root / "docs", root / "docs_old");
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_TRUE((*index)->Apply(CrashBatch(2)).ok());
  }
  fs::remove_all(root / "docs");
  fs::rename(root / "docs_old", root / "docs");
  ExpectedState state;
  ApplyToModel(CrashBatch(1), &state);
  auto index = Index::Open(dir.path());
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
  EXPECT_NE(index.status().message().find("inkdex repair --index"), std::string::npos)
      << index.status();
  IndexOptions repair;
  repair.rebuild_search_index = true;
  index = Index::Open(dir.path(), repair);
  ASSERT_TRUE(index.ok()) << index.status();
  ExpectVerifies(**index);
  EXPECT_EQ(DiffIndex(**index, state), "");
}

// The newest of the store's write-ahead logs (docs/NNNNNN.log).
fs::path NewestWriteAheadLog(const fs::path& docs) {
  fs::path newest;
  for (const fs::directory_entry& e : fs::directory_iterator(docs)) {
    if (e.path().extension() == ".log" && e.path().filename() > newest.filename()) {
      newest = e.path();
    }
  }
  return newest;
}

// A disk that damages a commit already synced: RocksDB's recovery stops at
// the damaged log record (point-in-time recovery), so that commit and every
// later one are gone from the store. The search index still holds them:
// the open says so (DATA_LOSS) instead of serving artists the store lost,
// and a repair serves exactly the commits before the damage.
TEST(CrashTest, ADamagedCommitInTheStoreLogIsRefusedNotServed) {
  ScratchDir dir("damaged-log");
  const fs::path root(dir.path());
  fs::path log;
  uintmax_t first_commit_ends = 0;
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    ASSERT_TRUE((*index)->Apply(CrashBatch(1)).ok());
    log = NewestWriteAheadLog(root / "docs");
    ASSERT_FALSE(log.empty());
    first_commit_ends = fs::file_size(log);  // synced: the commit is in it
    ASSERT_TRUE((*index)->Apply(CrashBatch(2)).ok());
    ASSERT_EQ(NewestWriteAheadLog(root / "docs"), log) << "the two commits in one log";
    ASSERT_GT(fs::file_size(log), first_commit_ends + 64);
  }
  {
    // One byte inside the second commit's record (past its 7-byte header).
    std::fstream file(log, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(file.good());
    file.seekg(static_cast<std::streamoff>(first_commit_ends + 32));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(static_cast<std::streamoff>(first_commit_ends + 32));
    file.write(&byte, 1);
    ASSERT_TRUE(file.good());
  }
  ExpectedState state;
  ApplyToModel(CrashBatch(1), &state);
  auto index = Index::Open(dir.path());
  ASSERT_FALSE(index.ok()) << "served a search index holding a commit the store lost";
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss) << index.status();
  EXPECT_NE(index.status().message().find("inkdex repair --index"), std::string::npos)
      << index.status();
  IndexOptions repair;
  repair.rebuild_search_index = true;
  index = Index::Open(dir.path(), repair);
  ASSERT_TRUE(index.ok()) << index.status();
  ExpectVerifies(**index);
  EXPECT_EQ(DiffIndex(**index, state), "");
}

}  // namespace
}  // namespace inkdex::crash
