// `inkdex suggest`: completions for a search box (artists, studios, styles,
// cities) as a table or JSON.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "output_json.h"
#include "output_table.h"

namespace inkdex::cli {

namespace {

struct SuggestCommand {
  std::string index_dir;
  std::string prefix;
  double lat = 0, lon = 0;
  int limit = 10;
  bool json = false;
  CLI::Option* lat_option = nullptr;
  CLI::Option* lon_option = nullptr;

  int Run() const {
    SuggestRequest request;
    request.prefix = prefix;
    request.limit = limit;
    if ((lat_option->count() > 0) != (lon_option->count() > 0)) {
      return ReportUsageError("suggest", lat_option->count() > 0 ? "--lat: needs --lon as well"
                                                                 : "--lon: needs --lat as well");
    }
    if (lat_option->count() > 0) request.near = GeoPoint{lat, lon};
    auto index = OpenExistingIndex(index_dir);
    if (!index.ok()) return ReportError("suggest", index.status());
    absl::StatusOr<std::vector<Suggestion>> suggestions = (*index)->Suggest(request);
    if (!suggestions.ok()) return ReportError("suggest", suggestions.status());
    if (json) {
      std::cout << SuggestionsToJson(*suggestions).dump() << "\n";
    } else {
      PrintSuggestionsTable(*suggestions, std::cout);
    }
    return kExitOk;
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
      "\"distance_km\"}]}.");
  AddIndexOption(*app, &command->index_dir);
  app->add_option("--prefix,-p", command->prefix, "What the user typed so far (1-100 bytes)")
      ->required();
  command->lat_option =
      app->add_option("--lat", command->lat, "Rank by closeness to this latitude");
  command->lon_option =
      app->add_option("--lon", command->lon, "Rank by closeness to this longitude");
  app->add_option("--limit,-n", command->limit, "At most this many suggestions, 1 to 50");
  app->add_flag("--json", command->json, "JSON instead of a table");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
