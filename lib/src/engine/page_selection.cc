// SearchRun's page selection: keyset paging after the token's cursor,
// per-studio diversity, the next token, and the hits themselves.
#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "engine/search_run.h"

namespace inkdex::engine::internal {

namespace {

// Diversity's memory: a token remembers every artist shown after its cursor
// (the first artist held back), 8 bytes each. Past this many, a page holds
// nothing back, so the cursor moves on and the token stays under ~25 KB
// (DecodePageToken refuses 64 KB): a session deep in one studio's artists
// then gets pages with more than max_per_studio of it, rather than a
// token refused before the paging limit.
constexpr size_t kMaxHeldBack = 2000;

}  // namespace

bool SearchRun::AfterCursor(const Match& m) const {
  if (!p_.cursor) return true;
  const PageCursor& c = *p_.cursor;
  if (m.key != c.key) return m.key > c.key;
  return s_.rows.row(m.slot).id > c.id;
}

void SearchRun::BuildPage(SearchResponse* out) {
  const uint32_t depth = p_.cursor ? p_.cursor->depth : 0;
  std::vector<uint64_t> already;
  if (p_.cursor) already = p_.cursor->emitted_after;
  std::sort(already.begin(), already.end());
  auto is_already = [&](const Match& m) {
    return !already.empty() &&
           std::binary_search(already.begin(), already.end(), StableHash64(s_.rows.row(m.slot).id));
  };
  std::erase_if(pool_, [&](const Match& m) {
    return (pool_partial_ && !(m.key < pool_bound_)) || !AfterCursor(m);
  });
  auto less = [&](const Match& a, const Match& b) {
    if (a.key != b.key) return a.key < b.key;
    return s_.rows.row(a.slot).id < s_.rows.row(b.slot).id;
  };
  const size_t limit = static_cast<size_t>(r_.limit);
  const bool diverse = r_.max_per_studio > 0;
  if (!diverse && pool_.size() > limit) {
    // The keys alone pick all of the page but its ties: keep the matches up
    // to the limit-th smallest key, ties included, and compare ids (a row
    // read each, a cache miss) only among those. Sorted by rating, a
    // viewport's matches share a handful of keys: comparing ids across all
    // of them was ~15 % of such a query at 1M. The limit-th key comes from a
    // heap of the smallest keys seen (one comparison for most matches).
    std::vector<double> smallest;
    smallest.reserve(limit);
    for (const Match& m : pool_) {
      if (smallest.size() < limit) {
        smallest.push_back(m.key);
        std::push_heap(smallest.begin(), smallest.end());
      } else if (m.key < smallest.front()) {
        std::pop_heap(smallest.begin(), smallest.end());
        smallest.back() = m.key;
        std::push_heap(smallest.begin(), smallest.end());
      }
    }
    const double last_key = smallest.front();
    pool_.erase(std::remove_if(pool_.begin(), pool_.end(),
                               [&](const Match& m) { return m.key > last_key; }),
                pool_.end());
    std::partial_sort(pool_.begin(), pool_.begin() + static_cast<ptrdiff_t>(limit), pool_.end(),
                      less);
    pool_.resize(limit);
  } else {
    std::sort(pool_.begin(), pool_.end(), less);
  }

  absl::flat_hash_map<const std::string*, int> per_studio;
  std::vector<const Match*> emitted;
  const Match* prefix_end = nullptr;  // last match of the contiguous emitted prefix
  bool deferred_any = false;
  std::vector<uint64_t> after;  // hashes emitted after prefix_end
  // Hashes of `already` that joined the prefix: they lie at or before the
  // next cursor, which passes them by itself, so the next token drops them.
  std::vector<uint64_t> passed;
  for (const Match& m : pool_) {
    if (emitted.size() == limit) break;
    const Row& row = s_.rows.row(m.slot);
    if (is_already(m)) {
      if (deferred_any)
        after.push_back(StableHash64(row.id));
      else {
        prefix_end = &m;
        passed.push_back(StableHash64(row.id));
      }
      continue;
    }
    if (diverse && row.studio_key != nullptr && already.size() + after.size() < kMaxHeldBack &&
        per_studio[row.studio_key] >= r_.max_per_studio) {
      deferred_any = true;
      continue;
    }
    if (row.studio_key != nullptr) ++per_studio[row.studio_key];
    emitted.push_back(&m);
    if (deferred_any)
      after.push_back(StableHash64(row.id));
    else
      prefix_end = &m;
  }
  out->hits.resize(emitted.size());
  for (size_t i = 0; i < emitted.size(); ++i) FillHit(*emitted[i], &out->hits[i]);

  const uint64_t returned = depth + emitted.size();
  if (returned < static_cast<uint64_t>(total_) && !emitted.empty()) {
    PageCursor next;
    next.fingerprint = p_.fingerprint;
    next.day = p_.day;
    next.depth = static_cast<uint32_t>(returned);
    if (prefix_end != nullptr) {
      next.key = prefix_end->key;
      next.id = s_.rows.row(prefix_end->slot).id;
    } else {  // the page began with a deferral: stay where the last page stopped
      next.key = p_.cursor->key;
      next.id = p_.cursor->id;
    }
    // Carry the hashes of earlier pages that may still lie after the new
    // cursor: all but those the prefix passed (and those `after` holds).
    // Without dropping the passed ones a token grew by every deferred
    // artist of the session and outgrew DecodePageToken's limit long before
    // kMaxDepth.
    std::sort(passed.begin(), passed.end());
    next.emitted_after = std::move(after);
    const size_t fresh = next.emitted_after.size();
    for (uint64_t h : already) {
      if (std::binary_search(passed.begin(), passed.end(), h)) continue;
      if (std::find(next.emitted_after.begin(), next.emitted_after.begin() + fresh, h) ==
          next.emitted_after.begin() + fresh) {
        next.emitted_after.push_back(h);
      }
    }
    out->next_page_token = EncodePageToken(next);
  }
}

void SearchRun::FillHit(const Match& m, SearchHit* hit) const {
  const Row& row = s_.rows.row(m.slot);
  const RowLocation& loc = row.locations[m.loc];
  double dist = m.dist;
  if (p_.has_ref && std::isnan(dist)) dist = DistanceTo(loc.lat, loc.lon);
  hit->id = row.id;
  hit->name = row.name;
  hit->studio_name = *row.studio_name;
  hit->location = *loc.display;
  hit->city = *loc.city_name;
  hit->guest_spot = m.loc > 0;
  hit->lat = loc.lat;
  hit->lon = loc.lon;
  hit->distance_km = dist;
  hit->explanation = ranker_.Explain(s_.rows.hot(m.slot), dist, m.text);
  hit->score = hit->explanation.text + hit->explanation.distance + hit->explanation.quality;
  if (!r_.explain) hit->explanation = ScoreExplanation();
  for (uint64_t mask = row.style_mask; mask != 0; mask &= mask - 1) {
    hit->styles.push_back(tax_.style(std::countr_zero(mask)).id);
  }
  if (!std::isnan(row.rating)) hit->rating = row.rating;
  hit->review_count = row.review_count;
  if (!std::isnan(row.hourly_rate)) hit->hourly_rate = row.hourly_rate;
  hit->currency = row.currency ? *row.currency : "";
  hit->booking_open = row.booking_open;
}

}  // namespace inkdex::engine::internal
