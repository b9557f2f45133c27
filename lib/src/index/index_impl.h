// IndexImpl: the Index implementation (see inkdex/index.h for the contract).
//
// Write path (Apply in apply.cc, serialized by write_mu_): versions are
// checked against the current snapshot's rows (ranked changes against the
// stored record and its kept item states, item_states.h); the commit goes to
// the DocStore (synced), then to Xapian (documents by slot = docid, plus the
// commit seq as metadata), then a new Snapshot is built copy-on-write and
// published. With IndexOptions::defer_search_index the Xapian step hands
// the commit's new documents to SearchIndexParts instead, and
// BuildDeferredSearchIndex merges them (deferred_search_index.cc).
// PurgeTombstones (tombstone_purge.cc) and Verify (verify.cc) are in files
// of their own.
// Read path: Search takes the current snapshot; a text query also takes a
// Xapian reader positioned at the same commit (ReaderPool).
// Recovery (Open): commits in the DocStore's log that Xapian lacks are
// re-applied from the stored documents before anything is served; when the
// log no longer reaches back to Xapian's last commit (text/ lost, or an old
// copy), text/ is rebuilt from all the stored documents instead. The log is
// trimmed at open and every kLogTrimInterval commits.
#ifndef INKDEX_INDEX_INDEX_IMPL_H_
#define INKDEX_INDEX_INDEX_IMPL_H_

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <xapian.h>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/snapshot.h"
#include "engine/string_pool.h"
#include "index/search_index_parts.h"
#include "inkdex/index.h"
#include "store/doc_store.h"
#include "text/document_builder.h"

namespace inkdex::index {

// The Xapian metadata key holding the commit seq the search index is at.
inline constexpr char kSearchIndexSeqKey[] = "inkdex_seq";

// Set in the document store's metadata while RenumberSlots runs: an open
// that finds it set renumbers again before reading any slot
// (slot_renumber.cc).
inline constexpr char kRenumberingSlotsKey[] = "inkdex.index.renumbering_slots";

// Records per batch of a full scan of the document store
// (DocStore::ForEachRecordBatch: parsed on a helper thread meanwhile).
inline constexpr size_t kRecordBatch = 1024;

// The search document Apply writes for a searchable record (Verify's deep
// check rebuilds the same). Records stored before content hashes have
// none: Build computes it.
Xapian::Document BuildSearchDocument(text::DocumentBuilder& builder, const StoredRecord& record);

// INTERNAL "search index: <what>: <Xapian's description>".
absl::Status XapianError(absl::string_view what, const Xapian::Error& e);

// FAILED_PRECONDITION "<what>: the search index is deferred ..." for text
// queries and Verify while IndexOptions::defer_search_index holds it back.
absl::Status DeferredSearchIndexError(absl::string_view what);

// How long a read of the search index may take: a search's deadline and
// cancellation (SearchRequest), which also end a wait for a publication.
struct ReadLimits {
  absl::Time deadline = absl::InfiniteFuture();
  const std::function<bool()>* interrupted = nullptr;  // not owned; may be empty
};

class IndexImpl : public Index {
 public:
  static absl::StatusOr<std::unique_ptr<Index>> Open(const std::string& dir,
                                                     const IndexOptions& options);
  ~IndexImpl() override;

