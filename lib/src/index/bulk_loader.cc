#include "inkdex/bulk_loader.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"

#include "geo/region.h"

namespace inkdex {
namespace {

// The key Index::Apply orders a batch's new slots by (IndexImpl::AssignNewSlots).
uint64_t CellOf(const Artist& artist) {
  const double lat = artist.location().latitude();
  const double lon = artist.location().longitude();
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return 0;  // Apply rejects it
  return geo::LeafCellId(lat, lon);
}

// Held artists are serialized into chunks of this size: one allocation per
// chunk instead of one (or, as Artist objects, dozens) per artist, which
// fragmented the heap the build then allocates in.
constexpr size_t kChunkBytes = 16 << 20;

// A held upsert: the artist serialized in Held::bytes[chunk] (about half the
// memory of an Artist object, in few allocations).
struct HeldUpsert {
  uint32_t chunk = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
  uint32_t group = 0;  // its id's group, numbered in order of first arrival
  uint64_t cell = 0;   // S2 leaf cell of the primary location
  uint64_t tag = 0;
};

}  // namespace

struct BulkLoader::Held {
  std::vector<HeldUpsert> upserts;
  std::vector<std::string> bytes;
  // Per id held, its group; per group, the index of its last upsert.
  absl::flat_hash_map<std::string, uint32_t> groups;
  std::vector<uint32_t> group_last;
};

BulkLoader::BulkLoader(Index& index, BulkLoadOptions options)
    : index_(index), options_(options), held_(std::make_unique<Held>()) {}

BulkLoader::~BulkLoader() = default;

size_t BulkLoader::size() const { return held_->upserts.size(); }

void BulkLoader::Add(const Artist& artist, uint64_t tag) {
  Held& h = *held_;
  const uint32_t index = static_cast<uint32_t>(h.upserts.size());
  auto [group, inserted] =
      h.groups.try_emplace(artist.id(), static_cast<uint32_t>(h.group_last.size()));
  if (inserted) h.group_last.push_back(index);
  h.group_last[group->second] = index;
  const size_t size = artist.ByteSizeLong();
  if (h.bytes.empty() || h.bytes.back().size() + size > h.bytes.back().capacity()) {
    h.bytes.emplace_back();
    h.bytes.back().reserve(std::max(kChunkBytes, size));
  }
  std::string& chunk = h.bytes.back();
  const size_t offset = chunk.size();
  chunk.resize(offset + size);
  artist.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(chunk.data() + offset));
  h.upserts.push_back({static_cast<uint32_t>(h.bytes.size() - 1), static_cast<uint32_t>(offset),
                       static_cast<uint32_t>(size), group->second, CellOf(artist), tag});
}

absl::Status BulkLoader::Flush(const ResultFn& on_result, const BatchFn& after_batch,
                               std::vector<std::pair<std::string, std::string>> metadata) {
  std::unique_ptr<Held> taken = std::exchange(held_, std::make_unique<Held>());
  const std::vector<HeldUpsert>& held = taken->upserts;
  const std::vector<std::string>& bytes = taken->bytes;
  // Each id's upserts form a group placed by the cell of its last upsert and
  // ordered within by arrival; groups of one cell keep their first arrival's
  // order, so the order is deterministic.
  struct Key {
    uint64_t cell;
    uint32_t group;
    uint32_t index;
  };
  taken->groups.clear();  // the ids' memory, before the batches need some
  std::vector<Key> order(held.size());
  for (uint32_t i = 0; i < held.size(); ++i) {
    order[i] = {held[taken->group_last[held[i].group]].cell, held[i].group, i};
  }
  std::sort(order.begin(), order.end(), [](const Key& a, const Key& b) {
    if (a.cell != b.cell) return a.cell < b.cell;
    if (a.group != b.group) return a.group < b.group;
    return a.index < b.index;
  });

  const size_t batch_size = std::max<size_t>(1, options_.batch_size);
  size_t applied = 0;
  do {
    size_t end = std::min(order.size(), applied + batch_size);
    // An id's upserts stay in one batch.
    while (end < order.size() && order[end].group == order[end - 1].group) ++end;
    WriteBatch batch;
    std::vector<uint64_t> tags;
    tags.reserve(end - applied);
    for (size_t i = applied; i < end; ++i) {
      const HeldUpsert& h = held[order[i].index];
      tags.push_back(h.tag);
      Artist artist;
      if (!artist.ParseFromArray(bytes[h.chunk].data() + h.offset, static_cast<int>(h.size))) {
        return absl::InternalError("bulk load: a held artist does not parse back");
      }
      batch.Upsert(std::move(artist));
    }
    if (end == order.size()) {
      for (auto& [key, value] : metadata) batch.PutMetadata(std::move(key), std::move(value));
    }
    if (batch.empty()) break;
    absl::StatusOr<std::vector<ChangeResult>> results = index_.Apply(batch);
    if (!results.ok()) return results.status();
    for (size_t i = 0; i < results->size() && i < tags.size(); ++i) {
      if (absl::Status s = on_result(tags[i], (*results)[i]); !s.ok()) return s;
    }
    applied = end;
    if (after_batch && !order.empty()) {
      if (absl::Status s = after_batch(applied, order.size()); !s.ok()) return s;
    }
  } while (applied < order.size());
  return absl::OkStatus();
}

}  // namespace inkdex
