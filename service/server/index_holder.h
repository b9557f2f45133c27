// IndexHolder: the index inkdex-server serves, replaceable while calls run.
//
// Every call takes the index it works on with Current() and keeps that
// std::shared_ptr for its whole duration, so a swap never pulls an index out
// from under a running call: calls in flight finish on the old index, calls
// that start after the swap get the new one, and the old index is closed
// (its stores flushed and unlocked) by whichever thread drops the last
// reference to it.
//
// The directory is resolved (symlinks followed) when it is opened, and the
// index is opened at the resolved path: an operator may re-point a symlink
// such as /var/lib/inkdex/current at a newly built index and ask for a swap,
// while the old index keeps writing to the directory it was opened in.
//
// Thread safety: all methods may be called from any thread. Swap is meant for
// WriteCommitter::SwapIndex, which commits the writes pending on the old
// index first; swapping behind the committer's back would let a commit in
// progress land on the old index after the swap.
#ifndef INKDEX_SERVICE_SERVER_INDEX_HOLDER_H_
#define INKDEX_SERVICE_SERVER_INDEX_HOLDER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inkdex/index.h"

namespace inkdex::server {

// The served index with what describes it, read together (one swap never
// shows half of it).
struct ServedIndex {
  std::shared_ptr<Index> index;
  std::string directory;    // resolved path the index was opened at
  uint64_t generation = 0;  // 1 at open, +1 per swap
};

class IndexHolder {
 public:
  // Opens the index in `dir` with `options` (create_if_missing as the
  // options say: the server creates an empty index on first start). The
  // options are kept for the indexes swapped in later (see options()), all
  // but IndexOptions::cancelled, which only this Open polls.
  static absl::StatusOr<std::unique_ptr<IndexHolder>> Open(const std::string& dir,
                                                           const IndexOptions& options);

  // Serves `index`, already open at `directory` (generation 1).
  // REQUIRES: index != nullptr; options.cancelled empty (swaps set their own).
  IndexHolder(std::shared_ptr<Index> index, std::string directory, IndexOptions options);

  IndexHolder(const IndexHolder&) = delete;
  IndexHolder& operator=(const IndexHolder&) = delete;

  // The served index. Cheap (a mutex-guarded shared_ptr copy); the caller's
  // copy keeps that index open however many swaps follow.
  std::shared_ptr<Index> Current() const;
  ServedIndex Served() const;
  std::string directory() const;
  uint64_t generation() const;
  // The options the first index was opened with (no `cancelled`).
  const IndexOptions& options() const { return options_; }

  // Serves `index` (open at `directory`) from now on and returns the new
  // generation. The previous index closes when its last user drops it.
  // REQUIRES: index != nullptr; no commit running on the previous index
  // (WriteCommitter::SwapIndex holds its commit lock around this).
  uint64_t Swap(std::shared_ptr<Index> index, std::string directory);

  // The served index's slot layout (Index::MeasureSlotLayout), measured at
  // most once per slot layout interval (kSlotLayoutInterval unless set;
  // --slot-drift-interval) and at once for a swapped-in index:
  // a measurement costs tens of milliseconds at 1,000,000 artists, and both
  // the metrics refresh and GetStats ask. Callers that ask meanwhile get the
  // last measurement; concurrent callers measure once.
  absl::StatusOr<SlotLayout> CurrentSlotLayout(absl::Time now) const;
  static constexpr absl::Duration kSlotLayoutInterval = absl::Minutes(1);
  // REQUIRES: interval > 0.
  void set_slot_layout_interval(absl::Duration interval);

 private:
  const IndexOptions options_;
  mutable absl::Mutex mu_;
  ServedIndex served_ ABSL_GUARDED_BY(mu_);
  // Taken alone, never with mu_ held.
  mutable absl::Mutex layout_mu_;
  absl::Duration layout_interval_ ABSL_GUARDED_BY(layout_mu_) = kSlotLayoutInterval;
  mutable absl::Time layout_measured_at_ ABSL_GUARDED_BY(layout_mu_) = absl::InfinitePast();
  mutable uint64_t layout_generation_ ABSL_GUARDED_BY(layout_mu_) = 0;
  mutable absl::StatusOr<SlotLayout> layout_ ABSL_GUARDED_BY(layout_mu_);
};

// `dir` made absolute with the symlinks of its existing part resolved (a
// directory not created yet resolves to itself). Used to open an index where
// it really is (see above). INVALID_ARGUMENT naming `directory` when the path
// cannot be resolved.
absl::StatusOr<std::string> ResolveIndexDirectory(const std::string& dir);

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_INDEX_HOLDER_H_
