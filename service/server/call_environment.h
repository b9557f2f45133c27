// CallEnvironment: what all calls of one inkdex-server share — the token
// rules, the concurrency limiter, the metrics and the log — for CallGuard
// (call_guard.h) to admit and record each call.
//
// Thread safety: thread-safe; one instance serves every call.
// Ownership: owns its limiter, metrics and log. It must outlive every
// CallGuard and every service that holds a reference to it.
#ifndef INKDEX_SERVICE_SERVER_CALL_ENVIRONMENT_H_
#define INKDEX_SERVICE_SERVER_CALL_ENVIRONMENT_H_

#include <unistd.h>

#include <memory>
#include <string>

#include "server/json_log.h"
#include "server/metrics.h"
#include "server/request_limiter.h"
#include "server/token_check.h"

namespace inkdex::server {

struct CallEnvironmentOptions {
  std::string write_token;  // empty: writes refused (FAILED_PRECONDITION)
  std::string read_token;   // empty: reads open
  int max_concurrent_requests = 64;
  LogLevel log_level = LogLevel::kInfo;
  int log_fd = STDERR_FILENO;  // not owned
  // Not owned; when set, log lines are queued on it (log_writer.h) and
  // log_fd is unused. REQUIRES: outlives the environment.
  LogWriter* log_writer = nullptr;
};

class CallEnvironment {
 public:
  // Creates its own metrics registry and log (on options.log_writer, or else
  // on options.log_fd).
  explicit CallEnvironment(CallEnvironmentOptions options);
  CallEnvironment(const CallEnvironment&) = delete;
  CallEnvironment& operator=(const CallEnvironment&) = delete;

  const TokenCheck& tokens() const { return tokens_; }
  RequestLimiter& limiter() { return limiter_; }
  ServerMetrics& metrics() { return metrics_; }
  JsonLog& log() { return log_; }

  // A fresh request id: 16 lowercase hex digits, random.
  std::string NewRequestId();

 private:
  TokenCheck tokens_;
  RequestLimiter limiter_;
  ServerMetrics metrics_;
  JsonLog log_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_CALL_ENVIRONMENT_H_
