// SearchFlags: the `inkdex search` flags and their mapping to
// inkdex::SearchRequest. Kept apart from the command so that every way of
// running a search (the local index now, a server later) takes the same flags.
//
// Range checks (coordinates, radius, limit, text length, page token, style
// names, dates) are the library's: Index::Search rejects bad values with
// INVALID_ARGUMENT naming the field. Only what the library cannot see is
// checked here: how flags combine (--lat without --lon) and the syntax of
// compound flags (--bbox, --sort), each error naming the flag.
//
// Thread safety: plain data and free functions.
#ifndef INKDEX_TOOLS_INKDEX_SEARCH_FLAGS_H_
#define INKDEX_TOOLS_INKDEX_SEARCH_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "inkdex/query.h"

namespace inkdex::cli {

struct SearchFlags {
  std::string text;
  double lat = 0, lon = 0, radius_km = 0;
  std::string bbox;  // "S,W,N,E"
  std::vector<std::string> styles;
  bool all_styles = false;
  double min_rating = 0;
  double max_hourly_rate = 0;
  std::string currency;
  bool booking_open = false;
  int min_years = 0;
  std::string sort = "relevance";
  std::string date;
  int limit = 20;
  std::string page_token;
  int max_per_studio = 0;
  double distance_scale_km = 0;
  bool explain = false;
  bool no_facets = false;
  int top_cities = 10;
  bool json = false;

  // Set by AddSearchFlags: which optional flags were given.
  CLI::Option* lat_option = nullptr;
  CLI::Option* lon_option = nullptr;
  CLI::Option* radius_option = nullptr;
  CLI::Option* bbox_option = nullptr;
  CLI::Option* min_rating_option = nullptr;
  CLI::Option* max_hourly_rate_option = nullptr;
  CLI::Option* min_years_option = nullptr;
  CLI::Option* distance_scale_option = nullptr;
};

// Registers the flags on `command`, writing into `flags`.
// REQUIRES: `flags` outlives parsing and ToSearchRequest.
void AddSearchFlags(CLI::App& command, SearchFlags& flags);

// The request the parsed flags describe, or INVALID_ARGUMENT naming the flag.
absl::StatusOr<SearchRequest> ToSearchRequest(const SearchFlags& flags);

// `status` (a refused search, from the library or a server) naming the
// flag instead of the request field: "--min-rating: must be in [0, 5]".
absl::Status InSearchFlagTerms(const absl::Status& status);

// Parses "S,W,N,E" (four numbers, degrees) into a box; the flag name is for
// messages. Ranges are not checked here (the library does).
absl::StatusOr<BoundingBox> ParseBoundingBox(absl::string_view text, absl::string_view flag);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_SEARCH_FLAGS_H_
