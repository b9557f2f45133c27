#include "inkdex/index.h"

namespace inkdex {

void WriteBatch::Upsert(Artist artist) {
  Change c;
  c.kind = Change::Kind::kUpsert;
  c.artist = std::move(artist);
  changes_.push_back(std::move(c));
}

void WriteBatch::Delete(std::string id, uint64_t version) {
  Change c;
  c.kind = Change::Kind::kDelete;
  c.id = std::move(id);
  c.version = version;
  changes_.push_back(std::move(c));
}

void WriteBatch::DeleteAtStreamSequence(std::string id, std::string stream_sequence,
                                        uint32_t source_rank) {
  Change c;
  c.kind = Change::Kind::kDelete;
  c.id = std::move(id);
  c.stream_sequence = std::move(stream_sequence);
  c.source_rank = source_rank;
  changes_.push_back(std::move(c));
}

void WriteBatch::PutMetadata(std::string key, std::string value) {
  metadata_.emplace_back(std::move(key), std::move(value));
}

void WriteBatch::Append(const WriteBatch& other) {
  if (&other == this) {
    // Inserting a vector's own range into it is undefined: copy it first.
    const WriteBatch copy = other;
    Append(copy);
    return;
  }
  changes_.insert(changes_.end(), other.changes_.begin(), other.changes_.end());
  metadata_.insert(metadata_.end(), other.metadata_.begin(), other.metadata_.end());
}

void WriteBatch::Clear() {
  changes_.clear();
  metadata_.clear();
}

}  // namespace inkdex
