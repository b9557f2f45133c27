// Regression test of an engine failure found by the concurrency test: after
// ~128 commits of 20 artists each whose names carry a word "batchNNN"
// (spelling data on), the Xapian writer reports DatabaseCorruptError ("Too
// few chunks of compressed data") and every later Apply fails.
#include <cstdio>

#include "crash/crash_util.h"
#include "gtest/gtest.h"

namespace inkdex::crash {
namespace {

TEST(XapianSpellingTest, ManyCommitsOfNameWordsSharingAPrefix) {
  ScratchDir dir("spelling");
  auto index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  for (int b = 0; b < 200; ++b) {
    char marker[16];
    std::snprintf(marker, sizeof marker, "batch%03d", b);
    WriteBatch batch;
    for (int i = 0; i < 20; ++i) {
      batch.Upsert(MakeArtist(std::string(marker) + "_" + std::to_string(i), 1, 10, 10, marker));
    }
    absl::StatusOr<std::vector<ChangeResult>> r = (*index)->Apply(batch);
    ASSERT_TRUE(r.ok()) << "batch " << b << ": " << r.status();
  }
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

}  // namespace
}  // namespace inkdex::crash
