#include "geo/cell_index.h"

#include <algorithm>
#include <random>
#include <vector>

#include "geo/distance.h"
#include "geo/region.h"
#include "gtest/gtest.h"

namespace inkdex::geo {
namespace {

TEST(CellIndexTest, FindsEntriesInRangesAndMergeDropsStale) {
  std::vector<CellEntry> entries;
  for (uint32_t slot = 1; slot <= 100; ++slot) {
    CellEntry e;
    e.cell = LeafCellId(50 + slot * 0.01, 0);
    e.slot = slot;
    entries.push_back(e);
  }
  CellIndex index(entries);
  const auto ranges = CoverCap(50.5, 0, 2);
  std::vector<uint32_t> found;
  index.ForEachIn(ranges, [&](const CellEntry& e) { found.push_back(e.slot); });
  // Slots whose point is within 2 km of (50.5, 0) must all be found.
  for (uint32_t slot = 1; slot <= 100; ++slot) {
    if (DistanceKm(50.5, 0, 50 + slot * 0.01, 0) <= 2) {
      EXPECT_NE(std::find(found.begin(), found.end(), slot), found.end()) << slot;
    }
  }
  EXPECT_LT(found.size(), 100u);  // and the covering is selective
  EXPECT_EQ(index.CountIn(ranges), found.size());
  size_t seen = 0;
  EXPECT_FALSE(index.ForEachInUntil(ranges, [&](const CellEntry&) { return ++seen < 3; }));
  EXPECT_EQ(seen, std::min<size_t>(3, found.size()));
  EXPECT_TRUE(index.ForEachInUntil(ranges, [](const CellEntry&) { return true; }));
  CellEntry extra;
  extra.cell = LeafCellId(10, 10);
  extra.slot = 1000;
  CellIndex merged =
      CellIndex::Merge(index, {extra}, [](const CellEntry& e) { return e.slot % 2 == 0; });
  EXPECT_EQ(merged.size(), 51u);
  EXPECT_TRUE(std::is_sorted(merged.entries().begin(), merged.entries().end()));
}

TEST(CellIndexTest, PrefetchesEachEntryAheadOfVisitingIt) {
  // Ranges of 3, 20 and 1 entries: shorter and longer than the lookahead.
  std::vector<CellEntry> entries;
  auto add = [&](uint64_t cell, uint32_t slot) {
    CellEntry e;
    e.cell = cell;
    e.slot = slot;
    entries.push_back(e);
  };
  for (uint32_t i = 0; i < 3; ++i) add(100 + i, i);
  add(150, 99);  // between the ranges: neither visited nor prefetched
  for (uint32_t i = 0; i < 20; ++i) add(200 + i, 10 + i);
  add(300, 50);
  const CellIndex index(entries);
  const std::vector<CellRange> ranges = {{100, 120}, {200, 260}, {300, 300}};
  std::vector<uint32_t> visited, prefetched;
  EXPECT_TRUE(index.ForEachInUntil(
      ranges,
      [&](const CellEntry& e) {
        // Every entry was prefetched before it is visited, and at most
        // kPrefetchAhead entries ahead of it.
        EXPECT_NE(std::find(prefetched.begin(), prefetched.end(), e.slot), prefetched.end());
        visited.push_back(e.slot);
        return true;
      },
      [&](const CellEntry& e) {
        EXPECT_LE(prefetched.size(), visited.size() + CellIndex::kPrefetchAhead);
        prefetched.push_back(e.slot);
      }));
  EXPECT_EQ(visited.size(), 24u);
  EXPECT_EQ(prefetched, visited) << "each entry prefetched once, in order";
  // Stopping early stops the prefetching too.
  visited.clear();
  prefetched.clear();
  EXPECT_FALSE(index.ForEachInUntil(
      ranges, [&](const CellEntry& e) { return visited.emplace_back(e.slot), visited.size() < 5; },
      [&](const CellEntry& e) { prefetched.push_back(e.slot); }));
  EXPECT_EQ(visited.size(), 5u);
  EXPECT_LE(prefetched.size(), 5 + CellIndex::kPrefetchAhead);
}

// Many entries on few cells (runs longer than a fence stride) and on many
// cells, sizes around multiples of the stride, ranges anywhere (before,
// between and after the entries, empty, single cells): lookups, counts and
// visits equal a linear scan's, before and after a merge.
TEST(CellIndexTest, LookupsEqualALinearScan) {
  std::mt19937_64 rng(11);
  for (size_t n : {0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 4099}) {
    const uint64_t cells = n % 2 == 0 ? 50 : 100000;  // runs of equal cells, or few
    std::uniform_int_distribution<uint64_t> cell(1000, 1000 + cells);
    std::vector<CellEntry> entries(n);
    for (size_t i = 0; i < n; ++i) {
      entries[i].cell = cell(rng);
      entries[i].slot = static_cast<uint32_t>(i);
    }
    const CellIndex built(entries);
    std::vector<CellEntry> added(n / 3 + 1);
    for (CellEntry& e : added) e.cell = cell(rng), e.slot = static_cast<uint32_t>(rng());
    const CellIndex merged =
        CellIndex::Merge(built, added, [](const CellEntry& e) { return e.slot % 3 != 0; });
    for (const CellIndex* index : {&built, &merged}) {
      const std::vector<CellEntry>& all = index->entries();
      for (uint64_t c : {uint64_t{0}, uint64_t{999}, uint64_t{1000}, 1000 + cells / 2, 1000 + cells,
                         1001 + cells, ~uint64_t{0}}) {
        const size_t expected = static_cast<size_t>(
            std::find_if(all.begin(), all.end(), [&](const CellEntry& e) { return e.cell >= c; }) -
            all.begin());
        EXPECT_EQ(index->LowerBound(c), expected) << "n " << n << " cell " << c;
      }
      for (int trial = 0; trial < 50; ++trial) {
        std::uniform_int_distribution<uint64_t> any(900, 1100 + cells);
        std::vector<uint64_t> ends;
        for (int k = 0; k < 2 * (1 + trial % 6); ++k) ends.push_back(any(rng));
        std::sort(ends.begin(), ends.end());
        std::vector<CellRange> ranges;
        for (size_t k = 0; k + 1 < ends.size(); k += 2) {
          if (!ranges.empty() && ends[k] <= ranges.back().max) continue;  // keep them disjoint
          ranges.push_back({ends[k], ends[k + 1]});
        }
        std::vector<uint32_t> expected, visited;
        for (const CellEntry& e : all) {
          for (const CellRange& r : ranges) {
            if (e.cell >= r.min && e.cell <= r.max) expected.push_back(e.slot);
          }
        }
        index->ForEachIn(ranges, [&](const CellEntry& e) { visited.push_back(e.slot); });
        EXPECT_EQ(visited, expected) << "n " << n << " trial " << trial;
        EXPECT_EQ(index->CountIn(ranges), expected.size());
      }
    }
  }
}

// The tag-filtered scan: the entries whose tags have the mask's bits, the
// budget counting every entry read (passing or not) and shared between
// calls, false exactly when entries were left unread or fn stopped it.
TEST(CellIndexTest, TaggedScansVisitTheMatchingEntriesWithinTheBudget) {
  std::vector<CellEntry> entries;
  for (uint32_t i = 0; i < 200; ++i) {
    CellEntry e;
    e.cell = 1000 + i;
    e.slot = i;
    e.tag = {i % 3 == 0 ? 0b101u : 0b001u, i % 5 == 0 ? 1u : 0u};
    entries.push_back(e);
  }
  const CellIndex index(entries);
  const std::vector<CellRange> ranges = {{1010, 1049}, {1100, 1119}, {5000, 6000}};  // 60 entries
  auto expected = [&](std::array<uint64_t, 2> mask, size_t limit) {
    std::vector<uint32_t> slots;
    size_t read = 0;
    for (const CellEntry& e : entries) {
      const bool in = (e.cell >= 1010 && e.cell <= 1049) || (e.cell >= 1100 && e.cell <= 1119);
      if (!in || read++ >= limit) continue;
      if ((e.tag[0] & mask[0]) == mask[0] && (e.tag[1] & mask[1]) == mask[1]) {
        slots.push_back(e.slot);
      }
    }
    return slots;
  };
  for (std::array<uint64_t, 2> mask :
       {std::array<uint64_t, 2>{0b100, 0}, std::array<uint64_t, 2>{0b001, 1},
        std::array<uint64_t, 2>{0, 0}}) {
    for (size_t budget : {0, 1, 39, 40, 41, 59, 60, 61, 1000}) {
      std::vector<uint32_t> visited;
      size_t left = budget;
      const bool complete = index.ForEachTaggedUntil(ranges, mask, &left, [&](const CellEntry& e) {
        visited.push_back(e.slot);
        return true;
      });
      EXPECT_EQ(visited, expected(mask, budget)) << "budget " << budget;
      EXPECT_EQ(complete, budget >= 60) << "budget " << budget;
      EXPECT_EQ(left, budget >= 60 ? budget - 60 : 0) << "budget " << budget;
    }
  }
  // Stopped by fn at the third match (slots 12, 15, 18 pass 0b100 after
  // 10): entries read up to and including it count.
  size_t left = 100;
  int calls = 0;
  EXPECT_FALSE(index.ForEachTaggedUntil(ranges, {0b100, 0}, &left,
                                        [&](const CellEntry&) { return ++calls < 3; }));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(left, 100u - 9);  // slots 10..18 read
}

}  // namespace
}  // namespace inkdex::geo
