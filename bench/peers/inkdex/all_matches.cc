#include "all_matches.h"

#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "compare/match_geometry.h"

namespace inkdex::bench {
namespace {

// Tiles narrower than this in both directions are not split further (many
// artists at one point: the enumeration gives up rather than loop).
constexpr double kMinTileDegrees = 1e-7;
// Tiles are split down to this many matches, though paging allows
// kMaxDepth: every page re-runs the tile's search, so paging m matches costs
// about m * m / kMaxLimit rows, and small tiles are cheaper in total.
constexpr int64_t kLeafMatches = 1000;

double WrapLongitude(double lon) { return lon > 180 ? lon - 360 : lon; }

double LonWidth(const BoundingBox& b) {
  return b.west > b.east ? b.east - b.west + 360 : b.east - b.west;
}

// Appends every id `request` matches to `ids`, page by page.
// REQUIRES: at most kMaxDepth matches.
absl::Status PageAll(const Index& index, SearchRequest request, std::vector<std::string>* ids) {
  request.limit = SearchRequest::kMaxLimit;
  request.facets = false;
  request.page_token.clear();
  for (;;) {
    absl::StatusOr<SearchResponse> r = index.Search(request);
    if (!r.ok()) return r.status();
    for (const SearchHit& h : r->hits) ids->push_back(h.id);
    if (r->next_page_token.empty()) return absl::OkStatus();
    request.page_token = r->next_page_token;
  }
}

class TileCollector {
 public:
  TileCollector(const Index& index, const SearchRequest& request) : index_(index), base_(request) {
    base_.radius_km.reset();
    base_.point.reset();
    base_.sort = SortOrder::kRelevance;
    base_.facets = false;
  }

  absl::Status Collect(const BoundingBox& tile) {
    SearchRequest r = base_;
    r.bbox = tile;
    r.limit = 1;
    absl::StatusOr<SearchResponse> count = index_.Search(r);
    if (!count.ok()) return count.status();
    if (count->total == 0) return absl::OkStatus();
    const double width = LonWidth(tile);
    const bool tiny = tile.north - tile.south < kMinTileDegrees && width < kMinTileDegrees;
    if (count->total <= kLeafMatches || (tiny && count->total <= SearchRequest::kMaxDepth)) {
      return PageAll(index_, r, &ids_);
    }
    if (tiny) {
      return absl::ResourceExhaustedError(absl::StrCat("more than ", SearchRequest::kMaxDepth,
                                                       " matches in a tile of ", kMinTileDegrees,
                                                       " degrees at ", tile.south, ",", tile.west));
    }
    const double mid_lat = (tile.south + tile.north) / 2;
    const double mid_lon = WrapLongitude(tile.west + width / 2);
    for (const auto& [south, north] : {std::pair{tile.south, mid_lat}, {mid_lat, tile.north}}) {
      for (const auto& [west, east] : {std::pair{tile.west, mid_lon}, {mid_lon, tile.east}}) {
        absl::Status s = Collect(BoundingBox{south, west, north, east});
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  std::vector<std::string>& ids() { return ids_; }

 private:
  const Index& index_;
  SearchRequest base_;
  std::vector<std::string> ids_;  // tiles share their edges: may repeat
};

}  // namespace

absl::StatusOr<std::vector<std::string>> AllMatchIds(const Index& index,
                                                     const SearchRequest& request, int64_t total) {
  std::vector<std::string> out;
  if (total <= SearchRequest::kMaxDepth) {
    absl::Status s = PageAll(index, request, &out);
    if (!s.ok()) return s;
  } else {
    const bool radius = request.point && request.radius_km;
    BoundingBox region{-90, -180, 90, 180};
    if (request.bbox) region = *request.bbox;
    if (radius) region = CircleBounds(*request.point, *request.radius_km);
    TileCollector tiles(index, request);
    absl::Status s = tiles.Collect(region);
    if (!s.ok()) return s;
    absl::flat_hash_set<std::string> seen;
    for (std::string& id : tiles.ids()) {
      if (!seen.insert(id).second) continue;
      if (radius) {
        absl::StatusOr<Artist> a = index.Get(id);
        if (!a.ok()) return a.status();
        if (!(NearestActiveKm(LocationsOf(*a), *request.point, request.date) <=
              *request.radius_km)) {
          continue;
        }
      }
      out.push_back(std::move(id));
    }
  }
  if (static_cast<int64_t>(out.size()) != total) {
    return absl::InternalError(
        absl::StrCat("enumerated ", out.size(), " matches, the search counts ", total));
  }
  return out;
}

}  // namespace inkdex::bench
