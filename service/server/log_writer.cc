#include "server/log_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace inkdex::server {

bool WriteFully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

LogWriter::LogWriter(int fd, Options options, DropNotice drop_notice)
    : fd_(fd),
      options_(options),
      drop_notice_(std::move(drop_notice)),
      thread_([this] { Run(); }) {}

LogWriter::~LogWriter() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void LogWriter::Append(std::string_view line) {
  absl::MutexLock lock(&mu_);
  if (pending_.size() + line.size() > options_.max_buffered_bytes) {
    ++dropped_lines_;
    ++unreported_drops_;
    return;
  }
  pending_.append(line);
  appended_bytes_ += line.size();
}

bool LogWriter::Flush(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const uint64_t target = appended_bytes_;
  ++flush_waiters_;
  auto done = [this, target]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finished_bytes_ >= target; };
  const bool flushed = mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  --flush_waiters_;
  return flushed;
}

uint64_t LogWriter::dropped_lines() const {
  absl::MutexLock lock(&mu_);
  return dropped_lines_;
}

bool LogWriter::HasWork() const { return !pending_.empty() || unreported_drops_ > 0 || stop_; }

bool LogWriter::ShouldWriteNow() const {
  return stop_ || flush_waiters_ > 0 || pending_.size() >= options_.max_buffered_bytes / 4;
}

void LogWriter::Run() {
  std::string batch;
  for (;;) {
    uint64_t batch_end = 0;
    uint64_t drops = 0;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &LogWriter::HasWork));
      if (stop_ && pending_.empty() && unreported_drops_ == 0) return;
      // Gathers the lines of the next few milliseconds into the same write.
      if (!ShouldWriteNow()) {
        mu_.AwaitWithTimeout(absl::Condition(this, &LogWriter::ShouldWriteNow),
                             options_.batch_delay);
      }
      batch.swap(pending_);
      batch_end = appended_bytes_;
      drops = std::exchange(unreported_drops_, 0);
    }
    const bool written = WriteFully(fd_, batch);
    if (written && drops > 0) WriteFully(fd_, drop_notice_(drops));
    const uint64_t lost =
        written ? 0 : static_cast<uint64_t>(std::count(batch.begin(), batch.end(), '\n'));
    batch.clear();
    absl::MutexLock lock(&mu_);
    // Lost to a write error: counted, never announced (the descriptor that
    // failed would carry the notice).
    dropped_lines_ += lost;
    finished_bytes_ = batch_end;
  }
}

}  // namespace inkdex::server
