// `inkdex stats`: document counts, commit, sizes and per-style counts, of a
// local index or of the index a running inkdex-server serves (then also what
// the server is: version, build, index directory, start time, generation).
#include <iostream>
#include <memory>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "api/convert.h"
#include "cli_common.h"
#include "output_json.h"
#include "output_table.h"
#include "server_client.h"

namespace inkdex::cli {

namespace {

constexpr char kStatsHelp[] =
    "--json prints {\"documents\", \"searchable\", \"tombstones\", \"commit_seq\", "
    "\"last_commit_unix_micros\", \"disk_bytes\", \"memory_bytes\", "
    "\"styles\": [{\"id\", \"label\", \"count\"}], \"slot_layout\": {\"artists\", \"breaks\", "
    "\"drift\"}}; drift is about the share of artists whose slots are out of cell order (0 after "
    "a build or `inkdex repair`, which restores it: text-in-region searches slow as it grows).\n"
    "--server HOST:PORT asks a running inkdex-server (GetStats, ListStyles) instead of opening "
    "--index; the output then also has \"server\": {\"address\", \"version\", \"build\", "
    "\"index_directory\", \"started_unix_micros\", \"index_generation\"} (as text: a block of "
    "server lines after the counts); its \"slot_layout\" is the server's last measurement (at most "
    "a minute old).";

struct StatsCommand {
  IndexOrServerFlags source;
  bool json = false;

  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("stats", s);
    if (source.server.given()) return RunOnServer();
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return ReportError("stats", index.status());
    const Index& idx = **index;
    absl::StatusOr<SlotLayout> layout = idx.MeasureSlotLayout();
    if (!layout.ok()) return ReportError("stats", layout.status());
    Print(idx.Stats(), idx.taxonomy(), idx.StyleCounts(), &*layout, nullptr);
    return kExitOk;
  }

  int RunOnServer() const {
    auto client = ServerClient::Connect(source.server);
    if (!client.ok()) return ReportError("stats", client.status());
    absl::StatusOr<v1::GetStatsResponse> stats = (*client)->GetStats();
    if (!stats.ok()) return ReportError("stats", stats.status());
    absl::StatusOr<ServerStyles> styles = (*client)->ListStyles();
    if (!styles.ok()) return ReportError("stats", styles.status());
    std::optional<SlotLayout> layout;
    if (stats->has_slot_layout()) layout = api::SlotLayoutFromProto(stats->slot_layout());
    Print(api::StatsFromProto(*stats), styles->taxonomy, styles->counts,
          layout.has_value() ? &*layout : nullptr, &*stats);
    return kExitOk;
  }

  // `layout`: null when unknown; `server`: null for a local index.
  void Print(const IndexStats& stats, const StyleTaxonomy& taxonomy,
             const std::vector<int64_t>& style_counts, const SlotLayout* layout,
             const v1::GetStatsResponse* server) const {
    if (json) {
      nlohmann::json out = StatsToJson(stats, taxonomy, style_counts);
      if (layout != nullptr) {
        out["slot_layout"] = {
            {"artists", layout->artists}, {"breaks", layout->breaks}, {"drift", layout->Drift()}};
      }
      if (server != nullptr) {
        out["server"] = {{"address", source.server.address},
                         {"version", server->version()},
                         {"build", server->build()},
                         {"index_directory", server->index_directory()},
                         {"started_unix_micros", server->started_unix_micros()},
                         {"index_generation", server->index_generation()}};
      }
      std::cout << out.dump() << "\n";
      return;
    }
    PrintStatsTable(stats, taxonomy, style_counts, layout, std::cout);
    if (server == nullptr) return;
    std::cout << "\n"
              << absl::StrFormat("server:       %s\n", source.server.address)
              << absl::StrFormat("version:      %s\n", server->version())
              << absl::StrFormat("build:        %s\n", server->build())
              << absl::StrFormat("index:        %s\n", server->index_directory())
              << absl::StrFormat("generation:   %d\n", server->index_generation())
              << absl::StrFormat(
                     "started:      %s\n",
                     absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                      absl::FromUnixMicros(server->started_unix_micros()),
                                      absl::UTCTimeZone()));
  }
};

}  // namespace

Command AddStatsCommand(CLI::App& parent) {
  auto command = std::make_shared<StatsCommand>();
  CLI::App* app = parent.add_subcommand("stats", "Show index size, last commit and style counts");
  app->footer(kStatsHelp);
  AddIndexOrServerFlags(*app, command->source);
  app->add_flag("--json", command->json, "JSON instead of text");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
