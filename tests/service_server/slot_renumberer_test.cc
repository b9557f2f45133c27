// SlotRenumberer: renumbers the served index when its slot drift calls for
// it, into a new generation that --index then names; the old generation is
// removed once closed; failures leave the old index serving and wait
// retry_after_failure.
#include "server/slot_renumberer.h"

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "stream/index_generations.h"

namespace inkdex::server {
namespace slot_renumberer_test {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

// 1,200 artists written a few at a time in no spatial order.
void WriteScattered(WriteCommitter& committer, uint64_t version = 1) {
  std::mt19937 rng(7 + version);
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170);
  for (int first = 0; first < 1200; first += 20) {
    WriteBatch batch;
    for (int i = first; i < first + 20; ++i) {
      batch.Upsert(MakeArtist(absl::StrCat("a", (i * 7919) % 1200), "Wombat", lat(rng), lon(rng),
                              {"blackwork"}, version));
    }
    ASSERT_TRUE(committer.Write(batch).ok());
  }
}

class SlotRenumbererTest : public ::testing::Test {
 protected:
  // Opens the index at path() as a generation symlink (as inkdex-server does
  // with --renumber-online-at-drift), or as a plain directory.
  void Open(bool generations) {
    if (generations) {
      ASSERT_TRUE(stream::EnsureGenerationLayout(path()).ok());
    }
    auto holder = IndexHolder::Open(path(), IndexOptions{});
    ASSERT_TRUE(holder.ok()) << holder.status();
    holder_ = *std::move(holder);
    WriteCommitter::Options options;
    options.commit_interval = absl::Milliseconds(1);
    committer_ = std::make_unique<WriteCommitter>(*holder_, options);
    WriteScattered(*committer_);
  }
  std::unique_ptr<SlotRenumberer> Renumberer(double drift, std::function<bool()> ready = nullptr,
                                             GenerationOwner* generations = nullptr,
                                             std::function<void()> started = nullptr) {
    SlotRenumberer::Options options;
    options.generations = generations;
    options.index_path = path();
    options.drift = drift;
    options.interval = absl::Hours(1);  // RunOnce only
    options.ready = std::move(ready);
    options.renumber.verify = true;
    options.on_start = [this, started](const SlotRenumbering& run) {
      started_.push_back(run.directory);
      if (started) started();
    };
    options.on_run = [this](const SlotRenumbering& run) { runs_.push_back(run); };
    return std::make_unique<SlotRenumberer>(*committer_, *holder_, std::move(options));
  }
  std::string path() const { return dir_.path() + "/index"; }
  double Drift() {
    absl::StatusOr<SlotLayout> layout = holder_->Current()->MeasureSlotLayout();
    EXPECT_TRUE(layout.ok()) << layout.status();
    return layout.ok() ? layout->Drift() : -1;
  }

