// `inkdex upsert`: sends artist records (JSON Lines or DynamoDB JSON, plain or
// gzip, the same input `inkdex build` reads) to a running inkdex-server as
// UpsertArtists batches, and reports per item what the server did.
//
// Records are parsed here, with the server's style taxonomy (ListStyles), so
// that a bad line is reported by FILE:LINE before anything is sent, and the
// server sees exactly the styles it would resolve itself.
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/convert.h"
#include "cli_common.h"
#include "inkdex/record.h"
#include "input_lines.h"
#include "input_reader.h"
#include "item_type.h"
#include "server_client.h"
#include "write_tally.h"

namespace inkdex::cli {

namespace {

constexpr int kDefaultWriteBatch = 500;
// A batch is also sent before it would pass this size (the request's wire
// bytes): well under the server's largest message (--max-message-bytes,
// 16 MiB by default), which a batch of large records (long biographies, many
// guest spots) would otherwise pass. One record, cut to the field limits,
// is far smaller.
constexpr size_t kMaxRequestBytes = 4 << 20;

constexpr char kUpsertHelp[] =
    "Input: one record per line, JSON Lines (data-model field names) or DynamoDB JSON "
    "({\"Item\": {...}} per line), plain or gzip (detected from the content); \"-\" reads "
    "stdin. Blank lines are skipped, and so are DynamoDB items of other types (studios, "
    "styles).\n"
    "Versions: a record's own \"version\" if it has one, else --version-base + its line "
    "position across all inputs (1-based), so a later line for the same artistId wins. "
    "--version-base defaults to the current time in Unix microseconds, so a later upsert wins "
    "over an earlier one and over an index `inkdex build` made (whose versions are line "
    "positions). The server keeps a change only when its version is greater than the stored "
    "one: an equal or older one is reported stale.\n"
    "Output: one line per item not applied, \"FILE:LINE: ID: stale|rejected: REASON\" (a line "
    "that does not parse: \"FILE:LINE: rejected: REASON\", not sent), \"FILE:LINE: ID: "
    "warning: NOTE\" for applied items with a note (unknown styles), then \"inkdex upsert: A "
    "applied, S stale, R rejected ...\". Each batch is acknowledged once committed.\n"
    "Batches: --batch-size records, or fewer when the request would pass 4 MiB.\n"
    "Exit codes: 0 every item applied or stale, 1 any item rejected or the server failed (the "
    "batches before the failure stay committed), 2 usage errors.";

struct UpsertCommand {
  ServerFlags server;
  std::vector<std::string> inputs;
  std::string format = "auto";
  int batch_size = kDefaultWriteBatch;
  uint64_t version_base = 0;
  CLI::Option* version_base_option = nullptr;

  // State of one run.
  struct Run {
    Run(std::unique_ptr<ServerClient> client, StyleTaxonomy taxonomy, RecordFormat format,
        uint64_t version_base)
        : client(std::move(client)),
          taxonomy(std::move(taxonomy)),
          format(format),
          version_base(version_base) {}

    std::unique_ptr<ServerClient> client;
    StyleTaxonomy taxonomy;  // the server's
    RecordFormat format;
    uint64_t version_base;
    uint64_t position = 0;  // lines read so far across inputs
    v1::UpsertArtistsRequest request;
    size_t request_bytes = 0;  // request.ByteSizeLong(), kept as artists are added
    std::vector<WriteItem> items;
    WriteTally tally{std::cout};
  };

  int Execute() const {
    auto client = ServerClient::Connect(server);
    if (!client.ok()) return ReportError("upsert", client.status());
    absl::StatusOr<ServerStyles> styles = (*client)->ListStyles();
    if (!styles.ok()) return ReportError("upsert", styles.status());
    Run run(*std::move(client), std::move(styles->taxonomy),
            format == "json"       ? RecordFormat::kJson
            : format == "dynamodb" ? RecordFormat::kDynamoDbJson
                                   : RecordFormat::kAuto,
            version_base_option->count() > 0
                ? version_base
                : static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())));
    absl::Status status = SendAll(run);
    if (!status.ok()) {
      if (run.tally.items() > 0) run.tally.PrintSummary("upsert");
      std::cerr << "inkdex upsert: " << status.message() << "\n";
      if (run.tally.applied() > 0) {
        std::cerr << "inkdex upsert: the " << run.tally.applied()
                  << " items applied before the failure stay committed\n";
      }
      return ExitCodeFor(status);
    }
    run.tally.PrintSummary("upsert");
    return run.tally.exit_code();
  }

