// `inkdex stats`: document counts, commit, sizes and per-style counts.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "output_json.h"
#include "output_table.h"

namespace inkdex::cli {

namespace {

struct StatsCommand {
  std::string index_dir;
  bool json = false;

  int Run() const {
    auto index = OpenExistingIndex(index_dir);
    if (!index.ok()) return ReportError("stats", index.status());
    const Index& idx = **index;
    IndexStats stats = idx.Stats();
    std::vector<int64_t> style_counts = idx.StyleCounts();
    if (json) {
      std::cout << StatsToJson(stats, idx.taxonomy(), style_counts).dump() << "\n";
    } else {
      PrintStatsTable(stats, idx.taxonomy(), style_counts, std::cout);
    }
    return kExitOk;
  }
};

}  // namespace

Command AddStatsCommand(CLI::App& parent) {
  auto command = std::make_shared<StatsCommand>();
  CLI::App* app = parent.add_subcommand("stats", "Show index size, last commit and style counts");
  app->footer(
      "--json prints {\"documents\", \"searchable\", \"tombstones\", \"commit_seq\", "
      "\"last_commit_unix_micros\", \"disk_bytes\", \"memory_bytes\", "
      "\"styles\": [{\"id\", \"label\", \"count\"}]}.");
  AddIndexOption(*app, &command->index_dir);
  app->add_flag("--json", command->json, "JSON instead of text");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
