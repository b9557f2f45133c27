#include "search_flags.h"

#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli_common.h"

namespace inkdex::cli {

namespace {

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

}  // namespace

void AddSearchFlags(CLI::App& command, SearchFlags& flags) {
  command.add_option("--text,-t", flags.text,
                     "Words that must all match (name, studio, biography, specialties, "
                     "location, instagram); \"quoted phrases\"; the last word matches as a prefix");
  flags.lat_option =
      command.add_option("--lat", flags.lat, "Latitude of the search point, degrees");
  flags.lon_option =
      command.add_option("--lon", flags.lon, "Longitude of the search point, degrees");
  flags.radius_option = command.add_option(
      "--radius-km", flags.radius_km,
      "Only artists within this many km of --lat/--lon (0 < R <= 20000). Without it, a point "
      "only orders by distance and reports distances");
  flags.bbox_option =
      command.add_option("--bbox", flags.bbox,
                         "Map viewport S,W,N,E in degrees (west > east crosses the antimeridian); "
                         "exclusive with --radius-km");
  // One value per --style, split at commas by ToSearchRequest: CLI11's own
  // splitting let "--style ," take the next flag as a style.
  command
      .add_option("--style,-s", flags.styles,
                  "Style id or alias (repeatable, or comma-separated); artists with any of them")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command.add_flag("--all-styles", flags.all_styles,
                   "Require every --style instead of any of them");
  flags.min_rating_option =
      command.add_option("--min-rating", flags.min_rating, "Minimum average rating, 0 to 5");
  command.add_option("--currency", flags.currency,
                     "ISO 4217 code --max-hourly-rate, the price sorts and the rate bands are in; "
                     "artists priced in another currency then count as having no rate");
  flags.max_hourly_rate_option =
      command.add_option("--max-hourly-rate", flags.max_hourly_rate,
                         "Maximum hourly rate (artists without a published rate do not match)");
  command.add_flag("--booking-open", flags.booking_open, "Only artists whose books are open");
  flags.min_years_option =
      command.add_option("--min-years", flags.min_years, "Minimum years active");
  command.add_option("--sort", flags.sort,
                     "relevance (default), distance (needs a point), rating, price_asc, "
                     "price_desc");
  command.add_option("--date", flags.date,
                     "YYYY-MM-DD: the day whose guest spots count (default: today, UTC)");
  command.add_option("--limit,-n", flags.limit, "Hits per page, 1 to 100 (default 20)");
  command.add_option("--page-token", flags.page_token,
                     "Continue after the previous page (its next page token)");
  command.add_option("--max-per-studio", flags.max_per_studio,
                     "At most this many artists of one studio per page (0 = no cap)");
  flags.distance_scale_option = command.add_option(
      "--distance-scale-km", flags.distance_scale_km,
      "Distance at which relevance's distance part has decayed to 1/e, km (default 10)");
  command.add_flag("--explain", flags.explain, "Show how each score was computed");
  command.add_flag("--no-facets", flags.no_facets, "Skip facet counts (total is still exact)");
  command.add_option("--top-cities", flags.top_cities, "How many cities the city facet lists");
  command.add_flag("--json", flags.json, "One JSON object instead of a table");
}

absl::StatusOr<BoundingBox> ParseBoundingBox(absl::string_view text, absl::string_view flag) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  double values[4];
  if (parts.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected S,W,N,E (four numbers, degrees), got '", text, "'"));
  }
  for (int i = 0; i < 4; ++i) {
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(parts[i]), &values[i]) ||
        !std::isfinite(values[i])) {
      static constexpr const char* kNames[] = {"south", "west", "north", "east"};
      return absl::InvalidArgumentError(absl::StrCat(flag, ": ", kNames[i], " '", parts[i],
                                                     "' is not a number (expected S,W,N,E)"));
    }
  }
  return BoundingBox{values[0], values[1], values[2], values[3]};
}

