// `inkdex repair`: rebuilds the search index (text/) from the stored
// documents, then verifies the result. For an index `inkdex verify` finds out
// of step, or one that refuses to open because its search index is ahead of
// its document store. Needs the index closed (no server on it); takes about
// as long as `inkdex build` of the same artists.
#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli_common.h"

namespace inkdex::cli {

namespace {

struct RepairCommand {
  std::string index_dir;

  int Run() const {
    const absl::Time start = absl::Now();
    IndexOptions options;
    options.rebuild_search_index = true;
    auto index = OpenExistingIndex(index_dir, options);
    if (!index.ok()) return ReportError("repair", index.status());
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    absl::StatusOr<VerifyReport> report = (*index)->Verify();
    if (!report.ok()) return ReportError("repair", report.status());
    std::cout << absl::StrFormat("rebuilt the search index from %d documents in %.1f s\n",
                                 (*index)->Stats().documents, seconds);
    return PrintVerifyReport(*report);
  }
};

}  // namespace

Command AddRepairCommand(CLI::App& parent) {
  auto command = std::make_shared<RepairCommand>();
  CLI::App* app = parent.add_subcommand(
      "repair", "Rebuild the search index from the stored documents, then verify it");
  app->footer(
      "Use when `inkdex verify` reports problems or an open fails with DATA_LOSS. The index must "
      "not be open elsewhere (stop the server first).\n"
      "Exit codes: 0 rebuilt and verified; 1 the index cannot be read or problems remain.");
  AddIndexOption(*app, &command->index_dir);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
