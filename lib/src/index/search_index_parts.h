// SearchIndexParts: the search index of a bulk load
// (IndexOptions::defer_search_index), written beside the load and merged at
// its end; also how a rebuild from the stored documents writes it
// (search_index_rebuild.cc).
//
// One Xapian database takes one writer, and that writer bounded `inkdex
// build` (bench/ANALYSIS.md "Build throughput"). A bulk load into a new
// index commits batches of new artists, and each batch's slots (docids) are
// fresh, above every slot before them. So the searchable records of
// consecutive commits are gathered into parts of at least kPartDocuments,
// and each part becomes a Xapian database of its own, built and written by
// background threads (one per core, at most kMaxWriters) while later
// batches are applied. MergeSearchIndexParts then merges the parts with
// Xapian's compactor, which keeps the docids because the parts' docid
// ranges are disjoint (a few seconds per 1,000,000 documents).
//
// A commit that touches a slot below what was handed over (an update or a
// delete of an artist already loaded, a reused slot) cannot be merged that
// way: Accepts says no, and the caller abandons the parts and rebuilds the
// search index from the stored documents instead.
//
// Memory: the records of the part being gathered and of up to two parts per
// writer waiting (Add blocks while they wait), ~1.3 KB a record.
//
// Thread safety: Accepts, Add and Finish are called by one thread at a time
// (the index's writer); the writers are internal.
#ifndef INKDEX_INDEX_SEARCH_INDEX_PARTS_H_
#define INKDEX_INDEX_SEARCH_INDEX_PARTS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::text {
class DocumentBuilder;
}  // namespace inkdex::text

namespace inkdex::index {

class SearchIndexParts {
 public:
  // Records gathered before a part is handed to a writer.
  static constexpr size_t kPartDocuments = 20000;
  static constexpr unsigned kMaxWriters = 4;
  // Documents a writer adds between commits of its part. Xapian holds a
  // batch's postings in a std::map per term until it flushes them (by
  // default every 10,000 documents): with two writers and the load sharing
  // the caches, smaller batches cost ~12 % less CPU per build (bench/
  // ANALYSIS.md "Build: smaller batches per writer"). A part is private
  // until merged, so its intermediate commits are never read.
  static constexpr size_t kCommitDocuments = 1000;

  // Writes parts under `root` (created; a previous load's parts there are
  // removed), documents built with `taxonomy` (which must outlive this).
  // `first_slot`: the lowest slot a part may hold (the store's next slot:
  // text/ may hold every slot below). `writers`: 0 = one per core.
  // `part_documents`: records gathered per part (tests make it small).
  SearchIndexParts(std::string root, const StyleTaxonomy& taxonomy, uint32_t first_slot,
                   unsigned writers = 0, size_t part_documents = kPartDocuments);
  // Stops the writers (parts waiting are dropped, parts being written end
  // within ~1,000 documents) and removes `root`.
  ~SearchIndexParts();

  SearchIndexParts(const SearchIndexParts&) = delete;
  SearchIndexParts& operator=(const SearchIndexParts&) = delete;

  // Whether a commit whose lowest slot is `lowest_slot` can join the parts:
  // at or above every slot added before, and first_slot.
  bool Accepts(uint32_t lowest_slot) const { return lowest_slot >= next_slot_; }
  // Adds the searchable records of a commit (slot, record with its content
  // hash) and the store's next slot after it. REQUIRES: Accepts(the
  // commit's lowest slot).
  void Add(std::vector<std::pair<uint32_t, StoredRecord>> records, uint32_t next_slot);
  // Hands over what is gathered, waits for the writers and returns the
  // parts' database paths in docid order, or the first writer's error.
  // `cancelled`, when set, is polled at once, every 100 ms while the writers
  // work and once after them; once it returns true they stop within ~1,000
  // documents and Finish returns CANCELLED.
  absl::StatusOr<std::vector<std::string>> Finish(const std::function<bool()>& cancelled = nullptr);

 private:
  using Part = std::vector<std::pair<uint32_t, StoredRecord>>;
  void HandOver();
  void RunWriter();
  absl::Status WritePart(const std::string& path, Part& part, text::DocumentBuilder& builder);
  // Makes the writers drop what waits and stop their parts; Finish then
  // returns CANCELLED.
  void Cancel();

  const std::string root_;
  const StyleTaxonomy& taxonomy_;
  const size_t part_documents_;
  uint32_t next_slot_;  // the lowest slot the next records may hold
  Part gathering_;
  size_t parts_ = 0;  // handed over so far

  absl::Mutex mu_;
  std::deque<std::pair<std::string, Part>> waiting_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;  // writer threads not yet returned
  std::atomic<bool> stop_{false};            // Cancel(): checked between commits of a part
  size_t max_waiting_ = 0;
  std::vector<std::thread> writers_;
};

// Xapian opens ~5 files per source database: a merge opens at most this
// many sources at once.
inline constexpr size_t kMaxMergeSources = 32;

// Merges the Xapian databases at `sources` (disjoint docid ranges, in docid
// order) into a new database at `output`, docids kept. More than
// `max_sources` are merged in rounds, through databases under `scratch`.
// User metadata comes from the sources (the caller sets its own
// afterwards). INTERNAL naming `output` on a Xapian error.
// Cost: ~3.5 s per 1,000,000 documents on this project's 2-core machine.
absl::Status MergeSearchIndexParts(const std::vector<std::string>& sources,
                                   const std::string& output, const std::string& scratch,
                                   size_t max_sources = kMaxMergeSources);

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_SEARCH_INDEX_PARTS_H_
