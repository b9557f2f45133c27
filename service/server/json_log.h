// JsonLog: inkdex-server's structured log, one JSON object per line.
//
// Every line starts with "ts" (UTC, RFC 3339 with milliseconds) and "level"
// ("debug", "info", "warn", "error"), followed by the caller's fields in the
// order given. Lines below the minimum level are dropped. Strings that are
// not valid UTF-8 are written with U+FFFD in place of the bad bytes, so a
// hostile request id or text never breaks a line or the server.
//
// Never log tokens or whole records: ids, counts, sizes and codes only.
//
// Thread safety: thread-safe. Lines from concurrent threads never interleave:
// on a descriptor each goes out in one write() (looping only if the kernel
// takes part of it) under a mutex; through a LogWriter each is queued whole.
// Ownership: the log does not own `fd` or `writer`; it never closes the fd,
// and the writer must outlive it.
#ifndef INKDEX_SERVICE_SERVER_JSON_LOG_H_
#define INKDEX_SERVICE_SERVER_JSON_LOG_H_

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/log_writer.h"

namespace inkdex::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn" (or "warning"), "error"; INVALID_ARGUMENT otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name);
std::string_view LogLevelName(LogLevel level);

// Appends `s` as a JSON string (quoted, escaped; invalid UTF-8 replaced).
// Printable ASCII without quotes or backslashes, which is what ids, method
// and code names and peers are, is copied as it is; anything else goes
// through DumpJson.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `,"key":value` to `out` (the form CallGuard collects notes in) for
// a string or an integer value, without building a JSON value.
void AppendJsonStringMember(std::string& out, std::string_view key, std::string_view value);
void AppendJsonIntMember(std::string& out, std::string_view key, int64_t value);

// `duration` in milliseconds rounded to the microsecond, for log fields.
double LogMillis(absl::Duration duration);

// JSON text of `value`; invalid UTF-8 replaced, never throws.
std::string DumpJson(const nlohmann::ordered_json& value);

// A failure's log fields: {"code": "NOT_FOUND", "message": ...}.
nlohmann::ordered_json StatusFields(const absl::Status& status);

class JsonLog {
 public:
  // Writes each line to `fd` on the calling thread: a reader that stops
  // reading stops the callers too.
  explicit JsonLog(LogLevel min_level = LogLevel::kInfo, int fd = STDERR_FILENO);
  // Queues each line on `writer` (log_writer.h): callers never wait for the
  // reader; lines beyond its buffer are dropped and counted there.
  JsonLog(LogLevel min_level, LogWriter* writer);
  JsonLog(const JsonLog&) = delete;
  JsonLog& operator=(const JsonLog&) = delete;

  bool Enabled(LogLevel level) const {
    return static_cast<int>(level) >= min_level_.load(std::memory_order_relaxed);
  }
  void set_min_level(LogLevel level) {
    min_level_.store(static_cast<int>(level), std::memory_order_relaxed);
  }

  // Writes one line: ts, level, the members of `fields` (REQUIRES: an object
  // or null), then `raw_members` (",\"k\":v" each, see AppendJsonStringMember).
  void Write(LogLevel level, const nlohmann::ordered_json& fields,
             std::string_view raw_members = {});

  // Writes {"ts", "level", "event": event, ...fields}.
  void Event(LogLevel level, std::string_view event,
             const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

  // Event() whatever the minimum level: for lines that feed a machine rather
  // than a reader (metrics in CloudWatch's embedded metric format,
  // emf_publisher.h), which --log-level must not turn off.
  void EventUnfiltered(LogLevel level, std::string_view event,
                       const nlohmann::ordered_json& fields);

  // The text of a line (ending in '\n') as Write and Event would write it:
  // for a line composed away from any log (LogWriter's drop notice).
  static std::string Line(LogLevel level, const nlohmann::ordered_json& fields,
                          std::string_view raw_members = {});
  static std::string EventLine(LogLevel level, std::string_view event,
                               const nlohmann::ordered_json& fields);

 private:
  void WriteLine(const std::string& line);

  std::atomic<int> min_level_;
  const int fd_;
  LogWriter* const writer_ = nullptr;  // when set, fd_ is unused
  std::mutex write_mutex_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_JSON_LOG_H_
