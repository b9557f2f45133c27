#include "cli_common.h"

#include <iostream>

namespace inkdex::cli {

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (absl::IsInvalidArgument(status) || absl::IsOutOfRange(status)) return kExitUsage;
  return kExitFailure;
}

int ReportError(std::string_view command, const absl::Status& status) {
  std::cerr << "inkdex " << command << ": " << status.message() << "\n";
  return ExitCodeFor(status);
}

int ReportUsageError(std::string_view command, std::string_view message) {
  std::cerr << "inkdex " << command << ": " << message << "\n";
  return kExitUsage;
}

absl::StatusOr<std::unique_ptr<Index>> OpenExistingIndex(const std::string& dir,
                                                         IndexOptions options) {
  options.create_if_missing = false;
  options.error_if_missing = true;
  auto index = Index::Open(dir, options);
  if (!index.ok()) {
    // The library's message names the directory; say which flag it came from.
    return absl::Status(index.status().code(),
                        "--index " + dir + ": " + std::string(index.status().message()));
  }
  return index;
}

CLI::Option* AddIndexOption(CLI::App& command, std::string* dir) {
  return command.add_option("--index", *dir, "Index directory")->required()->type_name("DIR");
}

}  // namespace inkdex::cli
