// `inkdex search`: one page of search results from a local index or a
// running inkdex-server, as a table or (--json) one JSON object. Both sources
// go through the same SearchRequest and the same printing, so the output is
// identical for the same index.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "output_json.h"
#include "output_table.h"
#include "search_flags.h"
#include "server_client.h"

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
    "--server HOST:PORT sends the same search to a running inkdex-server instead of opening "
    "--index; the output is the same.\n"
    "Exit codes: 0 ok, 2 invalid flags (the message names the flag; also when the server "
    "refuses a field as INVALID_ARGUMENT), 1 other failures (server unreachable, deadline).";

struct SearchCommand {
  IndexOrServerFlags source;
  SearchFlags flags;

  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("search", s);
    absl::StatusOr<SearchRequest> request = ToSearchRequest(flags);
    if (!request.ok()) return ReportError("search", request.status());
    absl::StatusOr<SearchResponse> response = Search(*request);
    if (!response.ok()) return ReportError("search", InSearchFlagTerms(response.status()));
    if (flags.json) {
      std::cout << SearchResponseToJson(*response, request->explain).dump() << "\n";
    } else {
      PrintSearchTable(*response, *request, std::cout);
    }
    return kExitOk;
  }

  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) const {
    if (source.server.given()) {
      auto client = ServerClient::Connect(source.server);
      if (!client.ok()) return client.status();
      return (*client)->Search(request);
    }
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return index.status();
    return (*index)->Search(request);
  }
};

}  // namespace

Command AddSearchCommand(CLI::App& parent) {
  auto command = std::make_shared<SearchCommand>();
  CLI::App* app = parent.add_subcommand("search", "Search artists by place, style, text, filters");
  app->footer(kSearchHelp);
  AddIndexOrServerFlags(*app, command->source);
  AddSearchFlags(*app, command->flags);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
