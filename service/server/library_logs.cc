#include "server/library_logs.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <atomic>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace inkdex::server {
namespace {

std::atomic<JsonLog*> library_log{nullptr};

// "file.cc:123": the path's directories say nothing to an operator.
std::string Source(const char* file, int line) {
  absl::string_view name = file != nullptr ? file : "";
  if (const size_t slash = name.rfind('/'); slash != absl::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  return absl::StrCat(name, ":", line);
}

void LogGrpcMessage(gpr_log_func_args* args) {
  JsonLog* log = library_log.load(std::memory_order_acquire);
  if (log == nullptr) return;
  const LogLevel level = args->severity == GPR_LOG_SEVERITY_ERROR  ? LogLevel::kError
                         : args->severity == GPR_LOG_SEVERITY_INFO ? LogLevel::kInfo
                                                                   : LogLevel::kDebug;
  log->Event(level, "grpc",
             {{"source", Source(args->file, args->line)},
              {"message", args->message != nullptr ? args->message : ""}});
}

void LogProtobufMessage(google::protobuf::LogLevel severity, const char* file, int line,
                        const std::string& message) {
  JsonLog* log = library_log.load(std::memory_order_acquire);
  if (log == nullptr) return;
  LogLevel level = severity == google::protobuf::LOGLEVEL_INFO      ? LogLevel::kInfo
                   : severity == google::protobuf::LOGLEVEL_WARNING ? LogLevel::kWarn
                                                                    : LogLevel::kError;
  // A request's string field that is not UTF-8 is the client's mistake, not
  // the server's: a warning (the read methods also answer it with
  // INVALID_ARGUMENT naming the field, unparsable_message.h).
  if (level == LogLevel::kError &&
      absl::StrContains(message, "contains invalid UTF-8 data when parsing")) {
    level = LogLevel::kWarn;
  }
  log->Event(level, "protobuf", {{"source", Source(file, line)}, {"message", message}});
}

}  // namespace

void RouteLibraryLogs(JsonLog* log) {
  library_log.store(log, std::memory_order_release);
  gpr_set_log_function(LogGrpcMessage);
  google::protobuf::SetLogHandler(LogProtobufMessage);
}

}  // namespace inkdex::server
