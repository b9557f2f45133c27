// `inkdex repair`: rebuilds the search index (text/) from the stored
// documents, then verifies the result. For an index `inkdex verify` finds out
// of step, one that refuses to open because its search index is ahead of
// its document store, and one whose text-in-region searches have slowed as
// new and moved artists' slots left cell order: unless --keep-slots, every
// artist gets a new slot in cell order first (IndexOptions::renumber_slots).
// With --index it needs the index closed (no server on it) and takes about
// as long as `inkdex build` of the same artists. With --server it asks a
// running inkdex-server to renumber the index it serves, while serving
// (Admin.RenumberSlots; the server needs --renumber-online).
#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cli_common.h"
#include "server_client.h"

namespace inkdex::cli {

namespace {

struct RepairCommand {
  IndexOrServerFlags source;
  bool keep_slots = false;
  double min_drift = 0;

  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("repair", s);
    if (source.server.given()) return RunOnServer();
    if (min_drift > 0) {
      return ReportUsageError("repair", "--min-drift is for --server (a running server's index)");
    }
    const absl::Time start = absl::Now();
    IndexOptions options;
    options.rebuild_search_index = true;
    options.renumber_slots = !keep_slots;
    // A server's index is rebuilt only once the server is stopped (its
    // renumbering while serving, --server, does not mend a damaged index):
    // the error says so, not --server.
    auto index = OpenExistingIndex(source.index_dir, options);
    if (!index.ok()) return ReportError("repair", index.status());
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    absl::StatusOr<VerifyReport> report = (*index)->Verify();
    if (!report.ok()) return ReportError("repair", report.status());
    std::cout << absl::StrFormat("%s the search index from %d documents in %.1f s\n",
                                 keep_slots ? "rebuilt" : "renumbered the slots of and rebuilt",
                                 (*index)->Stats().documents, seconds);
    return PrintVerifyReport(*report);
  }

  int RunOnServer() const {
    if (keep_slots) {
      return ReportUsageError("repair",
                              "--keep-slots is for --index: a server renumbers its slots (to "
                              "rebuild in place, stop it and repair its --index)");
    }
    auto client = ServerClient::Connect(source.server);
    if (!client.ok()) return ReportError("repair", client.status());
    absl::StatusOr<v1::RenumberSlotsResponse> r = (*client)->RenumberSlots(min_drift);
    if (!r.ok()) return ReportError("repair", r.status());
    std::cout << "server " << source.server.address << ": ";
    if (!r->renumbered()) {
      std::cout << absl::StrFormat("slot drift %.4f is under --min-drift %.4f: nothing done\n",
                                   r->before().drift(), min_drift);
      return kExitOk;
    }
    std::cout << absl::StrFormat(
        "renumbered the slots of %d documents while serving: slot drift %.4f -> %.4f\n"
        "  index %s (generation %d)\n"
        "  copy %.0f ms, open %.0f ms, replay %.0f ms (%d changes), writes held %.0f ms\n",
        r->documents(), r->before().drift(), r->after().drift(), r->directory(),
        r->index_generation(), r->copy_ms(), r->open_ms(), r->replay_ms(), r->replayed_changes(),
        r->writes_held_ms());
    return kExitOk;
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
      "build` gives them, unless --keep-slots. With --index the index must not be open "
      "elsewhere (stop the server first); an interrupted repair is finished by the next open of "
      "the index.\n"
      "With --server HOST:PORT (and the write token), a running inkdex-server started with "
      "--renumber-online renumbers the index it serves while serving (Admin.RenumberSlots: a "
      "copy renumbered at idle CPU priority, the writes made meanwhile re-applied, then "
      "swapped in; no write is refused; about a build's time and twice the index's memory "
      "meanwhile). Its drift (`inkdex stats --server`) says whether it is worth it; "
      "--min-drift skips the work below a drift.\n"
      "Exit codes: 0 rebuilt and verified (or renumbered, or under --min-drift); 1 the index "
      "cannot be read, problems remain, or the server refused or failed; 2 bad flags.");
  app->add_flag("--keep-slots", command->keep_slots,
                "Keep every artist's slot: rebuild the search index only (faster; the slots' "
                "order stays as it is). --index only");
  app->add_option("--min-drift", command->min_drift,
                  "With --server: renumber only when the served index's slot drift is at least "
                  "this (0..1; default 0: whatever it is)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("DRIFT");
  command->source.server.timeout_ms = kWholeIndexTimeoutMs;
  AddIndexOrServerFlags(*app, command->source, Access::kWrite);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
