#include "index/item_states.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace inkdex::index {

ItemStep ApplyRankedChange(const StoredRecord& current, VersionRef version, uint32_t rank,
                           absl::FunctionRef<StoredRecord()> make, ItemStates* kept) {
  ItemStep step;
  // 1-2: the change against its own item's state only.
  const StoredRecord* state = current.source_rank() == rank ? &current : nullptr;
  for (const StoredRecord& s : kept->items()) {
    if (state == nullptr && s.source_rank() == rank) state = &s;
  }
  if (state != nullptr && CompareVersions(version, VersionOf(*state)) <= 0) {
    step.result = {
        ChangeResult::Outcome::kStale,
        absl::StrCat(DescribeVersion(version), " <= stored ", DescribeVersion(VersionOf(*state)))};
    return step;
  }
  // 3: every item's state, the change's in place of its item's, in rank
  // order (one per rank). An artist of one item copies nothing here.
  std::vector<StoredRecord> states;
  states.reserve(kept->items_size() + 2);
  for (StoredRecord& s : *kept->mutable_items()) {
    if (s.source_rank() != rank) states.push_back(std::move(s));
  }
  if (current.source_rank() != rank) states.push_back(current);
  states.push_back(make());
  std::sort(states.begin(), states.end(), [](const StoredRecord& a, const StoredRecord& b) {
    return a.source_rank() < b.source_rank();
  });
  // The highest-ranked live state; with none, the change (the newest delete).
  size_t served = states.size();
  for (size_t i = 0; i < states.size() && served == states.size(); ++i) {
    if (!states[i].deleted()) served = i;
  }
  for (size_t i = 0; i < states.size() && served == states.size(); ++i) {
    if (states[i].source_rank() == rank) served = i;
  }
  kept->Clear();
  for (size_t i = 0; i < states.size(); ++i) {
    if (i == served) continue;
    StoredRecord* s = kept->add_items();
    *s = std::move(states[i]);
    s->clear_slot();
    s->clear_has_item_states();
  }
  step.stored = std::move(states[served]);
  step.stored.set_slot(current.slot());
  step.stored.set_has_item_states(kept->items_size() > 0);
  step.changed = true;
  // The other items' states are as they were when the change replaced the
  // stored record of its own rank and is served.
  step.kept_changed = current.source_rank() != rank || step.stored.source_rank() != rank;
  // 4: kept, but a higher-ranked live item is served.
  if (!step.stored.deleted() && step.stored.source_rank() < rank) {
    step.result = {ChangeResult::Outcome::kStale,
                   absl::StrCat("source rank ", rank, " is outranked by the stored document's ",
                                step.stored.source_rank(), " (kept as its item's latest state)"),
                   step.stored.source_rank()};
  }
  return step;
}

std::vector<std::string> CheckItemStates(const std::string& id, const StoredRecord* served,
                                         const ItemStates& kept) {
  std::vector<std::string> problems;
  auto problem = [&](absl::string_view what) {
    problems.push_back(absl::StrCat("artist '", id, "': ", what));
  };
  if (served == nullptr) {
    problem("item states are kept but no record is stored");
    return problems;
  }
  if (!served->has_item_states()) {
    problem("item states are kept but the stored record does not say so");
  }
  if (served->source_rank() == 0) problem("item states are kept beside an unranked record");
  if (kept.items().empty()) problem("an empty set of item states is stored");
  uint32_t previous = 0;
  for (const StoredRecord& s : kept.items()) {
    const uint32_t rank = s.source_rank();
    const std::string item = absl::StrCat("the kept state of source rank ", rank);
    if (rank <= previous) problem(absl::StrCat(item, ": ranks must be > 0, unique and in order"));
    previous = rank;
    if (rank == served->source_rank()) problem(absl::StrCat(item, ": the stored record's rank"));
    if (s.slot() != 0 || s.has_item_states()) {
      problem(absl::StrCat(item, ": has a slot or item states of its own"));
    }
    if (s.version() == 0 && s.stream_sequence().empty())
      problem(absl::StrCat(item, ": no version"));
    if (s.deleted() == s.has_artist()) {
      problem(absl::StrCat(item, s.deleted() ? ": a tombstone with an image"
                                             : ": neither an image nor a tombstone"));
    }
    if (s.has_artist() && s.artist().id() != id) {
      problem(absl::StrCat(item, ": holds an image of '", s.artist().id(), "'"));
    }
    if (!s.deleted() && served->deleted()) {
      problem(absl::StrCat(item, ": live, but the stored record is a tombstone"));
    } else if (!s.deleted() && rank < served->source_rank()) {
      problem(absl::StrCat(item, ": live, and outranks the stored document"));
    }
  }
  return problems;
}

absl::StatusOr<ItemStep> ItemStatesBatch::Apply(const std::string& id, const StoredRecord& current,
                                                VersionRef version, uint32_t rank,
                                                absl::FunctionRef<StoredRecord()> make) {
  ItemStates loaded;
  ItemStates* kept = &loaded;
  if (auto it = changed_.find(id); it != changed_.end()) {
    kept = &it->second;
  } else if (current.has_item_states()) {
    absl::StatusOr<std::optional<ItemStates>> stored = store_.GetItemStates(id);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) loaded = **std::move(stored);
  }
  ItemStep step = ApplyRankedChange(current, version, rank, make, kept);
  if (step.kept_changed && kept == &loaded) changed_[id] = std::move(loaded);
  return step;
}

void ItemStatesBatch::AddTo(store::CommitWrite* write) && {
  for (auto& [id, states] : changed_) write->item_states.emplace_back(id, std::move(states));
  changed_.clear();
}

}  // namespace inkdex::index
