// IndexImpl: the Index implementation (see inkdex/index.h for the contract).
//
// Write path (Apply, serialized by write_mu_): versions are checked against
// the current snapshot's rows; the commit goes to the DocStore (synced), then
// to Xapian (documents by slot = docid, plus the commit seq as metadata),
// then a new Snapshot is built copy-on-write and published.
// Read path: Search takes the current snapshot; a text query also takes a
// Xapian reader positioned at the same commit (ReaderPool).
// Recovery (Open): commits in the DocStore's log that Xapian lacks are
// re-applied from the stored documents before anything is served.
#ifndef INKDEX_INDEX_INDEX_IMPL_H_
#define INKDEX_INDEX_INDEX_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include <xapian.h>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "engine/snapshot.h"
#include "engine/string_pool.h"
#include "inkdex/index.h"
#include "store/doc_store.h"
#include "text/document_builder.h"

namespace inkdex::index {

class IndexImpl : public Index {
 public:
  static absl::StatusOr<std::unique_ptr<Index>> Open(const std::string& dir,
                                                     const IndexOptions& options);
  ~IndexImpl() override;

  absl::StatusOr<std::vector<ChangeResult>> Apply(const WriteBatch& batch) override;
  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) const override;
  absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request) const override;
  absl::StatusOr<Artist> Get(const std::string& id, bool include_hidden) const override;
  absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) const override;
  absl::StatusOr<std::map<std::string, std::string>> ListMetadata(
      const std::string& prefix) const override;
  std::vector<int64_t> StyleCounts() const override;
  IndexStats Stats() const override;
  absl::StatusOr<VerifyReport> Verify() const override;
  const StyleTaxonomy& taxonomy() const override { return taxonomy_; }

 private:
  // A Xapian reader borrowed from the pool, returned on destruction.
  class Reader;

  IndexImpl(std::string dir, IndexOptions options, StyleTaxonomy taxonomy);
  absl::Status OpenStores();
  absl::Status Recover();
  // Indexes every stored record into the (empty) Xapian database, then syncs
  // it: after a machine restart with unsynced Xapian commits
  // (search_index_sync.h).
  absl::Status RebuildSearchIndex() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Opens the Xapian database (creating it when missing).
  absl::Status OpenSearchIndex() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status LoadSnapshot();
  // Brings Xapian up to the DocStore for the ids in `log`; commits Xapian.
  void AssignNewSlots(store::CommitWrite* write,
                      absl::flat_hash_map<std::string, uint32_t>* new_slots);
  absl::Status ReindexFromStore(const std::vector<CommitLogEntry>& log, uint64_t seq);
  void IndexRecord(uint32_t slot, const StoredRecord& record);  // throws Xapian::Error
  // Writes the committed `write` to Xapian: deletes the documents that
  // stopped being searchable and (re)writes those whose content hash differs
  // from `before`'s row. Throws Xapian::Error.
  void IndexRecords(const store::CommitWrite& write, const engine::Snapshot& before)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  std::shared_ptr<const engine::Snapshot> snapshot() const;
  void Publish(std::shared_ptr<const engine::Snapshot> s);
  // A reader at exactly the commit of the returned snapshot.
  absl::Status AcquireConsistent(std::shared_ptr<const engine::Snapshot>* snap,
                                 std::unique_ptr<Xapian::Database>* db) const;
  void ReleaseReader(std::unique_ptr<Xapian::Database> db) const;
  // Runs fn(snapshot, xapian) -> StatusOr<T> with a reader at the snapshot's
  // commit, retrying when the writer overtakes the reader; Xapian errors
  // become a Status.
  template <typename T, typename Fn>
  absl::StatusOr<T> WithConsistentReader(Fn&& fn) const;

  const std::string dir_;
  const IndexOptions options_;
  const StyleTaxonomy taxonomy_;
  std::unique_ptr<store::DocStore> store_;

  mutable absl::Mutex write_mu_;
  std::unique_ptr<Xapian::WritableDatabase> xdb_ ABSL_GUARDED_BY(write_mu_);
  std::unique_ptr<text::DocumentBuilder> builder_ ABSL_GUARDED_BY(write_mu_);
  absl::flat_hash_map<std::string, uint32_t> slot_of_ ABSL_GUARDED_BY(write_mu_);
  std::shared_ptr<engine::StringPool> strings_;  // Intern() under write_mu_ only
  bool xapian_behind_ ABSL_GUARDED_BY(write_mu_) = false;
  // search_index_sync.h: the running kernel's boot id when Xapian commits
  // without fsync ("" = Xapian syncs each commit), and whether this process
  // has recorded it in the store yet.
  std::string unsynced_boot_id_;
  bool unsynced_boot_recorded_ ABSL_GUARDED_BY(write_mu_) = false;

  mutable absl::Mutex snap_mu_;
  std::shared_ptr<const engine::Snapshot> current_ ABSL_GUARDED_BY(snap_mu_);

  mutable absl::Mutex readers_mu_;
  mutable std::vector<std::unique_ptr<Xapian::Database>> readers_ ABSL_GUARDED_BY(readers_mu_);
};

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_INDEX_IMPL_H_
