#include "inkdex/bulk_loader.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex {
namespace {

using ::inkdex::testing::CellsInSlotOrder;
using ::inkdex::testing::IndexDirTest;
using ::inkdex::testing::MakeArtist;

// `n` artists spread over the world, in no spatial order.
std::vector<Artist> ScatteredArtists(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> lat(-60, 70), lon(-180, 180);
  std::vector<Artist> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(MakeArtist(absl::StrCat("a", i), absl::StrCat("Artist ", i), lat(rng), lon(rng),
                             {"blackwork"}, 1));
  }
  return out;
}

absl::Status Ignore(uint64_t, const ChangeResult&) { return absl::OkStatus(); }

class BulkLoaderTest : public IndexDirTest {};

TEST_F(BulkLoaderTest, SlotsFollowCellOrderAcrossBatches) {
  const std::vector<Artist> artists = ScatteredArtists(300, 7);
  {
    BulkLoader loader(*index_, {.batch_size = 7});
    for (size_t i = 0; i < artists.size(); ++i) loader.Add(artists[i], i);
    EXPECT_EQ(loader.size(), 300u);
    ASSERT_TRUE(loader.Flush(Ignore).ok());
    EXPECT_EQ(loader.size(), 0u);
  }
  EXPECT_EQ(index_->Stats().documents, 300u);
  const std::vector<uint64_t> cells = CellsInSlotOrder(*index_, dir_.path());
  ASSERT_EQ(cells.size(), 300u);
  EXPECT_TRUE(std::is_sorted(cells.begin(), cells.end()));
}

TEST_F(BulkLoaderTest, PlainBatchesAreOnlySortedWithinEachBatch) {
  // What the loader is for: the same artists applied 7 at a time in arrival
  // order are not in cell order overall.
  const std::vector<Artist> artists = ScatteredArtists(300, 7);
  for (size_t i = 0; i < artists.size(); i += 7) {
    WriteBatch batch;
    for (size_t j = i; j < std::min(artists.size(), i + 7); ++j) batch.Upsert(artists[j]);
    ASSERT_TRUE(index_->Apply(batch).ok());
  }
  const std::vector<uint64_t> cells = CellsInSlotOrder(*index_, dir_.path());
  ASSERT_EQ(cells.size(), 300u);
  EXPECT_FALSE(std::is_sorted(cells.begin(), cells.end()));
}

