// SearchRequest::interrupted and deadline: a search stops with CANCELLED
// when the caller asks, or DEADLINE_EXCEEDED past its deadline, polls while
// it runs (not only before; Xapian's text matching included), and is
// unchanged otherwise.
#include <atomic>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

class InterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IndexOptions options;
    options.sync = false;
    auto idx = Index::Open(dir_.path(), options);
    ASSERT_TRUE(idx.ok()) << idx.status();
    index_ = *std::move(idx);
    // 40,000 artists on a 200 x 200 grid around Leeds: enough candidates that
    // a wide search polls many times.
    WriteBatch batch;
    for (int i = 0; i < 40000; ++i) {
      batch.Upsert(MakeArtist("a" + std::to_string(i), "Artist " + std::to_string(i),
                              53.0 + (i / 200) * 0.01, -2.5 + (i % 200) * 0.01,
                              {i % 2 ? "blackwork" : "fine_line"}));
    }
    ASSERT_TRUE(index_->Apply(batch).ok());
  }
  SearchRequest Wide() const {
    SearchRequest r;
    r.point = GeoPoint{54.0, -1.5};
    r.radius_km = 500;
    return r;
  }
  TempDir dir_;
  std::unique_ptr<Index> index_;
};

TEST_F(InterruptTest, AlreadyInterruptedSearchIsCancelled) {
  SearchRequest r = Wide();
  r.interrupted = [] { return true; };
  absl::StatusOr<SearchResponse> response = index_->Search(r);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled) << response.status();
}

TEST_F(InterruptTest, InterruptionDuringTheScanStopsIt) {
  for (bool nearest : {false, true}) {
    SearchRequest r = Wide();
    if (nearest) r.radius_km.reset();  // nearest-first, facets: scans every row
    std::atomic<int> polls = 0;
    r.interrupted = [&polls] { return ++polls >= 3; };
    absl::StatusOr<SearchResponse> response = index_->Search(r);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled)
        << "nearest=" << nearest << " " << response.status();
    // Polled mid-scan (more than the check before starting) and stopped at
    // once when told: the scan of 40,000 rows would poll about 10 times.
    EXPECT_EQ(polls.load(), 3) << "nearest=" << nearest;
  }
}

TEST_F(InterruptTest, PastTheDeadlineIsDeadlineExceeded) {
  SearchRequest r = Wide();
  r.deadline = absl::Now() - absl::Milliseconds(1);
  EXPECT_EQ(index_->Search(r).status().code(), absl::StatusCode::kDeadlineExceeded);
  r.deadline = absl::Now() + absl::Hours(1);
  EXPECT_TRUE(index_->Search(r).ok());
}

TEST_F(InterruptTest, TextMatchingStopsAtTheDeadline) {
  // Every artist matches "artist": Xapian's match alone reads 40,000
  // postings, far more than a millisecond's work.
  SearchRequest r;
  r.text = "artist";
  r.deadline = absl::Now() + absl::Milliseconds(1);
  EXPECT_EQ(index_->Search(r).status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(InterruptTest, TextMatchingPollsAndStopsWhenInterrupted) {
  for (bool regional : {false, true}) {
    SearchRequest r = regional ? Wide() : SearchRequest();
    r.text = "artist";
    std::atomic<int> polls = 0;
    r.interrupted = [&polls] {
      ++polls;
      return false;
    };
    absl::StatusOr<SearchResponse> all = index_->Search(r);
    ASSERT_TRUE(all.ok()) << all.status();
    EXPECT_EQ(all->total, 40000);
    // Polled about every 1,000 documents Xapian matched, not only around
    // the match (the rest of the search polls every 4,096 rows: ~10 times).
    const int full = polls.load();
    EXPECT_GT(full, 40) << "regional=" << regional;

    polls = 0;
    r.interrupted = [&polls] { return ++polls >= 3; };
    EXPECT_EQ(index_->Search(r).status().code(), absl::StatusCode::kCancelled);
    EXPECT_EQ(polls.load(), 3) << "regional=" << regional;
  }
}

TEST_F(InterruptTest, NeverInterruptedGivesTheSameAnswer) {
  SearchRequest plain = Wide();
  SearchRequest polled = Wide();
  std::atomic<int> polls = 0;
  polled.interrupted = [&polls] {
    ++polls;
    return false;
  };
  absl::StatusOr<SearchResponse> a = index_->Search(plain);
  absl::StatusOr<SearchResponse> b = index_->Search(polled);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->total, 40000);
  EXPECT_EQ(a->total, b->total);
  ASSERT_EQ(a->hits.size(), b->hits.size());
  for (size_t i = 0; i < a->hits.size(); ++i) EXPECT_EQ(a->hits[i].id, b->hits[i].id);
  EXPECT_GT(polls.load(), 2);
}

}  // namespace
}  // namespace inkdex
