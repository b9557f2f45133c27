// `inkdex purge-tombstones`: forgets the tombstones of artists deleted longer
// ago than --older-than (Index::PurgeTombstones), freeing their ids' memory
// and slots. inkdex-server does this itself (--tombstone-ttl); the command is
// for indexes kept without a server, and needs the index closed.
#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli_common.h"
#include "nlohmann/json.hpp"

namespace inkdex::cli {

namespace {

struct PurgeCommand {
  std::string index_dir;
  std::string older_than;
  size_t batch = 100000;
  bool json = false;

  int Run() const {
    absl::Duration age;
    if (!absl::ParseDuration(older_than, &age) || age < absl::ZeroDuration()) {
      return ReportUsageError(
          "purge-tombstones",
          absl::StrFormat("--older-than: '%s' is not a duration such as 168h or 90m", older_than));
    }
    if (batch == 0) return ReportUsageError("purge-tombstones", "--batch: must be at least 1");
    auto index = OpenExistingIndex(index_dir);
    if (!index.ok()) return ReportError("purge-tombstones", index.status());
    TombstonePurgeOptions options;
    options.deleted_before = absl::Now() - age;
    options.max_records = batch;
    TombstonePurge total;
    for (;;) {
      absl::StatusOr<TombstonePurge> p = (*index)->PurgeTombstones(options);
      if (!p.ok()) return ReportError("purge-tombstones", p.status());
      total.purged += p->purged;
      total.dated += p->dated;
      total.remaining = p->remaining;
      total.commit_seq = p->commit_seq;
      if (!p->more) break;
    }
    if (json) {
      std::cout << nlohmann::json{{"purged", total.purged},
                                  {"dated", total.dated},
                                  {"remaining", total.remaining},
                                  {"commit_seq", total.commit_seq}}
                       .dump()
                << "\n";
      return kExitOk;
    }
    std::cout << absl::StrFormat(
        "purged %d tombstones of artists deleted before %s; %d remain\n", total.purged,
        absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", options.deleted_before, absl::UTCTimeZone()),
        total.remaining);
    if (total.dated > 0) {
      std::cout << absl::StrFormat(
          "dated %d tombstones stored without a deletion time: they count as deleted now\n",
          total.dated);
    }
    return kExitOk;
  }
};

}  // namespace

Command AddPurgeCommand(CLI::App& parent) {
  auto command = std::make_shared<PurgeCommand>();
  CLI::App* app = parent.add_subcommand("purge-tombstones",
                                        "Forget artists deleted longer ago than --older-than");
  app->footer(
      "A tombstone keeps a deleted artist's id and version so that an older change arriving "
      "later cannot bring the artist back. Once purged, it can: choose --older-than longer than "
      "any change can be delayed or replayed (a DynamoDB stream keeps records 24 hours). "
      "Tombstones stored without a deletion time (by an older inkdex) are dated now and purged "
      "by a later run. The index must not be open elsewhere (inkdex-server purges its own index: "
      "--tombstone-ttl).\n"
      "--json prints {\"purged\", \"dated\", \"remaining\", \"commit_seq\"}.\n"
      "Exit codes: 0 done; 1 the index cannot be read or written; 2 bad flags.");
  AddIndexOption(*app, &command->index_dir);
  app->add_option("--older-than", command->older_than,
                  "Purge tombstones of deletes older than this (168h, 90m, 0s)")
      ->required();
  app->add_option("--batch", command->batch, "Tombstones purged per commit")->capture_default_str();
  app->add_flag("--json", command->json, "JSON instead of text");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
