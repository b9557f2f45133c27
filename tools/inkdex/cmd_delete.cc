// `inkdex delete`: deletes artists by id on a running inkdex-server
// (DeleteArtists batches, each id with a version) and reports per id what the
// server did.
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "api/convert.h"
#include "cli_common.h"
#include "input_lines.h"
#include "server_client.h"
#include "write_tally.h"

namespace inkdex::cli {

namespace {

constexpr int kDefaultDeleteBatch = 500;

constexpr char kDeleteHelp[] =
    "Ids come from the arguments and from --input files (one id per line; surrounding "
    "whitespace is trimmed; blank lines and lines starting with '#' are skipped).\n"
    "Versions: every delete carries --version (default: the current time in Unix "
    "microseconds). The server deletes an artist only when the version is greater than the "
    "stored one, and remembers it, so an older upsert arriving later cannot bring the artist "
    "back; an equal or older version is reported stale.\n"
    "Output: one line per id not applied, \"[FILE:LINE: ]ID: stale|rejected: REASON\", then "
    "\"inkdex delete: A applied, S stale, R rejected\".\n"
    "Exit codes: 0 every id applied or stale, 1 any id rejected or the server failed (the "
    "batches before the failure stay committed), 2 usage errors.";

struct DeleteCommand {
  ServerFlags server;
  std::vector<std::string> ids;
  std::vector<std::string> inputs;
  uint64_t version = 0;
  CLI::Option* version_option = nullptr;
  int batch_size = kDefaultDeleteBatch;

  int Execute() const {
    std::vector<WriteItem> items;
    for (const std::string& id : ids) items.push_back({"", id, false});
    if (absl::Status s = ReadIdFiles(items); !s.ok()) return ReportError("delete", s);
    if (items.empty()) {
      return ReportUsageError("delete", "no ids: give them as arguments or with --input FILE");
    }
    if (version_option->count() > 0 && version == 0) {
      return ReportUsageError("delete", "--version: must be > 0");
    }
    const uint64_t delete_version = version_option->count() > 0
                                        ? version
                                        : static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
    auto client = ServerClient::Connect(server);
    if (!client.ok()) return ReportError("delete", client.status());

    WriteTally tally(std::cout);
    for (size_t begin = 0; begin < items.size(); begin += batch_size) {
      std::vector<WriteItem> batch(items.begin() + begin,
                                   items.begin() + std::min(items.size(), begin + batch_size));
      v1::DeleteArtistsRequest request;
      for (const WriteItem& item : batch) {
        v1::ArtistDeletion* deletion = request.add_deletions();
        deletion->set_id(item.id);
        deletion->set_version(delete_version);
      }
      absl::StatusOr<v1::WriteArtistsResponse> response = (*client)->DeleteArtists(request);
      absl::Status status = response.ok() ? tally.Add(*response, batch) : response.status();
      if (!status.ok()) {
        if (tally.items() > 0) tally.PrintSummary("delete");
        return ReportError("delete", status);
      }
    }
    tally.PrintSummary("delete");
    return tally.exit_code();
  }

  absl::Status ReadIdFiles(std::vector<WriteItem>& items) const {
    return ForEachInputLine(inputs, [&items](InputLine line) {
      if (line.oversized) {
        return absl::InvalidArgumentError(line.origin + ": line too long for an id");
      }
      absl::string_view id = absl::StripAsciiWhitespace(line.text);
      if (!id.empty() && id.front() != '#') {
        items.push_back({std::move(line.origin), std::string(id), false});
      }
      return absl::OkStatus();
    });
  }
};

}  // namespace

Command AddDeleteCommand(CLI::App& parent) {
  auto command = std::make_shared<DeleteCommand>();
  CLI::App* app =
      parent.add_subcommand("delete", "Delete artists by id on a running inkdex-server");
  app->footer(kDeleteHelp);
  AddServerFlags(*app, command->server, Access::kWrite, /*required=*/true);
  app->add_option("ids", command->ids, "Artist ids")->type_name("ID");
  app->add_option("--input,-i", command->inputs, "Files of ids, one per line (\"-\" = stdin)")
      ->type_name("FILE");
  command->version_option =
      app->add_option("--version", command->version,
                      "Version of the deletes, > 0 (default: now, in Unix microseconds)");
  app->add_option("--batch-size", command->batch_size,
                  absl::StrCat("Ids per DeleteArtists request, 1 to ", api::kMaxWriteBatch,
                               " (default ", kDefaultDeleteBatch, ")"))
      ->check(CLI::Range(1, api::kMaxWriteBatch));
  return {app, [command] { return command->Execute(); }};
}

}  // namespace inkdex::cli
