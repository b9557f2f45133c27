#include "server/log_writer.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/json_log.h"

namespace inkdex::server {
namespace log_writer_test {

using ::testing::HasSubstr;

std::string Notice(uint64_t lines) { return absl::StrCat("dropped ", lines, "\n"); }

// A pipe whose read end the test reads only when it says so, as a log
// driver that stalls would.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  ~Pipe() {
    CloseRead();
    if (write_fd_ >= 0) ::close(write_fd_);
  }
  int write_fd() const { return write_fd_; }
  void CloseRead() {
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = -1;
  }
  // Reads on a thread of its own until the write end is closed.
  std::future<std::string> ReadInBackground() {
    return std::async(std::launch::async, [this] {
      std::string out;
      char buf[65536];
      for (;;) {
        const ssize_t n = ::read(read_fd_, buf, sizeof(buf));
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
      }
      return out;
    });
  }
  // Fills the pipe with "f\n" lines until a write would block: a reader
  // that stopped a while ago.
  void Fill() {
    const int flags = ::fcntl(write_fd_, F_GETFL);
    ASSERT_EQ(::fcntl(write_fd_, F_SETFL, flags | O_NONBLOCK), 0);
    while (::write(write_fd_, "f\n", 2) == 2) {
    }
    ASSERT_EQ(::fcntl(write_fd_, F_SETFL, flags), 0);
  }
  void CloseWrite() {
    ::close(write_fd_);
    write_fd_ = -1;
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

std::vector<std::string> LinesOf(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(LogWriterTest, LinesOfConcurrentCallersArriveWholeAndInTheirOrder) {
  Pipe pipe;
  std::future<std::string> read = pipe.ReadInBackground();
  constexpr int kThreads = 6, kLines = 2000;
  {
    LogWriter::Options options;
    options.max_buffered_bytes = size_t{256} << 20;  // all of them: nothing dropped
    LogWriter writer(pipe.write_fd(), options, Notice);
    // Lines longer than PIPE_BUF: a write that split them would show.
    const std::string padding(5000, 'x');
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i) writer.Append(absl::StrCat(t, " ", i, " ", padding, "\n"));
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_TRUE(writer.Flush(absl::Seconds(60)));
    EXPECT_EQ(writer.dropped_lines(), 0u);
  }
  pipe.CloseWrite();
  const std::vector<std::string> lines = LinesOf(read.get());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    ASSERT_EQ(parts.size(), 3u) << line.substr(0, 40);
    const int t = std::stoi(parts[0]);
    EXPECT_EQ(std::stoi(parts[1]), next[t]) << "one caller's lines stay in order";
    ++next[t];
    EXPECT_EQ(parts[2].size(), 5000u);
  }
}

TEST(LogWriterTest, FlushReturnsOnceEverythingBeforeItIsWritten) {
  Pipe pipe;
  std::future<std::string> read = pipe.ReadInBackground();
  LogWriter::Options options;
  options.batch_delay = absl::Seconds(30);  // only the Flush makes it write
  LogWriter writer(pipe.write_fd(), options, Notice);
  writer.Append("first\n");
  writer.Append("second\n");
  EXPECT_TRUE(writer.Flush(absl::Seconds(20)));
  // Read what the pipe holds now, without waiting for the writer's end.
  pipe.CloseWrite();  // the writer's copy of the fd is the test's: closed
  EXPECT_EQ(read.get(), "first\nsecond\n");
}

TEST(LogWriterTest, AStalledReaderNeverHoldsACallerAndDropsAreCountedThenAnnounced) {
  Pipe pipe;  // not read until the end
  pipe.Fill();
  LogWriter::Options options;
  options.max_buffered_bytes = 4096;
  auto writer = std::make_unique<LogWriter>(pipe.write_fd(), options, Notice);
  // Far more than the buffer holds. With writes on the callers' threads the
  // first would block on the full pipe: the bounded wait turns that hang
  // into a failure.
  constexpr int kLines = 20000;
  const std::string line = std::string(99, 'y') + "\n";
  std::future<void> appended = std::async(std::launch::async, [&] {
    for (int i = 0; i < kLines; ++i) writer->Append(line);
  });
  ASSERT_EQ(appended.wait_for(std::chrono::seconds(60)), std::future_status::ready)
      << "Append waited for the stalled reader";
  const uint64_t dropped = writer->dropped_lines();
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(dropped, static_cast<uint64_t>(kLines));
  EXPECT_FALSE(writer->Flush(absl::Milliseconds(50))) << "the reader is stalled";

  // The reader comes back: the buffered lines, then the notice.
  std::future<std::string> read = pipe.ReadInBackground();
  EXPECT_TRUE(writer->Flush(absl::Seconds(60)));
  writer.reset();
  pipe.CloseWrite();
  const std::vector<std::string> lines = LinesOf(read.get());
  uint64_t kept = 0, announced = 0;
  for (const std::string& l : lines) {
    if (l == "f") continue;  // Fill's
    if (l.starts_with("dropped ")) {
      announced += std::stoull(l.substr(8));
    } else {
      EXPECT_EQ(l.size(), 99u);
      ++kept;
    }
  }
  EXPECT_EQ(announced, dropped);
  EXPECT_EQ(kept + dropped, static_cast<uint64_t>(kLines));
}

TEST(LogWriterTest, AWriteErrorCountsItsLinesAsDropped) {
  signal(SIGPIPE, SIG_IGN);  // as inkdex-server: EPIPE instead of death
  Pipe pipe;
  pipe.CloseRead();
  LogWriter writer(pipe.write_fd(), LogWriter::Options(), Notice);
  for (int i = 0; i < 10; ++i) writer.Append("lost\n");
  EXPECT_TRUE(writer.Flush(absl::Seconds(20))) << "given up on is finished with";
  EXPECT_EQ(writer.dropped_lines(), 10u);
}

TEST(LogWriterTest, DestructionWritesWhatIsBuffered) {
  Pipe pipe;
  std::future<std::string> read = pipe.ReadInBackground();
  {
    LogWriter::Options options;
    options.batch_delay = absl::Seconds(30);
    LogWriter writer(pipe.write_fd(), options, Notice);
    writer.Append("last words\n");
  }
  pipe.CloseWrite();
  EXPECT_EQ(read.get(), "last words\n");
}

TEST(LogWriterTest, JsonLogQueuesWholeJsonLinesOnIt) {
  Pipe pipe;
  std::future<std::string> read = pipe.ReadInBackground();
  {
    LogWriter writer(pipe.write_fd(), LogWriter::Options(), Notice);
    JsonLog log(LogLevel::kInfo, &writer);
    log.Event(LogLevel::kInfo, "rpc", {{"method", "Search"}});
    log.Event(LogLevel::kDebug, "hidden", {});
    EXPECT_TRUE(writer.Flush(absl::Seconds(20)));
  }
  pipe.CloseWrite();
  const std::vector<std::string> lines = LinesOf(read.get());
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json line = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["event"], "rpc");
  EXPECT_EQ(line["method"], "Search");
  // The server's drop notice is such a line.
  const std::string notice =
      JsonLog::EventLine(LogLevel::kWarn, "log_lines_dropped", {{"lines", 7}});
  EXPECT_TRUE(notice.ends_with("}\n"));
  const nlohmann::json parsed = nlohmann::json::parse(notice);
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["lines"], 7);
  EXPECT_THAT(notice, HasSubstr("\"ts\":"));
}

}  // namespace log_writer_test
}  // namespace inkdex::server
