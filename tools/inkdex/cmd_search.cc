// `inkdex search`: one page of search results from a local index, as a table
// or (--json) one JSON object.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "output_json.h"
#include "output_table.h"
#include "search_flags.h"

namespace inkdex::cli {

namespace {

constexpr char kSearchHelp[] =
    "Search an index. Geo: --lat/--lon with --radius-km (a radius), --bbox (a map viewport), or "
    "--lat/--lon alone (nearest first, no radius). All filters combine.\n"
    "--json prints {\"total\", \"hits\": [{\"id\", \"name\", \"studio\", \"location\", \"city\", "
    "\"lat\", \"lon\", \"distance_km\", \"score\", \"styles\", \"rating\", \"review_count\", "
    "\"hourly_rate\", \"currency\", \"booking_open\", \"guest_spot\", \"explanation\"}], "
    "\"facets\": {\"styles\", \"distance_rings\", \"hourly_rate_bands\", \"rating_bands\", "
    "\"cities\"}, \"next_page_token\", \"spelling_suggestion\"}.\n"
    "Exit codes: 0 ok, 2 invalid flags (the message names the flag), 1 other failures.";

struct SearchCommand {
  std::string index_dir;
  SearchFlags flags;

  int Run() const {
    absl::StatusOr<SearchRequest> request = ToSearchRequest(flags);
    if (!request.ok()) return ReportError("search", request.status());
    auto index = OpenExistingIndex(index_dir);
    if (!index.ok()) return ReportError("search", index.status());
    absl::StatusOr<SearchResponse> response = (*index)->Search(*request);
    if (!response.ok()) return ReportError("search", response.status());
    if (flags.json) {
      std::cout << SearchResponseToJson(*response, request->explain).dump() << "\n";
    } else {
      PrintSearchTable(*response, *request, std::cout);
    }
    return kExitOk;
  }
};

}  // namespace

Command AddSearchCommand(CLI::App& parent) {
  auto command = std::make_shared<SearchCommand>();
  CLI::App* app = parent.add_subcommand("search", "Search artists by place, style, text, filters");
  app->footer(kSearchHelp);
  AddIndexOption(*app, &command->index_dir);
  AddSearchFlags(*app, command->flags);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
