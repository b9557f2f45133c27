// BulkLoader: loads many upserts into an Index in the order that makes the
// index fast to search (offline builds, a server's bootstrap from a table).
//
// Index::Apply gives an artist it has not seen before a slot (its row in
// memory and its Xapian document number) in the order of its primary
// location's S2 cell, but only within one batch: across batches, slots follow
// arrival order. A loader holds the upserts it is given and applies them
// sorted by cell, `batch_size` at a time, so artists near each other get
// neighbouring slots across the whole load. A geo query then reads a few runs
// of rows instead of rows scattered over the whole table, and Xapian skips
// the posting chunks outside those runs instead of decoding every posting of
// a word: at 1,000,000 artists, text within 50 km takes ~440 us instead of
// ~700 us on average (bench/ANALYSIS.md, "Slots in cell order").
//
// The end state is the one applying the upserts in the order they were added
// would leave: all upserts of one id are applied one after another, in the
// order added (placed by the cell of the last one), so the version rules
// (inkdex/index.h "Versions") decide between them exactly as they would have;
// they go in one batch (which may then exceed batch_size), so that each
// commit adds new artists only (what IndexOptions::defer_search_index
// writes in parallel).
// Each upsert's ChangeResult is handed back with the caller's tag.
//
// Artists added later (Index::Apply by a server, a stream) get slots after
// the loaded ones, and an artist keeps its slot when it moves, so a
// long-lived index slowly loses the order; a new build (`inkdex build`, a
// server's re-sync from the table) restores it, and so does `inkdex repair`
// (IndexOptions::renumber_slots).
//
// Cost: the held artists stay in memory, serialized, until Flush (about 500
// bytes each for directory-like records: `inkdex build` of 1,000,000 peaked
// at 1.3 GB instead of 0.85 GB, in the same time); the sort is O(n log n)
// over cells.
//
// Thread safety: one thread at a time (it is not internally synchronized);
// the Index may be searched meanwhile.
//
// Example:
//   inkdex::BulkLoader loader(*index, {.batch_size = 10000});
//   for (size_t line = 1; ...; ++line) loader.Add(ParseLine(...), line);
//   absl::Status s = loader.Flush(
//       [&](uint64_t line, const inkdex::ChangeResult& r) {
//         if (r.outcome == inkdex::ChangeResult::Outcome::kRejected) Report(line, r.reason);
//         return absl::OkStatus();
//       });
#ifndef INKDEX_BULK_LOADER_H_
#define INKDEX_BULK_LOADER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "inkdex/artist.pb.h"
#include "inkdex/index.h"

namespace inkdex {

struct BulkLoadOptions {
  // Upserts per Index::Apply (one commit each). REQUIRES: > 0.
  size_t batch_size = 10000;
};

class BulkLoader {
 public:
  // Called once per applied upsert, in the order applied, with its tag; a
  // non-OK status stops the flush there (no later result is reported, no
  // later batch applied; its own batch is already committed).
  using ResultFn = std::function<absl::Status(uint64_t tag, const ChangeResult& result)>;
  // Called after each applied batch of upserts with the upserts applied so
  // far in this flush and the number it holds (> 0); a non-OK status (say
  // CANCELLED) stops it.
  using BatchFn = std::function<absl::Status(size_t applied, size_t total)>;

  // `index` must outlive the loader.
  explicit BulkLoader(Index& index, BulkLoadOptions options = {});
  ~BulkLoader();
  BulkLoader(const BulkLoader&) = delete;
  BulkLoader& operator=(const BulkLoader&) = delete;

  // Holds a copy of `artist` (an upsert, with its version set) until the
  // next Flush.
  void Add(const Artist& artist, uint64_t tag);
  // Upserts held.
  size_t size() const;

  // Applies every held upsert in cell order, batch_size at a time (an id's
  // upserts in one batch, which may exceed batch_size by them), and
  // empties the loader (also on error: what was not applied is dropped).
  // `metadata` (Index::GetMetadata keys and values) is committed with the
  // last batch, or alone when nothing is held. Returns the first error of
  // Index::Apply, `on_result` or `after_batch`; batches applied before it
  // stay applied.
  absl::Status Flush(const ResultFn& on_result, const BatchFn& after_batch = nullptr,
                     std::vector<std::pair<std::string, std::string>> metadata = {});

 private:
  struct Held;
  Index& index_;
  const BulkLoadOptions options_;
  std::unique_ptr<Held> held_;  // what Add keeps until Flush
};

}  // namespace inkdex

#endif  // INKDEX_BULK_LOADER_H_
