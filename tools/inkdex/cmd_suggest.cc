// `inkdex suggest`: completions for a search box (artists, studios, styles,
// cities) as a table or JSON, from a local index or a running inkdex-server.
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "cli_common.h"
#include "output_json.h"
#include "output_table.h"
#include "server_client.h"

namespace inkdex::cli {

namespace {

struct SuggestCommand {
  IndexOrServerFlags source;
  std::string prefix;
  double lat = 0, lon = 0;
  int limit = 10;
  std::string date;
  bool json = false;
  CLI::Option* lat_option = nullptr;
  CLI::Option* lon_option = nullptr;

  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("suggest", s);
    for (const auto& [flag, value] :
         {std::pair<const char*, const std::string*>{"--prefix", &prefix}, {"--date", &date}}) {
      if (absl::Status s = CheckUtf8Flag(flag, *value); !s.ok()) return ReportError("suggest", s);
    }
    // The server reads a limit of 0 as "the default": refused here as the
    // library refuses it, so both paths answer alike.
    if (limit < 1 || limit > SuggestRequest::kMaxLimit) {
      return ReportUsageError("suggest", absl::StrCat("--limit: must be in 1..",
                                                      SuggestRequest::kMaxLimit, ", got ", limit));
    }
    SuggestRequest request;
    request.prefix = prefix;
    request.limit = limit;
    request.date = date;
    if ((lat_option->count() > 0) != (lon_option->count() > 0)) {
      return ReportUsageError("suggest", lat_option->count() > 0 ? "--lat: needs --lon as well"
                                                                 : "--lon: needs --lat as well");
    }
    if (lat_option->count() > 0) request.near = GeoPoint{lat, lon};
    absl::StatusOr<std::vector<Suggestion>> suggestions = Suggest(request);
    if (!suggestions.ok()) {
      static constexpr FieldFlag kNames[] = {{"prefix", "--prefix"},
                                             {"near.lat", "--lat"},
                                             {"near.lon", "--lon"},
                                             {"limit", "--limit"},
                                             {"date", "--date"}};
      return ReportError("suggest", InFlagTerms(suggestions.status(), kNames));
    }
    if (json) {
      std::cout << SuggestionsToJson(*suggestions).dump() << "\n";
    } else {
      PrintSuggestionsTable(*suggestions, std::cout);
    }
    return kExitOk;
  }

  absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request) const {
    if (source.server.given()) {
      auto client = ServerClient::Connect(source.server);
      if (!client.ok()) return client.status();
      return (*client)->Suggest(request);
    }
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return index.status();
    return (*index)->Suggest(request);
  }
};

}  // namespace

Command AddSuggestCommand(CLI::App& parent) {
  auto command = std::make_shared<SuggestCommand>();
  CLI::App* app = parent.add_subcommand("suggest",
                                        "Complete a prefix to artists, studios, "
                                        "styles and cities");
  app->footer(
      "--json prints {\"suggestions\": [{\"kind\", \"text\", \"id\", \"count\", "
      "\"distance_km\"}]}.\n"
      "--server HOST:PORT asks a running inkdex-server instead of opening --index; the output "
      "is the same.");
  AddIndexOrServerFlags(*app, command->source);
  app->add_option("--prefix,-p", command->prefix, "What the user typed so far (1-100 bytes)")
      ->required();
  command->lat_option =
      app->add_option("--lat", command->lat, "Rank by closeness to this latitude");
  command->lon_option =
      app->add_option("--lon", command->lon, "Rank by closeness to this longitude");
  app->add_option("--limit,-n", command->limit, "At most this many suggestions, 1 to 50");
  app->add_option("--date", command->date,
                  "YYYY-MM-DD: the day whose guest spots count near --lat/--lon (default: "
                  "today, UTC)");
  app->add_flag("--json", command->json, "JSON instead of a table");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
