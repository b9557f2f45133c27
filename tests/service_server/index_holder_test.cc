#include "server/index_holder.h"

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex::server {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

using ::inkdex::testing::kLeedsLat;
using ::inkdex::testing::kLeedsLon;

// Opens an index in `dir` holding `count` artists near Leeds, ids
// "<prefix>0".."<prefix>count-1".
std::shared_ptr<Index> OpenWithArtists(const std::string& dir, const std::string& prefix,
                                       int count) {
  auto index = Index::Open(dir);
  EXPECT_TRUE(index.ok()) << index.status();
  WriteBatch batch;
  for (int i = 0; i < count; ++i) {
    batch.Upsert(MakeArtist(prefix + std::to_string(i), "Artist " + prefix, kLeedsLat + 0.001 * i,
                            kLeedsLon, {"fineline"}));
  }
  auto applied = (*index)->Apply(batch);
  EXPECT_TRUE(applied.ok()) << applied.status();
  return std::shared_ptr<Index>(*std::move(index));
}

SearchRequest NearLeeds() {
  SearchRequest q;
  q.point = GeoPoint{kLeedsLat, kLeedsLon};
  q.radius_km = 50;
  return q;
}

TEST(IndexHolderTest, OpenServesGenerationOneAtTheResolvedDirectory) {
  TempDir tmp;
  const std::string real = tmp.path() + "/real";
  std::filesystem::create_directories(real);
  std::filesystem::create_directory_symlink(real, tmp.path() + "/current");
  auto holder = IndexHolder::Open(tmp.path() + "/current", IndexOptions{});
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ((*holder)->generation(), 1u);
  EXPECT_EQ((*holder)->directory(), std::filesystem::canonical(real).string());
  ASSERT_NE((*holder)->Current(), nullptr);
  EXPECT_EQ((*holder)->Served().index, (*holder)->Current());
}

TEST(IndexHolderTest, OpenRefusesAMissingIndexWhenTold) {
  TempDir tmp;
  IndexOptions options;
  options.create_if_missing = false;
  options.error_if_missing = true;
  auto holder = IndexHolder::Open(tmp.path() + "/nothing", options);
  EXPECT_EQ(holder.status().code(), absl::StatusCode::kNotFound) << holder.status();
  EXPECT_EQ(IndexHolder::Open("", IndexOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IndexHolderTest, SwapServesTheNewIndexAndTheOldOneLivesWhileHeld) {
  TempDir a, b;
  IndexHolder holder(OpenWithArtists(a.path(), "a", 1), a.path(), IndexOptions{});
  std::shared_ptr<Index> held = holder.Current();  // a call in flight on the old index

  EXPECT_EQ(holder.Swap(OpenWithArtists(b.path(), "b", 2), b.path()), 2u);
  EXPECT_EQ(holder.generation(), 2u);
  EXPECT_EQ(holder.directory(), b.path());
  EXPECT_TRUE(holder.Current()->Get("b1").ok());
  EXPECT_EQ(holder.Current()->Get("a0").status().code(), absl::StatusCode::kNotFound);

  // The call holding the old index still reads it...
  EXPECT_TRUE(held->Get("a0").ok());
  auto old_search = held->Search(NearLeeds());
  ASSERT_TRUE(old_search.ok()) << old_search.status();
  EXPECT_EQ(old_search->total, 1);
  // ... which is still open (its directory locked) until that call drops it.
  EXPECT_FALSE(Index::Open(a.path()).ok());
  held.reset();
  auto reopened = Index::Open(a.path());
  EXPECT_TRUE(reopened.ok()) << reopened.status();
}

// CurrentSlotLayout measures at most once per interval, and at once for a
// swapped-in index.
TEST(IndexHolderTest, TheSlotLayoutIsMeasuredOncePerIntervalAndAfterASwap) {
  TempDir a, b;
  IndexHolder holder(OpenWithArtists(a.path(), "a", 200), a.path(), IndexOptions{});
  const absl::Time start = absl::Now();
  absl::StatusOr<SlotLayout> layout = holder.CurrentSlotLayout(start);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->artists, 200u);
  EXPECT_EQ(layout->breaks, 0u);  // one batch: slots in cell order

  // a5 moves onto a150: two breaks, unseen until the interval has passed.
  Artist moved = MakeArtist("a5", "Artist a", kLeedsLat + 0.150, kLeedsLon, {"fineline"}, 2);
  WriteBatch move;
  move.Upsert(moved);
  ASSERT_TRUE(holder.Current()->Apply(move).ok());
  EXPECT_EQ(holder.CurrentSlotLayout(start + absl::Seconds(59))->breaks, 0u);
  EXPECT_EQ(holder.CurrentSlotLayout(start + IndexHolder::kSlotLayoutInterval)->breaks, 2u);

  holder.Swap(OpenWithArtists(b.path(), "b", 3), b.path());
  layout = holder.CurrentSlotLayout(start + IndexHolder::kSlotLayoutInterval);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->artists, 3u);
  EXPECT_EQ(layout->breaks, 0u);
}

// --slot-drift-interval: another interval than the default one.
TEST(IndexHolderTest, TheSlotLayoutIntervalCanBeSet) {
  TempDir a;
  IndexHolder holder(OpenWithArtists(a.path(), "a", 200), a.path(), IndexOptions{});
  holder.set_slot_layout_interval(absl::Seconds(5));
  const absl::Time start = absl::Now();
  EXPECT_EQ(holder.CurrentSlotLayout(start)->breaks, 0u);
  WriteBatch move;
  move.Upsert(MakeArtist("a5", "Artist a", kLeedsLat + 0.150, kLeedsLon, {"fineline"}, 2));
  ASSERT_TRUE(holder.Current()->Apply(move).ok());
  EXPECT_EQ(holder.CurrentSlotLayout(start + absl::Seconds(4))->breaks, 0u);
  EXPECT_EQ(holder.CurrentSlotLayout(start + absl::Seconds(5))->breaks, 2u);
}

TEST(IndexHolderTest, SearchesOnOtherThreadsNeverFailAcrossSwaps) {
  // Three indexes with 1, 2 and 3 artists, swapped in turn while four threads
  // search: every search succeeds and sees one whole index.
  TempDir dirs[3];
  std::vector<std::shared_ptr<Index>> indexes;
  for (int i = 0; i < 3; ++i) {
    indexes.push_back(OpenWithArtists(dirs[i].path(), "x" + std::to_string(i), i + 1));
  }
  IndexHolder holder(indexes[0], dirs[0].path(), IndexOptions{});

  std::atomic<bool> done{false};
  std::atomic<int> searches{0}, failures{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 4; ++t) {
    searchers.emplace_back([&] {
      while (!done.load()) {
        std::shared_ptr<Index> index = holder.Current();
        auto r = index->Search(NearLeeds());
        if (!r.ok() || r->total < 1 || r->total > 3 ||
            static_cast<int64_t>(r->hits.size()) != r->total) {
          failures.fetch_add(1);
        }
        searches.fetch_add(1);
      }
    });
  }
  constexpr int kSwaps = 300;
  for (int i = 1; i <= kSwaps; ++i) {
    holder.Swap(indexes[i % 3], dirs[i % 3].path());
    std::this_thread::yield();
  }
  // Keep searching a little after the last swap so every thread ran.
  while (searches.load() < 200) std::this_thread::yield();
  done = true;
  for (std::thread& t : searchers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(holder.generation(), 1u + kSwaps);
}

}  // namespace
}  // namespace inkdex::server
