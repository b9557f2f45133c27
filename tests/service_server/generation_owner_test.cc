// GenerationOwner: a renumbering takes the generations only when free and
// nobody waits; a re-sync asks the holder to yield and waits for it.
#include "server/generation_owner.h"

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace inkdex::server {
namespace generation_owner_test {

// Spins until `done` (at most 10 s, so a bug fails instead of hanging).
template <typename Fn>
bool Eventually(Fn done) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(GenerationOwnerTest, OneHolderAtATime) {
  GenerationOwner owner;
  ASSERT_TRUE(owner.TryAcquire());
  EXPECT_FALSE(owner.TryAcquire());
  EXPECT_FALSE(owner.YieldRequested());
  owner.Release();
  ASSERT_TRUE(owner.TryAcquire());
  owner.Release();
}

TEST(GenerationOwnerTest, AWaitingResyncAsksTheHolderToYieldAndGoesFirst) {
  GenerationOwner owner;
  ASSERT_TRUE(owner.TryAcquire());  // a renumbering
  std::atomic<bool> acquired{false};
  std::thread resync([&] {
    owner.Acquire();
    acquired = true;
    // Held: nobody else gets in.
    EXPECT_FALSE(owner.TryAcquire());
    owner.Release();
  });
  ASSERT_TRUE(Eventually([&] { return owner.YieldRequested(); }));
  EXPECT_FALSE(acquired);
  owner.Release();
  // While the re-sync waits or holds, a new renumbering is refused: it gets
  // in only after the re-sync's turn.
  if (owner.TryAcquire()) {
    EXPECT_TRUE(acquired);
    owner.Release();
  }
  resync.join();
  EXPECT_TRUE(acquired);
  EXPECT_FALSE(owner.YieldRequested());
  ASSERT_TRUE(owner.TryAcquire());
  owner.Release();
}

}  // namespace generation_owner_test
}  // namespace inkdex::server
