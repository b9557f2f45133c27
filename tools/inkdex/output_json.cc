#include "output_json.h"

#include <cmath>
#include <string>

namespace inkdex::cli {

namespace {

using nlohmann::json;

json NumberOrNull(double value) { return std::isnan(value) ? json(nullptr) : json(value); }

// The index keeps ratings in single precision (4.9 comes back as
// 4.900000095...); ratings are given to two decimals, so print them so.
double RoundRating(double rating) { return std::round(rating * 100) / 100; }

json StringOrNull(const std::string& value) { return value.empty() ? json(nullptr) : json(value); }

json FacetValuesToJson(const std::vector<FacetValue>& values) {
  json out = json::array();
  for (const FacetValue& v : values) {
    out.push_back({{"value", v.value}, {"label", v.label}, {"count", v.count}});
  }
  return out;
}

json HitToJson(const SearchHit& hit, bool explain) {
  json out = {
      {"id", hit.id},
      {"name", hit.name},
      {"studio", hit.studio_name},
      {"location", hit.location},
      {"city", hit.city},
      {"lat", hit.lat},
      {"lon", hit.lon},
      {"distance_km", NumberOrNull(hit.distance_km)},
      {"score", hit.score},
      {"styles", hit.styles},
      {"rating", hit.rating ? json(RoundRating(*hit.rating)) : json(nullptr)},  // null: unrated
      {"review_count", hit.review_count},
      {"hourly_rate", hit.hourly_rate ? json(*hit.hourly_rate) : json(nullptr)},
      {"currency", hit.currency},
      {"booking_open", hit.booking_open},
      {"guest_spot", hit.guest_spot},
  };
  if (explain) {
    const ScoreExplanation& e = hit.explanation;
    out["explanation"] = {{"text_raw", e.text_raw},
                          {"text", e.text},
                          {"distance", e.distance},
                          {"quality_raw", e.quality_raw},
                          {"quality", e.quality}};
  }
  return out;
}

}  // namespace

json SearchResponseToJson(const SearchResponse& response, bool explain) {
  json hits = json::array();
  for (const SearchHit& hit : response.hits) hits.push_back(HitToJson(hit, explain));
  const Facets& f = response.facets;
  return {
      {"total", response.total},
      {"hits", std::move(hits)},
      {"facets",
       {{"styles", FacetValuesToJson(f.styles)},
        {"distance_rings", FacetValuesToJson(f.distance_rings)},
        {"hourly_rate_bands", FacetValuesToJson(f.hourly_rate_bands)},
        {"rating_bands", FacetValuesToJson(f.rating_bands)},
        {"cities", FacetValuesToJson(f.cities)}}},
      {"next_page_token", StringOrNull(response.next_page_token)},
      {"spelling_suggestion", StringOrNull(response.spelling_suggestion)},
      {"commit_seq", response.commit_seq},
  };
}

json SuggestionsToJson(const std::vector<Suggestion>& suggestions) {
  json out = json::array();
  for (const Suggestion& s : suggestions) {
    out.push_back({{"kind", SuggestionKindName(s.kind)},
                   {"text", s.text},
                   {"id", s.id},
                   {"count", s.count},
                   {"distance_km", NumberOrNull(s.distance_km)}});
  }
  return {{"suggestions", std::move(out)}};
}

json StatsToJson(const IndexStats& stats, const StyleTaxonomy& taxonomy,
                 const std::vector<int64_t>& style_counts) {
  json styles = json::array();
  for (int i = 0; i < taxonomy.size() && i < static_cast<int>(style_counts.size()); ++i) {
    styles.push_back({{"id", taxonomy.style(i).id},
                      {"label", taxonomy.style(i).display_name},
                      {"count", style_counts[i]}});
  }
  return {
      {"documents", stats.documents},
      {"searchable", stats.searchable},
      {"tombstones", stats.tombstones},
      {"item_states", stats.item_states},
      {"commit_seq", stats.commit_seq},
      {"last_commit_unix_micros", stats.last_commit_unix_micros},
      {"disk_bytes", stats.disk_bytes},
      {"disk_free_bytes", stats.disk_free_bytes},
      {"memory_bytes", stats.memory_bytes},
      {"styles", std::move(styles)},
  };
}

}  // namespace inkdex::cli
