#include "engine/slot_collector.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

namespace inkdex::engine {
namespace {

std::vector<uint32_t> Collect(const std::vector<uint32_t>& slots, uint32_t limit) {
  SlotCollector c;
  for (uint32_t s : slots) c.Add(s);
  return std::move(c).Take(limit);
}

std::vector<uint32_t> SortedDistinct(const std::vector<uint32_t>& slots) {
  std::set<uint32_t> set(slots.begin(), slots.end());
  return {set.begin(), set.end()};
}

TEST(SlotCollectorTest, AnIncreasingRunComesBackAsItIs) {
  EXPECT_EQ(Collect({}, 10), std::vector<uint32_t>{});
  EXPECT_EQ(Collect({3, 5, 9}, 10), (std::vector<uint32_t>{3, 5, 9}));
  EXPECT_EQ(Collect({3, 3, 5, 5, 9}, 10), (std::vector<uint32_t>{3, 5, 9}));
}

// Runs with a few strays (merged), many strays (sorted whole, below and
// above the bitmap's threshold), an early high stray, and repeats of slots
// in and out of the run: always the sorted distinct slots.
TEST(SlotCollectorTest, EveryArrivalOrderGivesTheSortedDistinctSlots) {
  std::mt19937 rng(5);
  const uint32_t limit = 1'000'000;
  for (size_t n : {1, 10, 100, 3000, 5000, 40000}) {
    for (int strays_per_100 : {0, 1, 5, 30, 100}) {
      std::vector<uint32_t> slots;
      uint32_t next = 1000;
      std::uniform_int_distribution<uint32_t> any(0, limit - 1), percent(0, 99), gap(1, 20);
      for (size_t i = 0; i < n; ++i) {
        if (percent(rng) < static_cast<uint32_t>(strays_per_100)) {
          slots.push_back(any(rng));
        } else if (!slots.empty() && percent(rng) < 3) {
          slots.push_back(slots[std::uniform_int_distribution<size_t>(0, slots.size() - 1)(rng)]);
        } else {
          slots.push_back(next += gap(rng));
        }
      }
      EXPECT_EQ(Collect(slots, limit), SortedDistinct(slots))
          << "n " << n << ", strays per 100 " << strays_per_100;
      // The same, after an early slot above all the others.
      slots.insert(slots.begin(), limit - 1);
      EXPECT_EQ(Collect(slots, limit), SortedDistinct(slots))
          << "n " << n << ", strays per 100 " << strays_per_100 << ", high first";
    }
  }
}

TEST(SlotCollectorTest, AFewHighSlotsInTheRunAreSetAside) {
  // Guest spots of artists located far away: slots high above their
  // neighbours in cell order, alone or a few in a row, and one repeated.
  std::vector<uint32_t> slots;
  for (uint32_t s = 100; s < 200; ++s) {
    slots.push_back(s);
    if (s == 120) slots.push_back(900000);
    if (s == 150) slots.insert(slots.end(), {800000, 800001, 900000, 900002});
    if (s == 170) slots.insert(slots.end(), {5, 6, 7, 8, 9, 10});  // low ones
  }
  slots.insert(slots.begin(), 999999);  // before all
  EXPECT_EQ(Collect(slots, 1000000), SortedDistinct(slots));
}

TEST(SlotCollectorTest, TheBitmapIsClearAfterUse) {
  std::vector<uint32_t> many;
  for (uint32_t s = 10000; s > 0; --s) many.push_back(s * 7);  // all out of order
  EXPECT_EQ(Collect(many, 100000), SortedDistinct(many));
  // A second use on this thread sees none of the first's bits.
  std::vector<uint32_t> other;
  for (uint32_t s = 5000; s > 0; --s) other.push_back(s * 11 + 1);
  EXPECT_EQ(Collect(other, 100000), SortedDistinct(other));
}

}  // namespace
}  // namespace inkdex::engine