absl::Status InSearchFlagTerms(const absl::Status& status) {
  static constexpr FieldFlag kNames[] = {
      {"text", "--text"},
      {"point.lat", "--lat"},
      {"point.lon", "--lon"},
      {"radius_km", "--radius-km"},
      {"bbox", "--bbox"},
      {"styles", "--style"},
      {"min_rating", "--min-rating"},
      {"currency", "--currency"},
      {"max_hourly_rate", "--max-hourly-rate"},
      {"min_years_active", "--min-years"},
      {"sort", "--sort"},
      {"date", "--date"},
      {"limit", "--limit"},
      {"page_token", "--page-token"},
      {"max_per_studio", "--max-per-studio"},
      {"ranking.distance_scale_km", "--distance-scale-km"},
      {"top_cities", "--top-cities"},
  };
  return InFlagTerms(status, kNames);
}

absl::StatusOr<SearchRequest> ToSearchRequest(const SearchFlags& flags) {
  SearchRequest request;
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string*>{"--text", &flags.text},
        {"--currency", &flags.currency},
        {"--date", &flags.date},
        {"--page-token", &flags.page_token}}) {
    if (absl::Status s = CheckUtf8Flag(flag, *value); !s.ok()) return s;
  }
  std::vector<std::string> styles;
  for (const std::string& value : flags.styles) {
    if (absl::Status s = CheckUtf8Flag("--style", value); !s.ok()) return s;
    for (absl::string_view style : absl::StrSplit(value, ',')) {
      if (absl::StripAsciiWhitespace(style).empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--style: empty style name in '", value, "'"));
      }
      styles.emplace_back(style);
    }
  }
  request.text = flags.text;
  if (Given(flags.lat_option) != Given(flags.lon_option)) {
    return absl::InvalidArgumentError(Given(flags.lat_option) ? "--lat: needs --lon as well"
                                                              : "--lon: needs --lat as well");
  }
  if (Given(flags.lat_option)) request.point = GeoPoint{flags.lat, flags.lon};
  if (Given(flags.radius_option)) {
    if (!request.point) {
      return absl::InvalidArgumentError("--radius-km: needs a point (--lat and --lon)");
    }
    request.radius_km = flags.radius_km;
  }
  if (Given(flags.bbox_option)) {
    if (Given(flags.radius_option)) {
      return absl::InvalidArgumentError("--bbox: cannot be combined with --radius-km");
    }
    absl::StatusOr<BoundingBox> box = ParseBoundingBox(flags.bbox, "--bbox");
    if (!box.ok()) return box.status();
    request.bbox = *box;
  }
  request.styles = std::move(styles);
  request.style_match = flags.all_styles ? StyleMatch::kAll : StyleMatch::kAny;
  if (Given(flags.min_rating_option)) request.min_rating = flags.min_rating;
  if (Given(flags.max_hourly_rate_option)) request.max_hourly_rate = flags.max_hourly_rate;
  request.currency = flags.currency;
  request.booking_open = flags.booking_open;
  if (Given(flags.min_years_option)) request.min_years_active = flags.min_years;
  std::optional<SortOrder> sort = ParseSortOrder(flags.sort);
  if (!sort) {
    return absl::InvalidArgumentError(
        absl::StrCat("--sort: unknown order '", flags.sort,
                     "'; expected relevance, distance, rating, price_asc or price_desc"));
  }
  request.sort = *sort;
  request.date = flags.date;
  // Checked here as well as by the library: the server reads a limit of 0
  // as "the default", so `--limit 0` would answer differently through it.
  if (flags.limit < 1 || flags.limit > SearchRequest::kMaxLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("--limit: must be in 1..", SearchRequest::kMaxLimit, ", got ", flags.limit));
  }
  request.limit = flags.limit;
  if (Given(flags.distance_scale_option)) {
    request.ranking.distance_scale_km = flags.distance_scale_km;
  }
  request.page_token = flags.page_token;
  request.max_per_studio = flags.max_per_studio;
  request.explain = flags.explain;
  request.facets = !flags.no_facets;
  request.top_cities = flags.top_cities;
  return request;
}

}  // namespace inkdex::cli
