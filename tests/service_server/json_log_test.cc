#include "server/json_log.h"

#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "service_server/shell_test_util.h"

namespace inkdex::server {
namespace {

using ::testing::HasSubstr;
using testing::LogCapture;

TEST(ParseLogLevelTest, KnownAndUnknownNames) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("INFO"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  absl::StatusOr<LogLevel> bad = ParseLogLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("loud"));
  EXPECT_EQ(LogLevelName(LogLevel::kWarn), "warn");
}

TEST(LogMillisTest, RoundsToTheMicrosecond) {
  EXPECT_EQ(LogMillis(absl::Microseconds(74302) / 1000), 0.074);
  EXPECT_EQ(LogMillis(absl::Milliseconds(1500)), 1500);
  EXPECT_EQ(LogMillis(absl::Nanoseconds(1234567)), 1.235);
}

TEST(JsonLogTest, WritesOneObjectPerLineWithTimestampAndLevelFirst) {
  LogCapture capture;
  JsonLog log(LogLevel::kInfo, capture.fd());
  log.Event(LogLevel::kInfo, "listening", {{"grpc", "127.0.0.1:1"}, {"port", 1}});
  log.Write(LogLevel::kWarn, {{"msg", "careful"}}, ",\"extra\":7");

  const std::string text = capture.Text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.rfind("{\"ts\":\"", 0), 0u);
  std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 2u);
  // gtest's POSIX regular expressions, not std::regex: GCC 12 reports false
  // uninitialized reads inside <regex> when built with ASan (make test-asan).
  EXPECT_THAT(
      lines[0]["ts"].get<std::string>(),
      ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["event"], "listening");
  EXPECT_EQ(lines[0]["grpc"], "127.0.0.1:1");
  EXPECT_EQ(lines[0]["port"], 1);
  EXPECT_EQ(lines[1]["level"], "warn");
  EXPECT_EQ(lines[1]["msg"], "careful");
  EXPECT_EQ(lines[1]["extra"], 7);
  // Fields keep the caller's order after ts and level.
  EXPECT_LT(text.find("\"event\""), text.find("\"grpc\""));
  EXPECT_LT(text.find("\"level\""), text.find("\"event\""));
}

TEST(JsonLogTest, DropsLinesBelowMinimumLevel) {
  LogCapture capture;
  JsonLog log(LogLevel::kWarn, capture.fd());
  EXPECT_FALSE(log.Enabled(LogLevel::kInfo));
  EXPECT_TRUE(log.Enabled(LogLevel::kError));
  log.Event(LogLevel::kDebug, "a");
  log.Event(LogLevel::kInfo, "b");
  log.Event(LogLevel::kWarn, "c");
  log.Event(LogLevel::kError, "d");
  log.set_min_level(LogLevel::kDebug);
  log.Event(LogLevel::kDebug, "e");
  std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["event"], "c");
  EXPECT_EQ(lines[1]["event"], "d");
  EXPECT_EQ(lines[2]["event"], "e");
  EXPECT_EQ(lines[2]["level"], "debug");
}

TEST(JsonLogTest, EscapesAndReplacesInvalidUtf8) {
  LogCapture capture;
  JsonLog log(LogLevel::kInfo, capture.fd());
  log.Event(LogLevel::kInfo, "odd", {{"text", std::string("a\"b\nc\xff\xfe")}});
  std::string raw;
  AppendJsonStringMember(raw, "k\"ey", std::string("\x80"));
  log.Write(LogLevel::kInfo, nullptr, raw);
  std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["text"], "a\"b\nc\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(lines[1]["k\"ey"], "\xEF\xBF\xBD");
}

TEST(JsonLogTest, StringAndIntegerMembersWithoutJsonValues) {
  // The per-call members (AppendJsonStringMember / AppendJsonIntMember) copy
  // plain ASCII as it is and escape everything else exactly as DumpJson.
  const std::vector<std::string> texts = {"",
                                          "ipv4:127.0.0.1:5000",
                                          "ipv6:[::1]:80",
                                          "quote\"d",
                                          "back\\slash",
                                          "tab\there",
                                          "ctl\x01",
                                          "del\x7f",
                                          "caf\xc3\xa9",
                                          "bad\xff",
                                          std::string("nul\0in", 6)};
  for (const std::string& text : texts) {
    std::string raw;
    AppendJsonStringMember(raw, text, text);
    AppendJsonIntMember(raw, "n", -1234567890123);
    // What nlohmann writes for the same members.
    const std::string expected = "," + DumpJson(nlohmann::ordered_json(text)) + ":" +
                                 DumpJson(nlohmann::ordered_json(text)) + ",\"n\":" +
                                 DumpJson(nlohmann::ordered_json(int64_t{-1234567890123}));
    EXPECT_EQ(raw, expected) << text;
    const nlohmann::json parsed = nlohmann::json::parse("{" + raw.substr(1) + "}");
    EXPECT_EQ(parsed["n"], -1234567890123);
  }
  std::string plain;
  AppendJsonString(plain, "GetArtist");
  EXPECT_EQ(plain, "\"GetArtist\"");
}

TEST(JsonLogTest, ConcurrentLinesNeverInterleave) {
  LogCapture capture;
  JsonLog log(LogLevel::kInfo, capture.fd());
  constexpr int kThreads = 8, kLines = 300;
  // Long lines (beyond PIPE_BUF) make interleaving likely without the lock.
  const std::string padding(6000, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) {
        log.Event(LogLevel::kInfo, "n", {{"thread", t}, {"i", i}, {"pad", padding}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const nlohmann::json& line : lines) {
    const int t = line["thread"];
    EXPECT_EQ(line["i"], next[t]) << "lines of one thread stay in order";
    ++next[t];
    EXPECT_EQ(line["pad"].get<std::string>().size(), padding.size());
  }
}

}  // namespace
}  // namespace inkdex::server
