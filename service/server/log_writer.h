// LogWriter: writes whole lines to a file descriptor from a thread of its
// own, so that no caller ever waits for whoever reads the log.
//
// inkdex-server writes a line for every call to stderr. Written by the
// calling thread, under the lock that keeps lines whole, a reader that stops
// reading (a container's log driver blocked on CloudWatch Logs, a pipe into a
// stuck collector) filled the 64 KiB pipe and then held every call, the
// drain and SIGTERM with it, while /healthz still answered ok. Here a caller
// only copies its line into a bounded buffer. The writer thread writes the
// buffer out in batches (one write() for many lines), and when the buffer is
// full a line is dropped and counted; once writing resumes, a notice line
// (made by `drop_notice`) says how many were lost.
//
//   LogWriter writer(STDERR_FILENO, {}, [](uint64_t n) { return Notice(n); });
//   writer.Append("{\"event\":\"rpc\"}\n");   // never waits for the reader
//   writer.Flush(absl::Seconds(1));         // before exiting
//
// Cost: Append is a lock, a copy of the line and an unlock; while lines keep
// coming the writer wakes at most once per `batch_delay`, so a line reaches
// the descriptor at most `batch_delay` after it was appended (plus the time
// the reader takes). Memory: at most `max_buffered_bytes` of waiting lines,
// plus the batch being written.
//
// Thread safety: thread-safe.
// Ownership: does not own `fd`, which must stay open while the writer lives.
// The destructor writes what is buffered and joins the thread, so it waits
// for a stalled reader; a process whose reader may stall for good (the
// server) leaks its writer and bounds its last wait with Flush.
#ifndef INKDEX_SERVICE_SERVER_LOG_WRITER_H_
#define INKDEX_SERVICE_SERVER_LOG_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace inkdex::server {

// Writes all of `bytes` to `fd`, retrying partial and interrupted writes;
// false (the rest unwritten) on an error. Blocks while the reader does.
bool WriteFully(int fd, std::string_view bytes);

class LogWriter {
 public:
  struct Options {
    // Lines waiting to be written beyond this are dropped (~25,000 call
    // lines at the default).
    size_t max_buffered_bytes = size_t{8} << 20;
    // How long the writer gathers lines before a write, unless a Flush waits
    // or the buffer passes a quarter of its bound.
    absl::Duration batch_delay = absl::Milliseconds(2);
  };
  // The line written after lines were dropped, given how many; one line,
  // ending in '\n'.
  using DropNotice = std::function<std::string(uint64_t dropped_lines)>;

  LogWriter(int fd, Options options, DropNotice drop_notice);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues `line` (whole lines only: REQUIRES it to end in '\n') or, when the
  // buffer is full, drops it. Never waits for the descriptor.
  void Append(std::string_view line);

  // Waits until every line appended before the call has been written (or
  // given up on: a write error drops the rest of its batch), at most
  // `timeout`. False when the time ran out (the reader is stalled).
  bool Flush(absl::Duration timeout);

  // Lines dropped so far: for a full buffer, or lost to a write error.
  uint64_t dropped_lines() const;

 private:
  void Run();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ShouldWriteNow() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int fd_;
  const Options options_;
  const DropNotice drop_notice_;

  mutable absl::Mutex mu_;
  std::string pending_ ABSL_GUARDED_BY(mu_);
  // Bytes accepted into pending_ since the start, and how many of them the
  // writer has finished with: a Flush waits for the second to reach the first.
  uint64_t appended_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t finished_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_lines_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t unreported_drops_ ABSL_GUARDED_BY(mu_) = 0;  // not yet in a notice
  int flush_waiters_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_LOG_WRITER_H_
