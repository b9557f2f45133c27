// `inkdex repair`: rebuilds the search index (text/) from the stored
// documents, then verifies the result. For an index `inkdex verify` finds out
// of step, one that refuses to open because its search index is ahead of
// its document store, and one whose text-in-region searches have slowed as
// new and moved artists' slots left cell order: unless --keep-slots, every
// artist gets a new slot in cell order first (IndexOptions::renumber_slots).
// Needs the index closed (no server on it); takes about as long as
// `inkdex build` of the same artists.
#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli_common.h"

namespace inkdex::cli {

namespace {

struct RepairCommand {
  std::string index_dir;
  bool keep_slots = false;

  int Run() const {
    const absl::Time start = absl::Now();
    IndexOptions options;
    options.rebuild_search_index = true;
    options.renumber_slots = !keep_slots;
    auto index = OpenExistingIndex(index_dir, options);
    if (!index.ok()) return ReportError("repair", index.status());
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    absl::StatusOr<VerifyReport> report = (*index)->Verify();
    if (!report.ok()) return ReportError("repair", report.status());
    std::cout << absl::StrFormat("%s the search index from %d documents in %.1f s\n",
                                 keep_slots ? "rebuilt" : "renumbered the slots of and rebuilt",
                                 (*index)->Stats().documents, seconds);
    return PrintVerifyReport(*report);
  }
};

}  // namespace

Command AddRepairCommand(CLI::App& parent) {
  auto command = std::make_shared<RepairCommand>();
  CLI::App* app = parent.add_subcommand(
      "repair",
      "Give the slots cell order again, rebuild the search index from the stored documents, "
      "then verify it");
  app->footer(
      "Use when `inkdex verify` reports problems or an open fails with DATA_LOSS, or when "
      "text-in-region searches have slowed after many new or moved artists: every artist first "
      "gets a new slot (row and document number) in the cell order of its location, as `inkdex "
      "build` gives them, unless --keep-slots. The index must not be open elsewhere (stop the "
      "server first). An interrupted repair is finished by the next open of the index.\n"
      "Exit codes: 0 rebuilt and verified; 1 the index cannot be read or problems remain.");
  AddIndexOption(*app, &command->index_dir);
  app->add_flag("--keep-slots", command->keep_slots,
                "Keep every artist's slot: rebuild the search index only (faster; the slots' "
                "order stays as it is)");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