  absl::Status SendAll(Run& run) const {
    absl::Status status = ForEachInputLine(inputs, [this, &run](InputLine line) {
      ++run.position;
      if (line.oversized) {
        run.tally.RejectLocally(
            line.origin, absl::StrCat("line longer than ", LineReader::kMaxLineBytes, " bytes"));
        return absl::OkStatus();
      }
      if (absl::StripAsciiWhitespace(line.text).empty()) return absl::OkStatus();
      if (absl::Status s = AddLine(run, line.text, std::move(line.origin)); !s.ok()) return s;
      return static_cast<int>(run.items.size()) >= batch_size ? Flush(run) : absl::OkStatus();
    });
    if (!status.ok()) return status;
    return Flush(run);
  }

  // Adds the line's record to the batch, sending the batch first when the
  // record would take it past kMaxRequestBytes.
  static absl::Status AddLine(Run& run, const std::string& line, std::string origin) {
    RecordLine read = ReadRecordLine(line, run.taxonomy, run.format);
    if (read.other_item_type) {
      run.tally.Skip();
      return absl::OkStatus();
    }
    absl::StatusOr<ParsedRecord>& record = read.record;
    if (!record.ok()) {
      run.tally.RejectLocally(origin, record.status().message());
      return absl::OkStatus();
    }
    Artist& artist = record->artist;
    if (artist.version() == 0) artist.set_version(run.version_base + run.position);
    // The artist's bytes, its field tag and its length prefix.
    const size_t bytes = artist.ByteSizeLong() + 6;
    if (!run.items.empty() && run.request_bytes + bytes > kMaxRequestBytes) {
      if (absl::Status s = Flush(run); !s.ok()) return s;
    }
    run.request_bytes += bytes;
    WriteItem item{std::move(origin), artist.id(), !record->warnings.empty()};
    for (const std::string& warning : record->warnings) run.tally.Warn(item, warning);
    *run.request.add_artists() = std::move(artist);
    run.items.push_back(std::move(item));
    return absl::OkStatus();
  }

  static absl::Status Flush(Run& run) {
    if (run.items.empty()) return absl::OkStatus();
    absl::StatusOr<v1::WriteArtistsResponse> response = run.client->UpsertArtists(run.request);
    if (!response.ok()) return response.status();
    if (absl::Status s = run.tally.Add(*response, run.items); !s.ok()) return s;
    run.request.Clear();
    run.request_bytes = 0;
    run.items.clear();
    return absl::OkStatus();
  }
};

}  // namespace

Command AddUpsertCommand(CLI::App& parent) {
  auto command = std::make_shared<UpsertCommand>();
  CLI::App* app = parent.add_subcommand("upsert", "Send artist records to a running inkdex-server");
  app->footer(kUpsertHelp);
  AddServerFlags(*app, command->server, Access::kWrite, /*required=*/true);
  app->add_option("--input,-i", command->inputs, "Input files (\"-\" = stdin), in order")
      ->required()
      ->type_name("FILE");
  app->add_option("--format", command->format, "Input format: auto (default), json, dynamodb")
      ->check(CLI::IsMember({"auto", "json", "dynamodb"}));
  app->add_option("--batch-size", command->batch_size,
                  absl::StrCat("Records per UpsertArtists request, 1 to ", api::kMaxWriteBatch,
                               " (default ", kDefaultWriteBatch, ")"))
      ->check(CLI::Range(1, api::kMaxWriteBatch));
  command->version_base_option =
      app->add_option("--version-base", command->version_base,
                      "Records without a version get this + their line position (default: now, "
                      "in Unix microseconds)");
  return {app, [command] { return command->Execute(); }};
}

}  // namespace inkdex::cli
