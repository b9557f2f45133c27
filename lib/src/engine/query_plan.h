// QueryPlan: a SearchRequest checked and resolved into what the searcher
// needs (style mask, day number, decoded page cursor, the geo mode).
//
// Every field is validated here, so a bad request fails before any work
// with INVALID_ARGUMENT "<field>: <reason>", and the searcher can assume a
// well-formed plan.
//
// Thread safety: pure functions.
#ifndef INKDEX_ENGINE_QUERY_PLAN_H_
#define INKDEX_ENGINE_QUERY_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {

enum class GeoMode { kNone, kRadius, kViewport, kNearest };

// Where the previous page stopped (decoded from SearchRequest::page_token).
struct PageCursor {
  uint64_t fingerprint = 0;  // of the query the token was issued for
  int32_t day = 0;           // the query day the first page used
  uint32_t depth = 0;        // hits returned before this page
  double key = 0;            // last emitted sort key (smaller sorts first)
  std::string id;            // last emitted artist id (tie-break)
  // Diversity only: ids (64-bit hashes) already emitted after (key, id).
  std::vector<uint64_t> emitted_after;
};

struct QueryPlan {
  const SearchRequest* request = nullptr;  // not owned
  GeoMode geo = GeoMode::kNone;
  double ref_lat = 0, ref_lon = 0;  // distance origin (point, or viewport centre)
  bool has_ref = false;
  uint64_t style_mask = 0;
  bool style_all = false;
  int32_t day = 0;
  SortOrder sort = SortOrder::kRelevance;
  uint16_t currency = 0;  // PackCurrency(request.currency); 0: rates as given
  uint64_t fingerprint = 0;
  std::optional<PageCursor> cursor;
};

// A hash that is the same in every process (page tokens outlive restarts).
uint64_t StableHash64(std::string_view s);

// INVALID_ARGUMENT "<field>.lat: ..." / "<field>.lon: ..." unless the point
// is finite and in range.
absl::Status CheckGeoPoint(absl::string_view field, const GeoPoint& point);

absl::StatusOr<QueryPlan> PlanQuery(const SearchRequest& request, const StyleTaxonomy& taxonomy);

std::string EncodePageToken(const PageCursor& cursor);
// INVALID_ARGUMENT "page_token: ..." for anything not issued by EncodePageToken.
absl::StatusOr<PageCursor> DecodePageToken(std::string_view token);

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_QUERY_PLAN_H_
