// ListStyles and GetStats: the library's taxonomy and index statistics <->
// responses (contract in convert.h). Search, Suggest and the writes are in
// convert_search.cc and convert_write.cc.
#include <cstdint>
#include <vector>

#include "api/convert.h"

namespace inkdex::api {

v1::ListStylesResponse StylesToProto(const StyleTaxonomy& taxonomy,
                                     const std::vector<int64_t>& counts, uint64_t commit_seq) {
  v1::ListStylesResponse out;
  out.set_commit_seq(commit_seq);
  out.mutable_styles()->Reserve(taxonomy.size());
  for (int i = 0; i < taxonomy.size(); ++i) {
    const StyleInfo& info = taxonomy.style(i);
    v1::Style* style = out.add_styles();
    style->set_id(info.id);
    style->set_name(info.display_name);
    style->mutable_aliases()->Assign(info.aliases.begin(), info.aliases.end());
    // Counts from an index with a shorter taxonomy would be a caller bug;
    // a style without a count has no searchable artists to report.
    style->set_artist_count(static_cast<size_t>(i) < counts.size() ? counts[i] : 0);
  }
  return out;
}

v1::GetStatsResponse StatsToProto(const IndexStats& stats) {
  v1::GetStatsResponse out;
  out.set_documents(stats.documents);
  out.set_searchable(stats.searchable);
  out.set_tombstones(stats.tombstones);
  out.set_commit_seq(stats.commit_seq);
  out.set_last_commit_unix_micros(stats.last_commit_unix_micros);
  out.set_disk_bytes(stats.disk_bytes);
  out.set_memory_bytes(stats.memory_bytes);
  out.set_item_states(stats.item_states);
  out.set_disk_free_bytes(stats.disk_free_bytes);
  return out;
}

IndexStats StatsFromProto(const v1::GetStatsResponse& response) {
  IndexStats out;
  out.documents = response.documents();
  out.searchable = response.searchable();
  out.tombstones = response.tombstones();
  out.commit_seq = response.commit_seq();
  out.last_commit_unix_micros = response.last_commit_unix_micros();
  out.disk_bytes = response.disk_bytes();
  out.memory_bytes = response.memory_bytes();
  out.item_states = response.item_states();
  out.disk_free_bytes = response.disk_free_bytes();
  return out;
}

v1::SlotLayout SlotLayoutToProto(const SlotLayout& layout) {
  v1::SlotLayout out;
  out.set_artists(layout.artists);
  out.set_breaks(layout.breaks);
  out.set_drift(layout.Drift());
  return out;
}

SlotLayout SlotLayoutFromProto(const v1::SlotLayout& layout) {
  return SlotLayout{.artists = layout.artists(), .breaks = layout.breaks()};
}

}  // namespace inkdex::api