// Upserts with repeated ids: later and higher, later and lower, equal
// versions, and one the index rejects, shuffled.
std::vector<Artist> UpsertsWithRepeats() {
  std::vector<Artist> out = ScatteredArtists(40, 11);
  for (size_t i = 0; i < out.size(); ++i) out[i].set_version(10);
  auto again = [&](size_t of, uint64_t version, double lat, const std::string& name) {
    Artist a = out[of];
    a.set_version(version);
    a.mutable_location()->set_latitude(lat);
    a.set_name(name);
    out.push_back(a);
  };
  again(3, 11, -50, "newer, far south");
  again(4, 9, 60, "older, far north");
  again(5, 10, 0, "same version");
  again(6, 12, 10, "newest");
  again(6, 11, 20, "between");
  Artist bad = MakeArtist("bad", "Bad", 95, 0, {"blackwork"}, 1);  // latitude out of range
  out.push_back(bad);
  again(7, 13, 30, "after a rejected one");
  std::mt19937 rng(3);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

TEST_F(BulkLoaderTest, EndStateAndResultsAreThoseOfTheOrderGiven) {
  const std::vector<Artist> upserts = UpsertsWithRepeats();
  // Reference: applied in the order given.
  testing::TempDir ref_dir;
  absl::StatusOr<std::unique_ptr<Index>> ref = Index::Open(ref_dir.path());
  ASSERT_TRUE(ref.ok()) << ref.status();
  std::vector<ChangeResult::Outcome> expected;
  for (size_t i = 0; i < upserts.size(); i += 3) {
    WriteBatch batch;
    for (size_t j = i; j < std::min(upserts.size(), i + 3); ++j) batch.Upsert(upserts[j]);
    absl::StatusOr<std::vector<ChangeResult>> r = (*ref)->Apply(batch);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const ChangeResult& c : *r) expected.push_back(c.outcome);
  }

  BulkLoader loader(*index_, {.batch_size = 3});
  for (size_t i = 0; i < upserts.size(); ++i) loader.Add(upserts[i], i);
  std::vector<ChangeResult::Outcome> got(upserts.size());
  std::vector<int> reported(upserts.size(), 0);
  ASSERT_TRUE(loader
                  .Flush([&](uint64_t tag, const ChangeResult& r) {
                    got[tag] = r.outcome;
                    ++reported[tag];
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(reported, std::vector<int>(upserts.size(), 1));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(std::count(got.begin(), got.end(), ChangeResult::Outcome::kRejected), 1);
  EXPECT_GE(std::count(got.begin(), got.end(), ChangeResult::Outcome::kStale), 2);

  for (size_t i = 0; i < 40; ++i) {
    const std::string id = absl::StrCat("a", i);
    absl::StatusOr<Artist> want = (*ref)->Get(id, true);
    absl::StatusOr<Artist> have = index_->Get(id, true);
    ASSERT_TRUE(want.ok() && have.ok()) << id;
    EXPECT_EQ(have->version(), want->version()) << id;
    EXPECT_EQ(have->name(), want->name()) << id;
    EXPECT_EQ(have->location().latitude(), want->location().latitude()) << id;
  }
  EXPECT_EQ(index_->Get("a6", true)->name(), "newest");
  EXPECT_EQ(index_->Get("a4", true)->version(), 10u);
}

TEST_F(BulkLoaderTest, MetadataGoesWithTheLastBatchOrAlone) {
  BulkLoader loader(*index_, {.batch_size = 2});
  for (const Artist& a : ScatteredArtists(5, 1)) loader.Add(a, 0);
  ASSERT_TRUE(loader.Flush(Ignore, nullptr, {{"build.last", "5"}}).ok());
  EXPECT_EQ(index_->GetMetadata("build.last").value(), "5");
  const uint64_t seq = index_->Stats().commit_seq;
  ASSERT_TRUE(loader.Flush(Ignore, nullptr, {{"build.last", "6"}}).ok());
  EXPECT_EQ(index_->GetMetadata("build.last").value(), "6");
  EXPECT_EQ(index_->Stats().commit_seq, seq + 1);
  ASSERT_TRUE(loader.Flush(Ignore).ok());  // nothing held, no metadata: no commit
  EXPECT_EQ(index_->Stats().commit_seq, seq + 1);
}

TEST_F(BulkLoaderTest, AnErrorFromTheResultCallbackStopsTheFlush) {
  BulkLoader loader(*index_, {.batch_size = 4});
  for (const Artist& a : ScatteredArtists(20, 2)) loader.Add(a, 0);
  int calls = 0;
  absl::Status s = loader.Flush([&](uint64_t, const ChangeResult&) {
    return ++calls == 6 ? absl::FailedPreconditionError("stop here") : absl::OkStatus();
  });
  EXPECT_EQ(s, absl::FailedPreconditionError("stop here"));
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(index_->Stats().documents, 8u);  // the batch of the 6th result was committed
  EXPECT_EQ(loader.size(), 0u);
}

TEST_F(BulkLoaderTest, AfterBatchSeesProgressAndCanStopTheFlush) {
  BulkLoader loader(*index_, {.batch_size = 7});
  for (const Artist& a : ScatteredArtists(20, 3)) loader.Add(a, 0);
  std::vector<std::pair<size_t, size_t>> seen;
  ASSERT_TRUE(loader
                  .Flush(Ignore,
                         [&](size_t applied, size_t total) {
                           seen.emplace_back(applied, total);
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::pair<size_t, size_t>>{{7, 20}, {14, 20}, {20, 20}}));

  testing::TempDir other;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(other.path());
  ASSERT_TRUE(index.ok());
  BulkLoader stopped(**index, {.batch_size = 7});
  for (const Artist& a : ScatteredArtists(20, 3)) stopped.Add(a, 0);
  EXPECT_TRUE(absl::IsCancelled(
      stopped.Flush(Ignore, [](size_t, size_t) { return absl::CancelledError("stop"); })));
  EXPECT_EQ((*index)->Stats().documents, 7u);
}

TEST_F(BulkLoaderTest, AnIdsUpsertsStayInOneBatch) {
  // One place, so the order is arrival order: a0 a1 x x x a2. Batches of 3
  // would split x's upserts; the first batch takes all of them instead.
  BulkLoader loader(*index_, {.batch_size = 3});
  loader.Add(MakeArtist("a0", "Zero", 53.8, -1.5, {"blackwork"}, 1), 0);
  loader.Add(MakeArtist("a1", "One", 53.8, -1.5, {"blackwork"}, 1), 1);
  for (uint64_t v = 1; v <= 3; ++v) {
    loader.Add(MakeArtist("x", absl::StrCat("Ex ", v), 53.8, -1.5, {"blackwork"}, v), 1 + v);
  }
  loader.Add(MakeArtist("a2", "Two", 53.8, -1.5, {"blackwork"}, 1), 5);
  std::vector<size_t> applied_after;
  ASSERT_TRUE(loader
                  .Flush(Ignore,
                         [&](size_t applied, size_t) {
                           applied_after.push_back(applied);
                           return absl::OkStatus();
                         })
                  .ok());
  EXPECT_EQ(applied_after, (std::vector<size_t>{5, 6}));
  absl::StatusOr<Artist> x = index_->Get("x");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->name(), "Ex 3");
}

}  // namespace
}  // namespace inkdex
