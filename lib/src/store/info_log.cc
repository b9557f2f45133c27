#include "store/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace inkdex::store {
namespace {

const char* LevelName(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::DEBUG_LEVEL:
      return "DEBUG";
    case rocksdb::InfoLogLevel::INFO_LEVEL:
      return "INFO";
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      return "WARN";
    case rocksdb::InfoLogLevel::ERROR_LEVEL:
      return "ERROR";
    case rocksdb::InfoLogLevel::FATAL_LEVEL:
      return "FATAL";
    case rocksdb::InfoLogLevel::HEADER_LEVEL:
      return "HEADER";
    default:
      return "LOG";
  }
}

}  // namespace

InfoLog::InfoLog(std::string path, uint64_t max_bytes, rocksdb::InfoLogLevel level)
    : rocksdb::Logger(level), path_(std::move(path)), max_bytes_(max_bytes) {
  absl::MutexLock lock(&mu_);
  OpenFile();
}

InfoLog::~InfoLog() {
  if (!closed_) (void)Close();
}

void InfoLog::OpenFile() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  struct stat st {};
  size_ = fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

rocksdb::Status InfoLog::CloseImpl() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return rocksdb::Status::OK();
}

void InfoLog::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel()) return;
  Write(LevelName(level), format, ap);
}

void InfoLog::Logv(const char* format, va_list ap) { Write("INFO", format, ap); }

void InfoLog::Write(const char* level_name, const char* format, va_list ap) {
  const std::string stamp =
      absl::FormatTime("%Y/%m/%d-%H:%M:%E6S", absl::Now(), absl::LocalTimeZone());
  char body[2048];
  va_list copy;
  va_copy(copy, ap);
  const int n = std::vsnprintf(body, sizeof(body), format, copy);
  va_end(copy);
  if (n < 0) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::string line = stamp + " [" + level_name + "] ";
  if (static_cast<size_t>(n) < sizeof(body)) {
    line.append(body, static_cast<size_t>(n));
  } else {  // longer than the buffer: formatted again at its size
    std::string long_body(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(long_body.data(), long_body.size(), format, ap);
    long_body.resize(static_cast<size_t>(n));
    line += long_body;
  }
  if (line.back() != '\n') line.push_back('\n');

  absl::MutexLock lock(&mu_);
  if (fd_ >= 0 && size_ + line.size() > max_bytes_) {
    ::close(fd_);
    (void)::rename(path_.c_str(), (path_ + ".old").c_str());
    OpenFile();
  }
  if (fd_ < 0) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const ssize_t written = ::write(fd_, line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size())) {
    // A full disk, mostly. A partial line is left as it is: the next
    // message starts on its own line only if it fits, which is all a
    // diagnostic log needs.
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  if (written > 0) size_ += static_cast<uint64_t>(written);
}

}  // namespace inkdex::store
