// Item states: how Index::Apply serves an artist fed by several ranked table
// items (ARTIST#x/METADATA, rank 1, and the older ARTIST#x/PROFILE, rank 2;
// inkdex/index.h "Source ranks").
//
// Every ranked item of an artist has a state: the latest change seen of
// that item, either its image (a live document, possibly hidden) or a
// tombstone, at its version. "Live" means an image, hidden or not: an opted
// out or inactive METADATA item hides the artist, it does not fall back to
// PROFILE. The artist's stored record (DocStore d/<id>)
// serves the state of its highest-ranked live item; the states of its other
// items are kept beside it (DocStore i/<id>, an ItemStates, written in the
// same commit; StoredRecord.has_item_states says they exist, so an artist
// with one item, nearly every one, costs no read for them). Versions are
// compared per item only: the versions of two items say nothing about each
// other (ranks decide between items), so each item's changes are
// idempotent and ordered on their own, and the index follows the table
// whatever the order in which the items' records interleave.
//
// The rule, for a change of rank r > 0 when the stored record is ranked:
//   1. The item's state: the stored record if it is of rank r, else its kept
//      state of rank r, else none (never seen: nothing to beat).
//   2. A change whose version is not newer than that state is stale
//      ("version 3 <= stored 5"): nothing changes.
//   3. Else it becomes the item's state. The stored record becomes the
//      highest-ranked live state; the others are kept. When no state is live,
//      the stored record is the change's tombstone (the newest delete, so
//      that the tombstone purge dates the artist from its last delete) and
//      the older tombstones are kept.
//   4. The change is reported stale with ChangeResult::outranked_by (the
//      served rank) when a higher-ranked live item is served: it is kept,
//      to be served if that item is deleted, but changed nothing visible.
//      Otherwise it is applied.
//
// The cases (M: METADATA, rank 1; P: PROFILE, rank 2; "stored; kept"):
//
//   #  before                 change             after                    result
//   1  M v5; -                P upsert v7        M v5; P v7               stale, outranked_by 1
//   2  M v5; P v7             P upsert v7 or v6  unchanged                stale (version)
//   3  M v5; P v7             P delete v8        M v5; P deleted v8       stale, outranked_by 1
//   4  P v7; -                M upsert v3        M v3; P v7               applied (rank decides)
//   5  M v5; P v7             M delete v9        P v7; M deleted v9       applied: P's image,
//                                                                         version and rank
//   6  M v5; P deleted v8     M delete v9        M deleted v9; P del. v8  applied: gone
//   7  P v7; M deleted v9     M upsert v9 or v5  unchanged                stale (version): no
//                                                                         resurrection of M
//   8  P v7; M deleted v9     M upsert v10       M v10; P v7              applied
//   9  P v7; M deleted v9     P upsert v11       P v11; M deleted v9      applied
//  10  P v7; M deleted v9     P delete v12       P deleted v12; M del. v9 applied: gone
//  11  M deleted v9; -        P upsert v4        P v4; M deleted v9       applied (P unseen)
//  12  P v7; -                M delete v2        P v7; M deleted v2       applied (P stays)
//  13  M deleted v9; P del v8 P upsert v8        unchanged                stale (version)
//  14  M v5; (any)            M upsert v6        M v6; (unchanged)        applied
//  15  (any)                  unranked change    versions only, against the stored record, as
//                                                without ranks; when it applies the kept
//                                                states are dropped (not a table item: it
//                                                replaces the artist whole)
//  16  unranked record        ranked change      versions only, as 15; nothing kept
//  17  none (new, or purged)  any change         stored as it is                 applied
//
// Within one batch the cases chain: each change sees the states the
// earlier ones left. Upgrades: an index written before item states were
// kept holds none, so a lower-ranked item's changes seen by then are
// unknown until its next change; a delete of the served item leaves a
// tombstone as before (case 6 without P).
//
// The states stay as long as their artist: a tombstone purge forgets them
// with the artist's tombstone (whose deletion time is the newest of its
// items'), and a live artist keeps at most one state per other rank (a
// kept tombstone is a few dozen bytes).
//
// Invariants, for an id with kept states K and stored record D (checked by
// CheckItemStates for Index::Verify):
//   - D is ranked, D.has_item_states, and K is not empty;
//   - K holds one state per rank, ranks > 0 and != D's, in rank order,
//     each without a slot and with a version, an image of the id exactly
//     when it is not a tombstone;
//   - no live state in K outranks D, and none is live when D is a tombstone.
//
// Thread safety: ApplyRankedChange and CheckItemStates are pure;
// ItemStatesBatch is used by the single writer (Index::Apply).
#ifndef INKDEX_INDEX_ITEM_STATES_H_
#define INKDEX_INDEX_ITEM_STATES_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "index/change_version.h"
#include "inkdex/artist.pb.h"
#include "inkdex/index.h"
#include "store/doc_store.h"

namespace inkdex::index {

struct ItemStep {
  ChangeResult result;
  // The change became its item's state: store `stored` under the id.
  bool changed = false;
  // ApplyRankedChange changed its `kept` (else it is as it was): store it.
  bool kept_changed = false;
  StoredRecord stored;  // when changed; it has `current`'s slot
};

// Applies a change of rank `rank` at `version` to an artist whose stored
// record is `current` and whose kept states are `*kept` (the rule above).
// `make` builds the change's record (version, rank, the canonical artist
// with its content hash or a tombstone with its time; slot unset): called
// only when the change is not stale. REQUIRES: rank > 0,
// current.source_rank() > 0, the invariants above. Cost: O(ranks); copies
// `current` only when it stays served or is kept.
ItemStep ApplyRankedChange(const StoredRecord& current, VersionRef version, uint32_t rank,
                           absl::FunctionRef<StoredRecord()> make, ItemStates* kept);

// The problems with `kept` as the kept states of the stored record `served`
// (null: the id has none), as Index::Verify reports them ("artist 'x': ...").
std::vector<std::string> CheckItemStates(const std::string& id, const StoredRecord* served,
                                         const ItemStates& kept);

// The kept states one Index::Apply batch reads and changes, by id: read from
// the store at the id's first ranked change (only when its record has
// some), then carried from change to change, and added to the commit by
// AddTo.
class ItemStatesBatch {
 public:
  explicit ItemStatesBatch(const store::DocStore& store) : store_(store) {}

  // ApplyRankedChange for `id` whose record is `current` (stored, or this
  // batch's). A record whose kept states the store lacks counts as having
  // none (Index::Verify reports it; the record is corrected when written).
  absl::StatusOr<ItemStep> Apply(const std::string& id, const StoredRecord& current,
                                 VersionRef version, uint32_t rank,
                                 absl::FunctionRef<StoredRecord()> make);

  // An unranked change replaced `id`'s record: its kept states go.
  void Drop(const std::string& id) { changed_[id].Clear(); }
  // Whether this batch changed `id`'s kept states (they may exist although
  // the store has none yet).
  bool Changed(const std::string& id) const {
    return !changed_.empty() && changed_.contains(id);  // nearly always empty
  }

  // The changed kept states, into the commit (empty ones delete the key).
  void AddTo(store::CommitWrite* write) &&;

 private:
  const store::DocStore& store_;
  absl::flat_hash_map<std::string, ItemStates> changed_;
};

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_ITEM_STATES_H_
