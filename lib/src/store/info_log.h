// InfoLog: the diagnostic log of a document store (RocksDB's "info log"),
// the file `<docs dir>/LOG`, written so that it can never take the store or
// the process down.
//
// Why not RocksDB's own: its file logger (EnvLogger in RocksDB 7.8) asserts
// when it is asked to log again after one of its writes failed, and Debian's
// librocksdb keeps assertions: on a full disk, the first failed log write
// followed by the next message (RocksDB logs while recovering from the
// no-space error) aborted the whole process, where the commit should simply
// have failed with an error. This log drops what it cannot write (counted in
// dropped()), and when the file passes `max_bytes` it is renamed to LOG.old
// and started afresh, so it never grows without bound.
//
// Cost: one vsnprintf and one write(2) per message; the store logs at WARN
// level and above, a handful of lines a day.
//
// Thread safety: thread-safe (RocksDB logs from its background threads).
#ifndef INKDEX_STORE_INFO_LOG_H_
#define INKDEX_STORE_INFO_LOG_H_

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"

namespace inkdex::store {

class InfoLog : public rocksdb::Logger {
 public:
  // Appends to `path` (created when missing). A file that cannot be opened
  // leaves a log that drops every message: logging never fails an open.
  InfoLog(std::string path, uint64_t max_bytes, rocksdb::InfoLogLevel level);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override;

  // Messages not written (a failed write, or no file).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  void Write(const char* level_name, const char* format, va_list ap);
  void OpenFile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const uint64_t max_bytes_;
  absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace inkdex::store

#endif  // INKDEX_STORE_INFO_LOG_H_
