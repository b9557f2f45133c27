#include "server/json_log.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace inkdex::server {

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("log level '", std::string(name), "' is not one of debug, info, warn, error"));
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

double LogMillis(absl::Duration duration) {
  return std::round(absl::ToDoubleMilliseconds(duration) * 1000) / 1000;
}

std::string DumpJson(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json StatusFields(const absl::Status& status) {
  return {{"code", absl::StatusCodeToString(status.code())},
          {"message", std::string(status.message())}};
}

void AppendJsonString(std::string& out, std::string_view s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) {
    out += DumpJson(nlohmann::ordered_json(s));
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void AppendJsonStringMember(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  AppendJsonString(out, key);
  out += ':';
  AppendJsonString(out, value);
}

void AppendJsonIntMember(std::string& out, std::string_view key, int64_t value) {
  out += ',';
  AppendJsonString(out, key);
  out += ':';
  absl::StrAppend(&out, value);
}

JsonLog::JsonLog(LogLevel min_level, int fd) : min_level_(static_cast<int>(min_level)), fd_(fd) {}

JsonLog::JsonLog(LogLevel min_level, LogWriter* writer)
    : min_level_(static_cast<int>(min_level)), fd_(-1), writer_(writer) {}

void JsonLog::Write(LogLevel level, const nlohmann::ordered_json& fields,
                    std::string_view raw_members) {
  if (Enabled(level)) WriteLine(Line(level, fields, raw_members));
}

std::string JsonLog::Line(LogLevel level, const nlohmann::ordered_json& fields,
                          std::string_view raw_members) {
  std::string line = "{\"ts\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += LogLevelName(level);
  line += '"';
  if (fields.is_object() && !fields.empty()) {
    const std::string members = DumpJson(fields);
    // members is "{...}": splice its inside after the fixed fields.
    line += ',';
    line.append(members, 1, members.size() - 2);
  }
  line += raw_members;
  line += "}\n";
  return line;
}

std::string JsonLog::EventLine(LogLevel level, std::string_view event,
                               const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line = {{"event", event}};
  if (fields.is_object()) line.update(fields);
  return Line(level, line, {});
}

void JsonLog::Event(LogLevel level, std::string_view event, const nlohmann::ordered_json& fields) {
  if (Enabled(level)) EventUnfiltered(level, event, fields);
}

void JsonLog::EventUnfiltered(LogLevel level, std::string_view event,
                              const nlohmann::ordered_json& fields) {
  WriteLine(EventLine(level, event, fields));
}

void JsonLog::WriteLine(const std::string& line) {
  if (writer_ != nullptr) return writer_->Append(line);
  std::lock_guard<std::mutex> lock(write_mutex_);
  WriteFully(fd_, line);  // nowhere to report a failing log: the line is dropped
}

}  // namespace inkdex::server