  TempDir dir_;
  std::unique_ptr<IndexHolder> holder_;
  std::unique_ptr<WriteCommitter> committer_;
  std::vector<std::string> started_;
  std::vector<SlotRenumbering> runs_;
};

TEST_F(SlotRenumbererTest, RenumbersIntoANewGenerationThatTheIndexPathNames) {
  Open(/*generations=*/true);
  const std::string old_generation = holder_->directory();
  const double drift = Drift();
  ASSERT_GT(drift, 0.3);
  std::unique_ptr<SlotRenumberer> renumberer = Renumberer(0.2);
  std::optional<SlotRenumbering> run = renumberer->RunOnce();
  ASSERT_TRUE(run.has_value());
  ASSERT_TRUE(run->status.ok()) << run->status;
  EXPECT_EQ(started_, std::vector<std::string>{run->directory});
  ASSERT_EQ(runs_.size(), 1u);
  EXPECT_DOUBLE_EQ(run->before.Drift(), drift);
  EXPECT_EQ(run->drift_after, 0);
  EXPECT_EQ(Drift(), 0);
  EXPECT_EQ(holder_->generation(), 2u);
  const std::string served = std::filesystem::canonical(run->directory).string();
  EXPECT_EQ(holder_->directory(), served);
  absl::StatusOr<std::string> named = stream::CurrentGeneration(path());
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(*named, served);
  // The replaced generation was closed (nothing held it) and removed.
  EXPECT_EQ(run->removed, std::vector<std::string>{old_generation});
  EXPECT_FALSE(std::filesystem::exists(old_generation));
  EXPECT_EQ(run->result.swap.documents, 1200u);

  // Below the threshold now: nothing more to do.
  EXPECT_FALSE(renumberer->RunOnce().has_value());
  renumberer->Stop();

  // A restart opens the renumbered generation through --index.
  ASSERT_TRUE(committer_
                  ->Write([] {
                    WriteBatch b;
                    b.Upsert(MakeArtist("after", "Wombat After", 1, 1, {"blackwork"}, 1));
                    return b;
                  }())
                  .ok());
  committer_->Stop();
  committer_.reset();
  holder_.reset();
  absl::StatusOr<std::unique_ptr<Index>> reopened = Index::Open(path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->Stats().documents, 1201u);
  EXPECT_TRUE((*reopened)->Get("after").ok());
}

TEST_F(SlotRenumbererTest, WaitsForTheThresholdAndForReadiness) {
  Open(/*generations=*/true);
  bool ready = false;
  std::unique_ptr<SlotRenumberer> renumberer = Renumberer(0.2, [&ready] { return ready; });
  EXPECT_FALSE(renumberer->RunOnce().has_value());  // a bootstrap is running
  EXPECT_FALSE(renumberer->RunOnce(/*force=*/true).has_value());
  ready = true;
  renumberer.reset();
  renumberer = Renumberer(0.99);
  EXPECT_FALSE(renumberer->RunOnce().has_value());  // drifted, but not that far
  EXPECT_TRUE(started_.empty());
  std::optional<SlotRenumbering> forced = renumberer->RunOnce(/*force=*/true);
  ASSERT_TRUE(forced.has_value());
  EXPECT_TRUE(forced->status.ok()) << forced->status;
  EXPECT_EQ(Drift(), 0);
}

// A renumbering is followed by no automatic one for min_interval, however
// far the index drifts meanwhile; asked or forced ones still run.
TEST_F(SlotRenumbererTest, NoAutomaticRenumberingWithinMinIntervalOfTheLast) {
  Open(/*generations=*/true);
  std::unique_ptr<SlotRenumberer> renumberer = Renumberer(0.2);
  ASSERT_TRUE(renumberer->RunOnce().has_value());
  ASSERT_EQ(Drift(), 0);
  WriteScattered(*committer_, /*version=*/2);  // every artist moved again
  ASSERT_GT(Drift(), 0.3);
  EXPECT_FALSE(renumberer->RunOnce().has_value());
  EXPECT_EQ(runs_.size(), 1u);
  absl::StatusOr<SlotRenumbering> asked = renumberer->RunAsked(0.2, nullptr);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_FALSE(asked->skipped);
  EXPECT_TRUE(asked->status.ok()) << asked->status;
  EXPECT_EQ(Drift(), 0);
}

// A drain's RequestStop ends an asked renumbering in progress at once (its
// call must end within the drain), as UNAVAILABLE: try another replica.
TEST_F(SlotRenumbererTest, RequestStopEndsAnAskedRenumberingAsUnavailable) {
  Open(/*generations=*/true);
  const std::string served = holder_->directory();
  SlotRenumberer* self = nullptr;
  std::unique_ptr<SlotRenumberer> renumberer =
      Renumberer(0.2, nullptr, nullptr, [&self] { self->RequestStop(); });
  self = renumberer.get();
  absl::StatusOr<SlotRenumbering> asked = renumberer->RunAsked(0, nullptr);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_TRUE(absl::IsUnavailable(asked->status)) << asked->status;
  EXPECT_THAT(std::string(asked->status.message()), ::testing::HasSubstr("stopping"));
  EXPECT_FALSE(std::filesystem::exists(asked->directory));
  EXPECT_EQ(holder_->directory(), served);
  // Stopped: nothing more, asked or not.
  EXPECT_TRUE(absl::IsUnavailable(renumberer->RunAsked(0, nullptr).status()));
  EXPECT_FALSE(renumberer->RunOnce(/*force=*/true).has_value());
}

// --index a plain directory: the repointing fails at the last step, so the
// renumbering fails, the old index serves on with every write, the copy is
// removed, and the next try waits retry_after_failure (unless forced).
TEST_F(SlotRenumbererTest, AFailureLeavesTheOldIndexServingAndWaitsBeforeRetrying) {
  Open(/*generations=*/false);
  const std::string served = holder_->directory();
  std::unique_ptr<SlotRenumberer> renumberer = Renumberer(0.2);
  std::optional<SlotRenumbering> run = renumberer->RunOnce();
  ASSERT_TRUE(run.has_value());
  EXPECT_FALSE(run->status.ok());
  EXPECT_FALSE(std::filesystem::exists(run->directory));
  EXPECT_EQ(holder_->directory(), served);
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_GT(Drift(), 0.3);
  EXPECT_EQ(holder_->Current()->Stats().documents, 1200u);
  EXPECT_FALSE(renumberer->RunOnce().has_value());  // within retry_after_failure
  std::optional<SlotRenumbering> forced = renumberer->RunOnce(/*force=*/true);
  ASSERT_TRUE(forced.has_value());
  EXPECT_FALSE(forced->status.ok());
  EXPECT_EQ(runs_.size(), 2u);
  // Writes go on to the old index.
  WriteBatch b;
  b.Upsert(MakeArtist("later", "Wombat Later", 1, 1, {"blackwork"}, 1));
  ASSERT_TRUE(committer_->Write(b).ok());
  EXPECT_TRUE(holder_->Current()->Get("later").ok());
}

// A stream-fed server's renumberer shares the generations with the stream
// supervisor: none while a re-sync holds them, and one in progress gives
// way to a re-sync that asks (the old index serves on, the copy is removed,
// and the next check is not held back as after a failure).
TEST_F(SlotRenumbererTest, GivesTheGenerationsUpToAResync) {
  Open(/*generations=*/true);
  const std::string served = holder_->directory();
  GenerationOwner owner;
  std::thread resync;
  std::atomic<bool> resynced{false};
  bool asked = false;
  std::unique_ptr<SlotRenumberer> renumberer = Renumberer(0.2, nullptr, &owner, [&] {
    if (std::exchange(asked, true)) return;
    resync = std::thread([&] {
      owner.Acquire();
      resynced = true;
      owner.Release();
    });
    // The renumbering goes on only once the re-sync asks.
    while (!owner.YieldRequested()) absl::SleepFor(absl::Milliseconds(1));
  });

  ASSERT_TRUE(owner.TryAcquire());  // a re-sync runs
  EXPECT_FALSE(renumberer->RunOnce().has_value());
  EXPECT_TRUE(started_.empty());
  owner.Release();

  std::optional<SlotRenumbering> run = renumberer->RunOnce();
  ASSERT_TRUE(run.has_value());
  EXPECT_TRUE(absl::IsCancelled(run->status)) << run->status;
  resync.join();
  EXPECT_TRUE(resynced);
  EXPECT_FALSE(std::filesystem::exists(run->directory));
  EXPECT_EQ(holder_->directory(), served);
  EXPECT_EQ(holder_->generation(), 1u);
  EXPECT_EQ(holder_->Current()->Stats().documents, 1200u);

  // Not a failure: the next check renumbers (the started hook is spent).
  std::optional<SlotRenumbering> again = renumberer->RunOnce();
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->status.ok()) << again->status;
  EXPECT_EQ(Drift(), 0);
  // And released the generations.
  ASSERT_TRUE(owner.TryAcquire());
  owner.Release();
}

}  // namespace slot_renumberer_test
}  // namespace inkdex::server
