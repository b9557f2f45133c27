// SlotRangeSpill (index/slot_range_spill.h): stored records sorted into
// runs of consecutive slots through files, for rebuilding the search index.
#include "index/slot_range_spill.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex::index {
namespace {

using ::inkdex::testing::TempDir;

StoredRecord RecordAt(uint32_t slot) {
  StoredRecord r;
  r.set_slot(slot);
  r.set_version(slot + 1);
  r.mutable_artist()->set_id(absl::StrCat("id", slot));
  r.mutable_artist()->set_biography(std::string(slot % 50, 'b'));  // records of varied sizes
  return r;
}

TEST(SlotRangeSpillTest, ReadsEachRangeBackSortedBySlot) {
  TempDir dir;
  const std::string spill_dir = dir.path() + "/spill";
  constexpr uint32_t kLimit = 1000, kRange = 64;
  {
    SlotRangeSpill spill(spill_dir, kLimit, kRange);
    ASSERT_EQ(spill.ranges(), 16u);  // 15 full ranges and one of 40 slots
    EXPECT_EQ(spill.RangeEnd(0), 64u);
    EXPECT_EQ(spill.RangeEnd(15), kLimit);
    // Every third slot, added in an order unlike slot order (as the store's
    // id order is), and none in range 2.
    std::vector<uint32_t> added;
    for (uint32_t i = 0; i < kLimit; ++i) {
      const uint32_t slot = (i * 389) % kLimit;
      if (slot % 3 != 0 || slot / kRange == 2) continue;
      ASSERT_TRUE(spill.Add(RecordAt(slot)).ok());
      added.push_back(slot);
    }
    ASSERT_TRUE(spill.Flush().ok());
    size_t read = 0;
    for (size_t k = 0; k < spill.ranges(); ++k) {
      auto records = spill.Take(k);
      ASSERT_TRUE(records.ok()) << records.status();
      if (k == 2) {
        EXPECT_TRUE(records->empty());
      }
      for (size_t i = 0; i < records->size(); ++i) {
        const auto& [slot, record] = (*records)[i];
        EXPECT_EQ(slot / kRange, k);
        EXPECT_EQ(record.slot(), slot);
        EXPECT_EQ(record.artist().id(), absl::StrCat("id", slot));
        EXPECT_EQ(record.artist().biography().size(), slot % 50);
        if (i > 0) {
          EXPECT_GT(slot, (*records)[i - 1].first);
        }
        ++read;
      }
    }
    EXPECT_EQ(read, added.size());
    EXPECT_GT(spill.bytes_written(), 0u);
    // Taken ranges leave no files behind.
    EXPECT_TRUE(std::filesystem::is_empty(spill_dir));
  }
  EXPECT_FALSE(std::filesystem::exists(spill_dir));  // removed with the spill
}

TEST(SlotRangeSpillTest, WritesLargeRangesInSeveralAppends) {
  // More than one 256 KiB write per range: the appends read back in order.
  TempDir dir;
  SlotRangeSpill spill(dir.path() + "/spill", 4000, 4000);
  for (uint32_t slot = 4000; slot-- > 0;) {
    StoredRecord r = RecordAt(slot);
    r.mutable_artist()->set_biography(std::string(300, 'x'));
    ASSERT_TRUE(spill.Add(r).ok());
  }
  ASSERT_TRUE(spill.Flush().ok());
  auto records = spill.Take(0);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 4000u);
  for (uint32_t slot = 0; slot < 4000; ++slot) EXPECT_EQ((*records)[slot].first, slot);
}

TEST(SlotRangeSpillTest, RefusesASlotPastItsLimit) {
  TempDir dir;
  SlotRangeSpill spill(dir.path() + "/spill", 100, 10);
  const absl::Status s = spill.Add(RecordAt(100));
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(s.message().find("slot"), std::string::npos);
}

TEST(SlotRangeSpillTest, ReportsAFileItCannotWriteOrParse) {
  TempDir dir;
  // A file where the spill directory should be: nothing can be written.
  std::ofstream(dir.path() + "/blocked") << "x";
  {
    SlotRangeSpill blocked(dir.path() + "/blocked/spill", 100, 10);
    absl::Status s = blocked.Add(RecordAt(5));
    if (s.ok()) s = blocked.Flush();
    EXPECT_TRUE(absl::IsInternal(s)) << s;
  }
  // A range file damaged after it was written.
  SlotRangeSpill spill(dir.path() + "/spill", 100, 10);
  ASSERT_TRUE(spill.Add(RecordAt(5)).ok());
  ASSERT_TRUE(spill.Flush().ok());
  std::ofstream(dir.path() + "/spill/range-0", std::ios::app) << "\x7f\x00\x00\x00garbage";
  auto records = spill.Take(0);
  EXPECT_TRUE(absl::IsInternal(records.status())) << records.status();
  EXPECT_NE(records.status().message().find("range-0"), std::string::npos);
}

}  // namespace
}  // namespace inkdex::index