  absl::StatusOr<std::vector<ChangeResult>> Apply(const WriteBatch& batch) override;
  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) const override;
  absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request) const override;
  absl::StatusOr<Artist> Get(const std::string& id, bool include_hidden) const override;
  absl::Status ForEachArtist(const std::function<absl::Status(const Artist&)>& fn,
                             bool include_hidden) const override;
  absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) const override;
  absl::StatusOr<std::map<std::string, std::string>> ListMetadata(
      const std::string& prefix) const override;
  std::vector<int64_t> StyleCounts() const override;
  IndexStats Stats() const override;
  absl::StatusOr<SlotLayout> MeasureSlotLayout() const override;
  absl::StatusOr<uint64_t> CopyDocumentStore(const std::string& dir) const override;
  absl::StatusOr<VerifyReport> Verify(const VerifyOptions& options) const override;
  absl::StatusOr<PrefetchReport> PrefetchSearchIndex(const PrefetchOptions& options) const override;
  absl::StatusOr<TombstonePurge> PurgeTombstones(const TombstonePurgeOptions& options) override;
  absl::Status BuildDeferredSearchIndex(const BuildSearchIndexOptions& options) override;
  const StyleTaxonomy& taxonomy() const override { return taxonomy_; }

  // Makes the next `n` search index commits fail as an I/O error would
  // (after the document store committed): tests of the recovery path.
  // `close_database`: Xapian also closes its database, as it does when it
  // cannot return to the old revision after a failed commit (a full disk).
  void FailSearchIndexCommitsForTesting(int n, bool close_database = false)
      ABSL_LOCKS_EXCLUDED(write_mu_);
  // Makes rebuilds of the search index spill and write in ranges and parts
  // of `slots` slots instead of SearchIndexParts::kPartDocuments: tests of
  // rebuilds made of many parts with few artists.
  void SetRebuildPartSlotsForTesting(uint32_t slots) ABSL_LOCKS_EXCLUDED(write_mu_);
  // Runs `hook` in the writer after each Xapian commit and before its
  // snapshot is published (under the writer's lock; a Xapian::Error it
  // throws fails the commit as a failed Xapian commit would): tests of
  // searches that find Xapian a commit ahead of the published snapshot.
  void SetSearchIndexCommittedHookForTesting(std::function<void()> hook)
      ABSL_LOCKS_EXCLUDED(write_mu_);

 private:
  // A Xapian reader borrowed from the pool, returned on destruction.
  class Reader;

  IndexImpl(std::string dir, IndexOptions options, StyleTaxonomy taxonomy);
  // `cancelled` (may be empty): IndexOptions::cancelled, for the rebuilds
  // they may run.
  absl::Status OpenStores(const std::function<bool()>& cancelled);
  absl::Status Recover(const std::function<bool()>& cancelled);
  // Indexes every searchable stored record into the (empty) Xapian database,
  // then syncs it: after a machine restart with unsynced Xapian commits
  // (search_index_sync.h), for a search index the log cannot bring up to
  // date, for one of an older document layout, and for
  // IndexOptions::rebuild_search_index. Written by the bulk load's parallel
  // writers and merged (search_index_rebuild.cc). `cancelled` (may be
  // empty): BuildSearchIndexOptions::cancelled.
  absl::Status RebuildSearchIndex(const std::function<bool()>& cancelled = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Gives every stored record a new slot, in S2 cell order of its primary
  // location (slot_renumber.cc), and the store a next slot just past them.
  // REQUIRES: text/ removed (it is rebuilt from the store afterwards), the
  // snapshot not loaded yet, nothing else writing. `cancelled` (may be
  // empty) stops it between batches; the open after any failure renumbers
  // again.
  absl::Status RenumberSlots(const std::function<bool()>& cancelled)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Replaces text/ with the merge of `parts` (Xapian databases whose docid
  // ranges are disjoint; search_index_parts.h), plus text/'s own documents
  // when it has any, and syncs it at the store's commit seq.
  absl::Status MergeIntoSearchIndex(const std::vector<std::string>& parts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Hands the records of `write` (a deferred commit) to parts_ when they
  // can be merged later, else abandons parts_ (BuildDeferredSearchIndex
  // then rebuilds from the store). Moves the records' artists out.
  void DeferSearchIndexWrite(store::CommitWrite* write) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Syncs text/'s files and clears the unsynced boot record
  // (search_index_sync.h): after RebuildSearchIndex and MergeIntoSearchIndex.
  absl::Status SyncReplacedSearchIndex() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Opens the Xapian database (creating it when missing).
  absl::Status OpenSearchIndex() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Removes text/ (REQUIRES: not open).
  absl::Status RemoveSearchIndexFiles();
  // Closes text/ if it is open, removes it (unread: after a machine restart
  // its files may not even open) and rebuilds it from the stored documents:
  // for RebuildSearchIndex's three cases, and for documents of an older
  // layout (text::kDocumentFormat).
  // With `renumber_slots`, RenumberSlots runs between the removal and the
  // rebuild.
  absl::Status ReplaceSearchIndexFromStore(const std::function<bool()>& cancelled = nullptr,
                                           bool renumber_slots = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Whether the open search index holds documents of the current layout
  // (or none at all).
  absl::StatusOr<bool> SearchIndexFormatIsCurrent() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Sets the metadata every Xapian commit carries: the commit seq and the
  // document layout. Throws Xapian::Error.
  void SetSearchIndexMetadata(uint64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status LoadSnapshot(const std::function<bool()>& cancelled);
  // Gives the records of `write` without a slot (new ids) free slots, the
  // lowest first, then fresh ones from write->next_slot, in S2 cell order.
  // Returns how many free slots it used: the caller erases them (the
  // lowest) from free_slots_ once the commit is durable.
  size_t AssignNewSlots(store::CommitWrite* write,
                        absl::flat_hash_map<std::string, uint32_t>* new_slots)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // After a search index commit failed (xapian_behind_), reopens the
  // search index at its last committed revision (Xapian may have closed it:
  // it does when a failed commit cannot return to the old revision, as on
  // a full disk), re-applies the commits it lacks and publishes the snapshot
  // that was held back; a no-op otherwise.
  absl::Status CatchUpSearchIndex() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // The next commit's seq, time and slot counter, from the store's state.
  store::CommitWrite NextCommit() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // The two halves of a commit (Apply, PurgeTombstones). First the store:
  // `write`, plus the boot id before Xapian's first unsynced commit
  // (search_index_sync.h), as one synced RocksDB write.
  absl::Status CommitToStore(store::CommitWrite* write) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Then Xapian: write_documents() (which may throw Xapian::Error), the
  // commit seq, Xapian's commit; then `next` is published. When Xapian
  // fails, `next` is held back for CatchUpSearchIndex and the result is
  // UNAVAILABLE ("<what> <seq> is durable in the document store but ...").
  // While the search index is deferred, write_documents() is not called:
  // `deferred` (the commit's write, or null when it adds no documents) goes
  // to DeferSearchIndexWrite instead.
  absl::Status CommitToSearchIndex(uint64_t seq, std::shared_ptr<const engine::Snapshot> next,
                                   const std::function<void()>& write_documents, const char* what,
                                   store::CommitWrite* deferred = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // The same with `next` still being built (Apply builds it on another
  // thread while this one writes Xapian's documents and commits): waited
  // for before anything publishes or holds it back. REQUIRES: the build
  // reads only what write_documents() does not change (the records, the
  // base snapshot) and the string pool, which nothing else uses meanwhile.
  absl::Status CommitToSearchIndex(uint64_t seq,
                                   std::future<std::shared_ptr<const engine::Snapshot>> next,
                                   const std::function<void()>& write_documents, const char* what,
                                   store::CommitWrite* deferred = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Once the string pool has outgrown reintern_at_: publishes the current
  // snapshot re-pointed into a new pool (engine/reintern.h), leaving the
  // strings no row uses with the old one, and sets reintern_at_ to twice
  // the strings kept plus kReinternSlack. Not while a snapshot waits
  // unpublished (a search index behind): its rows point into the old pool;
  // nor while the snapshot the last one replaced is still held by a search
  // (retired_), so that at most two copies of the rows exist. Frees
  // retired_ once no search holds it. Called after every commit.
  void MaybeReinternStrings() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  static constexpr size_t kReinternSlack = 1 << 16;
  // Sets the commit seq in Xapian and commits it. Throws Xapian::Error.
  void CommitSearchIndex(uint64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Adds the boot id to `write` when Xapian's next commit is this process's
  // first unsynced one; true when it did.
  bool AddUnsyncedBootRecord(store::CommitWrite* write) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Brings Xapian up to the DocStore for the ids in `log`; commits Xapian.
  absl::Status ReindexFromStore(const std::vector<CommitLogEntry>& log, uint64_t seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void IndexRecord(uint32_t slot, const StoredRecord& record);  // throws Xapian::Error
  // Writes `count` documents to Xapian in order: the i-th is made by
  // make(builder, i) and written at docid slot(i). From 64 documents on they
  // are made on a helper thread (with its own builder) while this thread
  // writes, 8,192 at a time. `make` must be safe to call from that thread;
  // what it throws is rethrown here, as is Xapian::Error.
  void WriteDocuments(size_t count, const std::function<uint32_t(size_t)>& slot,
                      const std::function<Xapian::Document(text::DocumentBuilder&, size_t)>& make)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Writes the committed `write` to Xapian: deletes the documents that
  // stopped being searchable and (re)writes those whose content hash differs
  // from `before`'s row. Throws Xapian::Error.
  void IndexRecords(const store::CommitWrite& write, const engine::Snapshot& before)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  std::shared_ptr<const engine::Snapshot> snapshot() const;
  // Makes `s` current; returns the snapshot it replaced (freed by the caller
  // when no search holds it).
  std::shared_ptr<const engine::Snapshot> Publish(std::shared_ptr<const engine::Snapshot> s);
  // The published snapshot once its seq is at least `seq`: Xapian shows a
  // commit as soon as it writes its version file, before commit() returns
  // and the writer publishes the commit's snapshot, so a reader that finds
  // Xapian ahead waits for the writer instead of failing. Returns earlier,
  // with an older snapshot, at `give_up` or once the search index commit of
  // `seq` has failed (*failed set).
  std::shared_ptr<const engine::Snapshot> AwaitPublished(uint64_t seq, absl::Time give_up,
                                                         bool* failed) const;
  // A pooled Xapian reader and the commit its revision was found to hold.
  struct SearchReader {
    std::unique_ptr<Xapian::Database> db;
    // The snapshot seq the reader's revision was checked against (its
    // kSearchIndexSeqKey); unset until checked. A reader is only moved to a
    // newer revision by reopen(), so it stays at that commit.
    std::optional<uint64_t> seq;
  };
  // A reader at exactly the commit of the returned snapshot. A pooled reader
  // already checked at that commit is returned as it is: reopen() opens and
  // reads the version file and the seq check reads the metadata, a few
  // syscalls per text query that only matter when the writer has moved on.
  // A reader that finds Xapian a commit ahead waits for its publication
  // (AwaitPublished), so a text search never fails because the writer was
  // descheduled between the two.
  absl::Status AcquireConsistent(std::shared_ptr<const engine::Snapshot>* snap,
                                 SearchReader* reader, const ReadLimits& limits = {}) const;
  // AwaitPublished for up to kPublishWait (search_impl.cc), polling
  // `limits.interrupted` every 10 ms: OK with *snap at `seq`, or CANCELLED,
  // DEADLINE_EXCEEDED, or UNAVAILABLE (the commit failed, or is still not
  // published).
  absl::Status AwaitPublication(uint64_t seq, const ReadLimits& limits,
                                std::shared_ptr<const engine::Snapshot>* snap) const;
  void ReleaseReader(SearchReader reader) const;
  // Runs fn(snapshot, xapian) -> StatusOr<T> with a reader at the snapshot's
  // commit, retrying when the writer overtakes the reader; Xapian errors
  // become a Status.
  template <typename T, typename Fn>
  absl::StatusOr<T> WithConsistentReader(Fn&& fn, const ReadLimits& limits = {}) const;

  const std::string dir_;
  const IndexOptions options_;
  const StyleTaxonomy taxonomy_;
  std::unique_ptr<store::DocStore> store_;

  mutable absl::Mutex write_mu_;
  std::unique_ptr<Xapian::WritableDatabase> xdb_ ABSL_GUARDED_BY(write_mu_);
  std::unique_ptr<text::DocumentBuilder> builder_ ABSL_GUARDED_BY(write_mu_);
  // WriteDocuments' helper thread's, kept across commits so that its stem
  // cache (text::CachingStemmer) stays warm. Used by one helper at a time.
  std::unique_ptr<text::DocumentBuilder> helper_builder_ ABSL_GUARDED_BY(write_mu_);
  absl::flat_hash_map<std::string, uint32_t> slot_of_ ABSL_GUARDED_BY(write_mu_);
  std::shared_ptr<engine::StringPool> strings_;  // Intern() under write_mu_ only
  // strings_->size() past which MaybeReinternStrings re-interns; 0 until
  // the first commit after the open sets it.
  size_t reintern_at_ ABSL_GUARDED_BY(write_mu_) = 0;
  // The snapshot a re-intern replaced, kept until no search holds it, so
  // that its rows (every page, ~500 bytes an artist) are freed by the
  // writer at a later commit and not by the search that lets go of it last.
  std::shared_ptr<const engine::Snapshot> retired_ ABSL_GUARDED_BY(write_mu_);
  // The snapshot the last commit replaced: the next commit lets go of it on
  // the thread that builds its snapshot, beside its Xapian commit, as
  // freeing the pages a commit replaced costs ~6 % of a stream commit at
  // 1,000,000 artists. Holds those pages (a few MB) until then.
  std::shared_ptr<const engine::Snapshot> replaced_ ABSL_GUARDED_BY(write_mu_);
  bool xapian_behind_ ABSL_GUARDED_BY(write_mu_) = false;
  // Whether commits skip the search index (IndexOptions::defer_search_index,
  // until BuildDeferredSearchIndex succeeds).
  bool defer_search_index_ ABSL_GUARDED_BY(write_mu_) = false;
  // Whether a commit skipped it: text queries and Verify are refused until
  // BuildDeferredSearchIndex succeeds (read without the writer's lock).
  std::atomic<bool> search_index_deferred_{false};
  // The deferred commits' documents, being written beside the load; null
  // before the first deferred commit, and once a commit could not join them
  // (parts_abandoned_: BuildDeferredSearchIndex then rebuilds from the store).
  std::unique_ptr<SearchIndexParts> parts_ ABSL_GUARDED_BY(write_mu_);
  bool parts_abandoned_ ABSL_GUARDED_BY(write_mu_) = false;
  // Slots per spill range and per part of RebuildSearchIndex.
  uint32_t rebuild_part_slots_ ABSL_GUARDED_BY(write_mu_) = SearchIndexParts::kPartDocuments;
  // The store's next slot at open: text/ may hold any slot below it, parts
  // none.
  uint32_t parts_first_slot_ ABSL_GUARDED_BY(write_mu_) = 1;
  // The snapshot of a commit whose search index update failed: published by
  // CatchUpSearchIndex once Xapian has it (searches stay on the previous
  // commit meanwhile), and the base of nothing else.
  std::shared_ptr<const engine::Snapshot> unpublished_ ABSL_GUARDED_BY(write_mu_);
  // Slots below the store's next_slot that no id holds (purged tombstones):
  // new ids take the lowest. Derived from the stored records at open, so
  // nothing persists it.
  absl::btree_set<uint32_t> free_slots_ ABSL_GUARDED_BY(write_mu_);
  // The slots holding tombstones, for PurgeTombstones (no pass over every
  // row). Kept in step with the stored records by Apply and the purge.
  absl::btree_set<uint32_t> tombstone_slots_ ABSL_GUARDED_BY(write_mu_);
  // The slots whose records have kept item states (item_states.h): an
  // unranked change replacing one drops them without reading the record.
  // Kept in step with the stored records like tombstone_slots_.
  absl::flat_hash_set<uint32_t> item_state_slots_ ABSL_GUARDED_BY(write_mu_);
  // Its size, for Stats (which does not take write_mu_).
  std::atomic<uint64_t> item_state_artists_{0};
  int fail_search_index_commits_ ABSL_GUARDED_BY(write_mu_) = 0;
  bool fail_closes_search_index_ ABSL_GUARDED_BY(write_mu_) = false;
  // search_index_sync.h: the running kernel's boot id when Xapian commits
  // without fsync ("" = Xapian syncs each commit), and whether this process
  // has recorded it in the store yet.
  std::string unsynced_boot_id_;
  bool unsynced_boot_recorded_ ABSL_GUARDED_BY(write_mu_) = false;

  mutable absl::Mutex snap_mu_;
  std::shared_ptr<const engine::Snapshot> current_ ABSL_GUARDED_BY(snap_mu_);
  // The seq of the last commit whose search index update failed (0: none),
  // so that readers waiting for it (AwaitPublished) stop waiting.
  uint64_t failed_search_index_seq_ ABSL_GUARDED_BY(snap_mu_) = 0;
  std::function<void()> search_index_committed_hook_ ABSL_GUARDED_BY(write_mu_);

  mutable absl::Mutex readers_mu_;
  mutable std::vector<SearchReader> readers_ ABSL_GUARDED_BY(readers_mu_);
};

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_INDEX_IMPL_H_
