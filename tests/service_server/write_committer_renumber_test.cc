// WriteCommitter::RenumberSlots: the served index is copied, the copy
// opened with its slots renumbered in cell order, the commits made
// meanwhile re-applied to it, and the copy served; writes never stop and
// none is lost.
#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "server/write_committer.h"

namespace inkdex::server {
namespace renumber_test {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

constexpr int kArtists = 3000;
const std::vector<std::string> kStyles = {"blackwork", "fineline", "japanese", "realism"};

// Artists written a few at a time in no spatial order, then some moved,
// hidden and deleted: an index whose slots have drifted.
std::vector<WriteBatch> Scattered(uint64_t seed, int first_version) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170);
  std::vector<WriteBatch> batches;
  for (int first = 0; first < kArtists; first += 50) {
    WriteBatch batch;
    for (int i = first; i < first + 50; ++i) {
      Artist a =
          MakeArtist(absl::StrCat("a", (i * 7919) % kArtists), absl::StrCat("Quokka Group", i % 10),
                     lat(rng), lon(rng), {kStyles[i % kStyles.size()]}, first_version);
      if (i % 97 == 0) a.set_opted_out(true);
      batch.Upsert(std::move(a));
    }
    if (first % 500 == 0) batch.Delete(absl::StrCat("a", first + 7), first_version + 1);
    batches.push_back(std::move(batch));
  }
  return batches;
}

// Everything an index holds that a reader can see: each stored artist
// (hidden ones too) and the answers to a few searches.
std::vector<std::string> Contents(const Index& index) {
  std::vector<std::string> out;
  EXPECT_TRUE(index
                  .ForEachArtist(
                      [&](const Artist& a) {
                        out.push_back(a.ShortDebugString());
                        return absl::OkStatus();
                      },
                      /*include_hidden=*/true)
                  .ok());
  std::vector<SearchRequest> requests(4);
  requests[0].text = "quokka group3";
  requests[1].point = GeoPoint{10, 10};
  requests[1].radius_km = 4000;
  requests[2].styles = {"japanese"};
  requests[2].sort = SortOrder::kRating;
  requests[3].text = "later";
  requests[3].point = GeoPoint{51.5, -0.1};
  requests[3].sort = SortOrder::kDistance;
  for (SearchRequest& q : requests) {
    q.limit = 100;
    absl::StatusOr<SearchResponse> r = index.Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) continue;
    out.push_back(absl::StrCat("total=", r->total));
    for (const SearchHit& h : r->hits) out.push_back(absl::StrCat(h.id, " ", h.distance_km));
  }
  const IndexStats stats = index.Stats();
  out.push_back(absl::StrCat("documents=", stats.documents, " tombstones=", stats.tombstones,
                             " searchable=", stats.searchable));
  return out;
}

class RenumberSlotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto holder = IndexHolder::Open(dir_.path() + "/served", IndexOptions{});
    ASSERT_TRUE(holder.ok()) << holder.status();
    holder_ = *std::move(holder);
    WriteCommitter::Options options;
    options.commit_interval = absl::Milliseconds(1);
    committer_ = std::make_unique<WriteCommitter>(*holder_, options);
    for (const WriteBatch& b : Scattered(1, 1)) ASSERT_TRUE(committer_->Write(b).ok());
    absl::StatusOr<SlotLayout> layout = holder_->Current()->MeasureSlotLayout();
    ASSERT_TRUE(layout.ok()) << layout.status();
    ASSERT_GT(layout->Drift(), 0.3);
  }
  std::string CopyDir() const { return dir_.path() + "/renumbered"; }

  TempDir dir_;
  std::unique_ptr<IndexHolder> holder_;
  std::unique_ptr<WriteCommitter> committer_;
};

