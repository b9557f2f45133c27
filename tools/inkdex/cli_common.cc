#include "cli_common.h"

#include <csignal>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "simdjson.h"

namespace inkdex::cli {
namespace {

// Set from a signal handler: it must be lock-free to be safe there.
static_assert(std::atomic<bool>::is_always_lock_free);
std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int signal) {
  g_interrupted = true;
  std::signal(signal, SIG_DFL);  // a second Ctrl-C ends the process at once
}

}  // namespace

const std::atomic<bool>* InstallInterruptFlag() {
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  return &g_interrupted;
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (absl::IsInvalidArgument(status) || absl::IsOutOfRange(status)) return kExitUsage;
  return kExitFailure;
}

int ReportError(std::string_view command, const absl::Status& status) {
  std::cerr << "inkdex " << command << ": " << status.message() << "\n";
  return ExitCodeFor(status);
}

absl::Status InFlagTerms(const absl::Status& status, absl::Span<const FieldFlag> names) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status;
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return status;
  const absl::string_view field = message.substr(0, colon);
  const FieldFlag* best = nullptr;
  for (const FieldFlag& name : names) {
    const bool matches = field == name.field ||
                         (absl::StartsWith(field, name.field) &&
                          (field[name.field.size()] == '.' || field[name.field.size()] == '['));
    if (matches && (best == nullptr || name.field.size() > best->field.size())) best = &name;
  }
  if (best == nullptr) return status;
  // A part of a compound flag keeps its name: "bbox.north" is "--bbox north".
  absl::string_view part = field.substr(best->field.size());
  const bool named_part = absl::ConsumePrefix(&part, ".");
  return absl::InvalidArgumentError(
      absl::StrCat(best->flag, named_part ? absl::StrCat(" ", part) : "", message.substr(colon)));
}

absl::Status CheckUtf8Flag(absl::string_view flag, absl::string_view value) {
  if (simdjson::validate_utf8(value.data(), value.size())) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(flag, ": is not valid UTF-8"));
}

int ReportUsageError(std::string_view command, std::string_view message) {
  std::cerr << "inkdex " << command << ": " << message << "\n";
  return kExitUsage;
}

absl::StatusOr<std::unique_ptr<Index>> OpenExistingIndex(const std::string& dir,
                                                         IndexOptions options,
                                                         ServerAlternative alternative) {
  options.create_if_missing = false;
  options.error_if_missing = true;
  auto index = Index::Open(dir, options);
  if (!index.ok()) {
    // The library's message names the directory; say which flag it came from.
    std::string message = "--index " + dir + ": " + std::string(index.status().message());
    // An index has one writer at a time, and every open is a writer's: the
    // usual holder is the server that serves it.
    if (absl::IsFailedPrecondition(index.status()) &&
        absl::StrContains(index.status().message(), "in another process")) {
      absl::StrAppend(&message,
                      alternative == ServerAlternative::kServerFlag
                          ? " (if an inkdex-server serves it, ask the server: --server HOST:PORT "
                            "instead of --index)"
                          : " (if an inkdex-server serves it, stop the server first)");
    }
    return absl::Status(index.status().code(), message);
  }
  return index;
}

CLI::Option* AddIndexOption(CLI::App& command, std::string* dir) {
  return command.add_option("--index", *dir, "Index directory")->required()->type_name("DIR");
}

}  // namespace inkdex::cli
