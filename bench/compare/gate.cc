#include "gate.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace inkdex::bench {
namespace {

constexpr size_t kShownIds = 8;  // ids listed per difference in a report

std::string Key(const std::optional<double>& k) {
  return k ? absl::StrFormat("%.12g", *k) : std::string("unknown");
}

class Checker {
 public:
  Checker(const InkdexReference& ref, const PeerAnswer& peer) : ref_(ref), peer_(peer) {}

  std::vector<std::string> Run() {
    CheckSets();
    CheckFacets();
    CheckPage();
    return problems_;
  }

 private:
  bool IsBoundary(const std::string& id) const {
    if (!ref_.request.radius_km || !ref_.distance_km) return false;
    const std::optional<double> d = ref_.distance_km(id);
    return d && NearBoundary(*d, *ref_.request.radius_km);
  }

  std::string Describe(const std::string& id) const {
    const std::optional<double> d = ref_.distance_km ? ref_.distance_km(id) : std::nullopt;
    return d ? absl::StrFormat("%s (%.9f km)", id, *d) : id;
  }

  std::string DescribeIds(const std::vector<std::string>& ids) const {
    std::string out;
    for (size_t i = 0; i < ids.size() && i < kShownIds; ++i) {
      absl::StrAppend(&out, i ? ", " : "", Describe(ids[i]));
    }
    if (ids.size() > kShownIds) absl::StrAppend(&out, ", ...");
    return out;
  }

  void CheckSets() {
    const absl::flat_hash_set<std::string> peer_set(peer_.all_ids.begin(), peer_.all_ids.end());
    if (peer_set.size() != peer_.all_ids.size()) {
      problems_.push_back(
          absl::StrCat("all_ids holds ", peer_.all_ids.size() - peer_set.size(), " duplicate ids"));
    }
    if (peer_.total != static_cast<int64_t>(peer_set.size())) {
      problems_.push_back(absl::StrCat("total ", peer_.total, " but ", peer_set.size(),
                                       " distinct ids in all_ids"));
    }
    const absl::flat_hash_set<std::string> ref_set(ref_.answer.all_ids.begin(),
                                                   ref_.answer.all_ids.end());
    std::vector<std::string> only_inkdex, only_peer;
    for (const std::string& id : ref_set) {
      if (!peer_set.contains(id)) (IsBoundary(id) ? boundary_diff_ : only_inkdex).push_back(id);
    }
    for (const std::string& id : peer_set) {
      if (!ref_set.contains(id)) (IsBoundary(id) ? boundary_diff_ : only_peer).push_back(id);
    }
    std::sort(only_inkdex.begin(), only_inkdex.end());
    std::sort(only_peer.begin(), only_peer.end());
    if (!only_inkdex.empty() || !only_peer.empty()) {
      problems_.push_back(absl::StrCat(
          "match sets differ (inkdex total ", ref_.answer.total, ", peer total ", peer_.total,
          "): ", only_inkdex.size(), " only in inkdex [", DescribeIds(only_inkdex), "], ",
          only_peer.size(), " only in the peer [", DescribeIds(only_peer), "]"));
    }
  }

  void CheckFacetGroup(const char* group, const std::vector<FacetValue>& ref,
                       const std::vector<FacetValue>& peer) {
    const int64_t slack = ref_.facet_slack + static_cast<int64_t>(boundary_diff_.size());
    std::map<std::string, std::pair<int64_t, int64_t>> counts;  // value -> (inkdex, peer)
    for (const FacetValue& v : ref) counts[v.value].first += v.count;
    for (const FacetValue& v : peer) counts[v.value].second += v.count;
    std::string diffs;
    int shown = 0;
    for (const auto& [value, c] : counts) {
      if (std::llabs(c.first - c.second) <= slack) continue;
      if (shown++ < static_cast<int>(kShownIds)) {
        absl::StrAppend(&diffs, diffs.empty() ? "" : ", ", "\"", value, "\" inkdex ", c.first,
                        " peer ", c.second);
      }
    }
    if (shown > 0) {
      problems_.push_back(absl::StrCat("facet ", group, ": ", shown, " values differ",
                                       slack ? absl::StrCat(" by more than ", slack) : "", " (",
                                       diffs, ")"));
    }
  }

  void CheckFacets() {
    if (!ref_.request.facets) return;
    const Facets& a = ref_.answer.facets;
    const Facets& b = peer_.facets;
    CheckFacetGroup("styles", a.styles, b.styles);
    CheckFacetGroup("distance_rings", a.distance_rings, b.distance_rings);
    CheckFacetGroup("hourly_rate_bands", a.hourly_rate_bands, b.hourly_rate_bands);
    CheckFacetGroup("rating_bands", a.rating_bands, b.rating_bands);
    CheckFacetGroup("cities", a.cities, b.cities);
  }

  void CheckPage() {
    const std::vector<std::string>& a = ref_.answer.page_ids;
    const std::vector<std::string>& b = peer_.page_ids;
    if (a.size() != b.size()) {
      problems_.push_back(
          absl::StrCat("page holds ", b.size(), " ids, inkdex's ", a.size(), " ids"));
      return;
    }
    const absl::flat_hash_set<std::string> distinct(b.begin(), b.end());
    if (distinct.size() != b.size()) problems_.push_back("page repeats an id");
    std::string diffs;
    int bad = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] == b[i] || IsBoundary(a[i]) || IsBoundary(b[i])) continue;
      const std::optional<double> ka = ref_.sort_key ? ref_.sort_key(a[i]) : std::nullopt;
      const std::optional<double> kb = ref_.sort_key ? ref_.sort_key(b[i]) : std::nullopt;
      if (ka && kb &&
          (*ka == *kb ||
           std::abs(*ka - *kb) <= kKeyRelativeTolerance * std::max(1.0, std::abs(*ka)))) {
        continue;
      }
      if (bad++ < static_cast<int>(kShownIds)) {
        absl::StrAppend(&diffs, diffs.empty() ? "" : "; ", "#", i + 1, " inkdex ", Describe(a[i]),
                        " key ", Key(ka), ", peer ", Describe(b[i]), " key ", Key(kb));
      }
    }
    if (bad > 0) {
      problems_.push_back(
          absl::StrCat("page: ", bad, " positions differ beyond ties (", diffs, ")"));
    }
  }

  const InkdexReference& ref_;
  const PeerAnswer& peer_;
  std::vector<std::string> boundary_diff_;  // ids in one set only, on the radius boundary
  std::vector<std::string> problems_;
};

}  // namespace

bool NearBoundary(double distance_km, double edge_km) {
  return std::abs(distance_km - edge_km) <= std::max(kBoundaryKm, kBoundaryRelative * edge_km);
}

GateResult CheckAnswer(const InkdexReference& ref, const std::string& system,
                       const PeerAnswer& peer) {
  GateResult result;
  const std::vector<std::string> problems = Checker(ref, peer).Run();
  if (problems.empty()) return result;
  result.ok = false;
  result.report = absl::StrCat("gate mismatch: ", system, " vs inkdex on ", ref.query_json);
  for (const std::string& p : problems) absl::StrAppend(&result.report, "\n  - ", p);
  return result;
}

}  // namespace inkdex::bench