// A writer keeps committing moves, new artists and deletes from the first
// poll of the renumbering's open until the renumbering returns; the index
// served afterwards holds every one of them, with its slots in cell order,
// and equals the old index, which took the same writes.
TEST_F(RenumberSlotsTest, WritesGoOnAndNoneIsLost) {
  std::atomic<bool> start_writing{false}, stop_writing{false};
  std::atomic<int> written_during_open{0};
  std::atomic<bool> opening{true};
  // 40 batches: each moves 10 artists, adds one and every fifth deletes one.
  std::vector<WriteBatch> moves(40);
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170);
  for (size_t i = 0; i < moves.size(); ++i) {
    for (size_t j = 0; j < 10; ++j) {
      moves[i].Upsert(MakeArtist(absl::StrCat("a", 10 * i + j + 1), "Moved Quokka", lat(rng),
                                 lon(rng), {"japanese"}, 5));
    }
    moves[i].Upsert(MakeArtist(absl::StrCat("later", i), "Later Quokka", 51.5, -0.1 + i * 0.01,
                               {"realism"}, 1));
    if (i % 5 == 0) moves[i].Delete(absl::StrCat("a", 2000 + i), 5);
    // One artist changed by every batch, deleted by every third and back
    // after it, and a stale change of it: a replay that merges commits
    // must end it as the served index did.
    const uint64_t v = 10 + 2 * i;
    if (i % 3 == 0) {
      moves[i].Delete("hot", v);
    } else {
      moves[i].Upsert(
          MakeArtist("hot", absl::StrCat("Hot Quokka ", i), 10 + i * 0.1, 20, {"realism"}, v));
    }
    moves[i].Upsert(MakeArtist("hot", "Stale Quokka", 0, 0, {"realism"}, v - 1));
    // As a stream reader's checkpoint rides with its records.
    moves[i].PutMetadata("checkpoint", absl::StrCat("after batch ", i));
  }
  size_t written = 0;
  absl::Status write_error;
  std::thread writer([&] {
    while (!start_writing) absl::SleepFor(absl::Milliseconds(1));
    for (; written < moves.size() && !stop_writing; ++written) {
      absl::StatusOr<CommitOutcome> r = committer_->Write(moves[written]);
      if (!r.ok()) {
        write_error = r.status();
        return;
      }
      if (opening) ++written_during_open;
      absl::SleepFor(absl::Milliseconds(2));
    }
  });
  RenumberOptions options;
  options.cancelled = [&] {
    if (!start_writing) {
      start_writing = true;
      // Give the writer time to commit during the open.
      const absl::Time until = absl::Now() + absl::Seconds(10);
      while (written_during_open < 5 && absl::Now() < until) absl::SleepFor(absl::Milliseconds(1));
    }
    return false;
  };
  absl::StatusOr<RenumberResult> result = committer_->RenumberSlots(CopyDir(), options);
  opening = false;
  stop_writing = true;
  writer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(write_error.ok()) << write_error;
  EXPECT_GE(written_during_open, 5);
  EXPECT_GE(result->replayed_commits, 5u);
  EXPECT_GE(result->replayed_changes, 5 * 12u);
  EXPECT_EQ(result->swap.generation, 2u);
  EXPECT_EQ(holder_->directory(), std::filesystem::canonical(CopyDir()).string());
  EXPECT_LE(result->swap.commit_seq, holder_->Current()->Stats().commit_seq);  // the writer goes on
  EXPECT_GT(result->copied_commit_seq, 0u);
  // The metadata of the commits replayed came along: the served index has
  // the last one written (a stream-fed server resumes from it).
  absl::StatusOr<std::optional<std::string>> checkpoint =
      holder_->Current()->GetMetadata("checkpoint");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->value_or("none"), absl::StrCat("after batch ", written - 1));

  // Writes after it go to the renumbered index only.
  for (; written < moves.size(); ++written) ASSERT_TRUE(committer_->Write(moves[written]).ok());
  const std::vector<std::string> served = Contents(*holder_->Current());
  absl::StatusOr<SlotLayout> layout = holder_->Current()->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  // Only the artists moved or added after the copy can be out of place:
  // 2 breaks each at most.
  EXPECT_LE(layout->breaks, 2 * 11 * moves.size());
  absl::StatusOr<VerifyReport> verified = holder_->Current()->Verify();
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok()) << verified->problems[0];

  // The old index (closed: nothing holds it) took every write up to the
  // swap; given the rest, it holds what the renumbered one does.
  absl::StatusOr<std::unique_ptr<Index>> old = Index::Open(dir_.path() + "/served");
  ASSERT_TRUE(old.ok()) << old.status();
  absl::StatusOr<std::optional<std::string>> unused = (*old)->GetMetadata("x");
  ASSERT_TRUE(unused.ok());
  for (size_t i = 0; i < moves.size(); ++i) {
    absl::StatusOr<std::vector<ChangeResult>> r = (*old)->Apply(moves[i]);  // stale if there
    ASSERT_TRUE(r.ok()) << r.status();
  }
  EXPECT_EQ(Contents(**old), served);
}

TEST_F(RenumberSlotsTest, BadDirectoriesLeaveTheServedIndexUnchanged) {
  const std::string served = holder_->directory();
  absl::StatusOr<RenumberResult> empty = committer_->RenumberSlots("", {});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  std::filesystem::create_directory(CopyDir());
  absl::StatusOr<RenumberResult> taken = committer_->RenumberSlots(CopyDir(), {});
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kInvalidArgument) << taken.status();
  EXPECT_NE(taken.status().message().find("exists already"), std::string::npos) << taken.status();
  EXPECT_TRUE(std::filesystem::exists(CopyDir()));  // not ours to remove
  EXPECT_EQ(holder_->directory(), served);
  EXPECT_EQ(holder_->generation(), 1u);
  ASSERT_TRUE(committer_->Write(Scattered(3, 9)[0]).ok());
}

// A cancelled renumbering removes its copy, stops recording, and serves on;
// the next one succeeds.
TEST_F(RenumberSlotsTest, ACancelledRenumberingLeavesNothingBehind) {
  const std::vector<std::string> before = Contents(*holder_->Current());
  RenumberOptions options;
  options.cancelled = [] { return true; };
  absl::StatusOr<RenumberResult> cancelled = committer_->RenumberSlots(CopyDir(), options);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  EXPECT_FALSE(std::filesystem::exists(CopyDir()));
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_EQ(Contents(*holder_->Current()), before);

  const std::vector<WriteBatch> more = Scattered(4, 9);
  ASSERT_TRUE(committer_->Write(more[0]).ok());
  absl::StatusOr<RenumberResult> done = committer_->RenumberSlots(CopyDir(), {});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->replayed_commits, 0u);  // nothing was written during it
  EXPECT_EQ(holder_->generation(), 2u);
  absl::StatusOr<SlotLayout> layout = holder_->Current()->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->breaks, 0u);
}

TEST_F(RenumberSlotsTest, StopEndsARenumberingAndRefusesTheNext) {
  RenumberOptions options;
  std::atomic<bool> stopped{false};
  std::thread stopper;
  options.cancelled = [&] {
    if (!stopped.exchange(true)) stopper = std::thread([&] { committer_->Stop(); });
    return false;
  };
  absl::StatusOr<RenumberResult> result = committer_->RenumberSlots(CopyDir(), options);
  stopper.join();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  EXPECT_FALSE(std::filesystem::exists(CopyDir()));
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_EQ(committer_->RenumberSlots(CopyDir(), {}).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace renumber_test
}  // namespace inkdex::server
