#include "store/info_log.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "index/test_util.h"
#include "rocksdb/env.h"

namespace inkdex::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Log(rocksdb::Logger& log, rocksdb::InfoLogLevel level, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  log.Logv(level, format, ap);
  va_end(ap);
}

TEST(InfoLogTest, WritesMessagesAtOrAboveItsLevelWithTheLevelNamed) {
  inkdex::testing::TempDir dir;
  const std::string path = dir.path() + "/LOG";
  {
    InfoLog log(path, 1 << 20, rocksdb::InfoLogLevel::WARN_LEVEL);
    Log(log, rocksdb::InfoLogLevel::INFO_LEVEL, "flush %d started", 7);
    Log(log, rocksdb::InfoLogLevel::WARN_LEVEL, "stall: %s", "write buffer full");
    Log(log, rocksdb::InfoLogLevel::ERROR_LEVEL, "no space for %llu bytes", 1234ULL);
    EXPECT_EQ(log.dropped(), 0u);
  }
  const std::string text = ReadFile(path);
  EXPECT_THAT(text, Not(HasSubstr("flush 7 started")));
  EXPECT_THAT(text, HasSubstr("[WARN] stall: write buffer full\n"));
  EXPECT_THAT(text, HasSubstr("[ERROR] no space for 1234 bytes\n"));
}

TEST(InfoLogTest, AMessageLongerThanTheBufferIsWrittenWhole) {
  inkdex::testing::TempDir dir;
  const std::string path = dir.path() + "/LOG";
  const std::string long_text(5000, 'x');
  {
    InfoLog log(path, 1 << 20, rocksdb::InfoLogLevel::WARN_LEVEL);
    Log(log, rocksdb::InfoLogLevel::WARN_LEVEL, "<%s>", long_text.c_str());
  }
  EXPECT_THAT(ReadFile(path), HasSubstr("<" + long_text + ">\n"));
}

TEST(InfoLogTest, PastItsSizeTheFileStartsAfreshKeepingTheOldOne) {
  inkdex::testing::TempDir dir;
  const std::string path = dir.path() + "/LOG";
  InfoLog log(path, 200, rocksdb::InfoLogLevel::WARN_LEVEL);
  for (int i = 0; i < 10; ++i) Log(log, rocksdb::InfoLogLevel::WARN_LEVEL, "message %d", i);
  EXPECT_LE(ReadFile(path).size(), 200u);
  EXPECT_THAT(ReadFile(path), HasSubstr("message 9"));
  EXPECT_THAT(ReadFile(path + ".old"), HasSubstr("[WARN] message"));
  EXPECT_EQ(log.dropped(), 0u);
}

// What aborted the process with RocksDB's own file logger: messages after a
// failed write. /dev/full fails every write with ENOSPC.
TEST(InfoLogTest, FailedWritesAreDroppedAndCountedNeverFatal) {
  InfoLog log("/dev/full", 1 << 20, rocksdb::InfoLogLevel::WARN_LEVEL);
  for (int i = 0; i < 3; ++i) Log(log, rocksdb::InfoLogLevel::ERROR_LEVEL, "disk full %d", i);
  EXPECT_EQ(log.dropped(), 3u);
}

TEST(InfoLogTest, AFileThatCannotBeOpenedDropsEveryMessage) {
  InfoLog log("/nonexistent-dir/LOG", 1 << 20, rocksdb::InfoLogLevel::WARN_LEVEL);
  Log(log, rocksdb::InfoLogLevel::ERROR_LEVEL, "lost");
  EXPECT_EQ(log.dropped(), 1u);
}

}  // namespace
}  // namespace inkdex::store
