#include "index/index_impl.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/reintern.h"
#include "engine/row_builder.h"
#include "engine/slot_layout.h"
#include "engine/snapshot_update.h"
#include "geo/region.h"
#include "index/disk_space.h"
#include "index/search_index_sync.h"
#include "text/document_builder.h"

namespace inkdex::index {
namespace {

// Commits between two trims of the document store's commit log while the
// index is open (each open trims it too). The log holds one entry per commit
// (the ids it changed): bounded by this, however long a server runs.
constexpr uint64_t kLogTrimInterval = 1000;

// Whether `log`, the entries after `xseq`, holds every commit up to `seq`.
bool LogCovers(const std::vector<CommitLogEntry>& log, uint64_t xseq, uint64_t seq) {
  if (log.size() != seq - xseq) return false;
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].seq() != xseq + 1 + i) return false;
  }
  return true;
}

// The ids the entries of `log` name (an id changed by several commits counts
// once per commit).
size_t LogIds(const std::vector<CommitLogEntry>& log) {
  size_t ids = 0;
  for (const CommitLogEntry& entry : log) ids += entry.ids_size();
  return ids;
}

// Changed ids above which Recover rebuilds the search index instead of
// replaying the log: a replay writes an id in ~120 us, a rebuild (pipelined
// on two threads) a document in ~60 us, and rewrites them all.
size_t ReplayLimit(uint64_t indexed_documents) {
  return std::max<size_t>(10000, indexed_documents);
}

// The commit seq Xapian holds: 0 for a new index; DATA_LOSS when unreadable.
absl::StatusOr<uint64_t> ReadXapianSeq(Xapian::WritableDatabase& db) {
  std::string value;
  try {
    value = db.get_metadata(kSearchIndexSeqKey);
  } catch (const Xapian::Error& e) {
    return XapianError("read commit seq", e);
  }
  uint64_t seq = 0;
  if (!value.empty() && !absl::SimpleAtoi(value, &seq)) {
    return absl::DataLossError(
        absl::StrCat("search index: commit seq metadata is corrupt ('", value, "'); rebuild"));
  }
  return seq;
}

}  // namespace

absl::Status XapianError(absl::string_view what, const Xapian::Error& e) {
  return absl::InternalError(absl::StrCat("search index: ", what, ": ", e.get_description()));
}

namespace {

// IndexOptions::cancelled and on_renumber_slots are Open's alone: the
// index keeps no copy of them.
IndexOptions WithoutOpenCallbacks(IndexOptions options) {
  options.cancelled = nullptr;
  options.on_renumber_slots = nullptr;
  return options;
}

}  // namespace

IndexImpl::IndexImpl(std::string dir, IndexOptions options, StyleTaxonomy taxonomy)
    : dir_(std::move(dir)),
      options_(WithoutOpenCallbacks(std::move(options))),
      taxonomy_(std::move(taxonomy)),
      strings_(std::make_shared<engine::StringPool>()),
      defer_search_index_(options_.defer_search_index) {}

IndexImpl::~IndexImpl() {
  absl::MutexLock lock(&write_mu_);
  try {
    if (xdb_) xdb_->close();
  } catch (const Xapian::Error&) {
    // Closing flushes nothing we rely on: every commit was already committed.
  }
  // A clean close makes the unsynced Xapian commits durable, then says so
  // (search_index_sync.h). If either step fails the key stays, and a restart
  // of the machine before the next clean close rebuilds the search index.
  if (unsynced_boot_recorded_ && store_ != nullptr && SyncDirectoryFiles(dir_ + "/text").ok()) {
    (void)store_->PutMetadata(kUnsyncedSearchIndexBootKey, "");
  }
}

absl::StatusOr<std::unique_ptr<Index>> IndexImpl::Open(const std::string& dir,
                                                       const IndexOptions& options) {
  absl::StatusOr<StyleTaxonomy> taxonomy = options.taxonomy_path.empty()
                                               ? StyleTaxonomy::Default()
                                               : StyleTaxonomy::FromFile(options.taxonomy_path);
  if (!taxonomy.ok()) return taxonomy.status();
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::path(dir) / "docs", ec);
  if (!exists && (options.error_if_missing || !options.create_if_missing)) {
    return absl::NotFoundError(absl::StrCat("index: no index at '", dir, "'"));
  }
  if (!exists) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return absl::InternalError(absl::StrCat("index: cannot create '", dir, "': ", ec.message()));
  }
  if (!(options.renumber_slots_at_drift >= 0 && options.renumber_slots_at_drift <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("index: renumber_slots_at_drift: must be in [0, 1] (0: never), not ",
                     options.renumber_slots_at_drift));
  }
  std::unique_ptr<IndexImpl> impl(new IndexImpl(dir, options, *std::move(taxonomy)));
  const std::function<bool()>& cancelled = options.cancelled;
  if (absl::Status s = impl->OpenStores(cancelled); !s.ok()) return s;
  // The parts of a deferred load or a rebuild that stopped before its merge
  // (search_index_parts.h), and a rebuild's spill (slot_range_spill.h):
  // nothing uses them once the store is locked.
  std::filesystem::remove_all(std::filesystem::path(dir) / "text.parts", ec);
  std::filesystem::remove_all(std::filesystem::path(dir) / "text.spill", ec);
  if (absl::Status s = impl->Recover(cancelled); !s.ok()) return s;
  if (absl::Status s = impl->LoadSnapshot(cancelled); !s.ok()) return s;
  {
    absl::MutexLock lock(&impl->write_mu_);
    impl->parts_first_slot_ = impl->store_->state().next_slot;
  }
  if (options.renumber_slots_at_drift > 0 && !options.renumber_slots) {
    absl::StatusOr<SlotLayout> layout = impl->MeasureSlotLayout();
    if (!layout.ok()) return layout.status();
    if (layout->Drift() >= options.renumber_slots_at_drift) {
      if (options.on_renumber_slots) options.on_renumber_slots(*layout);
      // Opened again to renumber: the open's one path that rewrites slots,
      // before anything has read them.
      impl.reset();
      IndexOptions renumber = options;
      renumber.renumber_slots = true;
      return Open(dir, renumber);
    }
  }
  return std::unique_ptr<Index>(std::move(impl));
}

absl::Status IndexImpl::OpenStores(const std::function<bool()>& cancelled) {
  absl::StatusOr<std::unique_ptr<store::DocStore>> store = store::DocStore::Open(
      dir_ + "/docs", options_.create_if_missing, options_.sync, options_.document_cache_bytes);
  if (absl::IsFailedPrecondition(store.status())) {
    // Its lock is held (doc_store.h): said of the index, the directory the
    // user named.
    const bool here = absl::StrContains(store.status().message(), "this process");
    return absl::FailedPreconditionError(
        absl::StrCat("index: '", dir_, "' is open for writing in ",
                     here ? "this process already" : "another process"));
  }
  if (!store.ok()) return store.status();
  store_ = *std::move(store);
  // With sync on, Xapian skips its fsyncs when a boot id can tell a machine
  // restart from a process crash (search_index_sync.h).
  const std::string boot_id = CurrentBootId();
  if (options_.sync) unsynced_boot_id_ = boot_id;
  absl::StatusOr<std::optional<std::string>> boot =
      store_->GetMetadata(kUnsyncedSearchIndexBootKey);
  if (!boot.ok()) return boot.status();
  // Another boot's unsynced commits: text/ may be half written (even
  // unopenable), so it is discarded before being opened, and rebuilt below.
  // So is a text/ the caller asked to rebuild (`inkdex repair`).
  // A renumbering of the slots that did not finish (slot_renumber.cc) runs
  // again, whatever the caller asked.
  absl::StatusOr<std::optional<std::string>> renumbering =
      store_->GetMetadata(kRenumberingSlotsKey);
  if (!renumbering.ok()) return renumbering.status();
  const bool renumber = options_.renumber_slots || renumbering->has_value();
  const bool rebuild =
      (boot->has_value() && **boot != boot_id) || options_.rebuild_search_index || renumber;
  absl::MutexLock lock(&write_mu_);
  // No Xapian spelling data: with it, Xapian 1.4.22 corrupts its spelling
  // table after ~128 commits of similar words (tests/crash/xapian_spelling_test.cc);
  // spelling suggestions come from text::SuggestSpelling instead.
  builder_ = std::make_unique<text::DocumentBuilder>(taxonomy_);
  helper_builder_ = std::make_unique<text::DocumentBuilder>(taxonomy_);
  if (rebuild) return ReplaceSearchIndexFromStore(cancelled, renumber);
  if (absl::Status s = OpenSearchIndex(); !s.ok()) return s;
  absl::StatusOr<bool> current_format = SearchIndexFormatIsCurrent();
  if (!current_format.ok()) return current_format.status();
  if (!*current_format) return ReplaceSearchIndexFromStore(cancelled);
  // The same boot: a process crashed with Xapian commits still unsynced; the
  // page cache holds them. This process's clean close syncs them.
  unsynced_boot_recorded_ = boot->has_value();
  return absl::OkStatus();
}

absl::Status IndexImpl::RemoveSearchIndexFiles() {
  std::error_code ec;
  std::filesystem::remove_all(dir_ + "/text", ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("search index: cannot remove '", dir_,
                                            "/text' to rebuild it: ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status IndexImpl::ReplaceSearchIndexFromStore(const std::function<bool()>& cancelled,
                                                    bool renumber_slots) {
  try {
    xdb_.reset();  // closes it if open (nothing is pending at open), dropping its lock
  } catch (const Xapian::Error& e) {
    return XapianError("close", e);
  }
  if (absl::Status s = RemoveSearchIndexFiles(); !s.ok()) return s;
  if (renumber_slots) {
    if (absl::Status s = RenumberSlots(cancelled); !s.ok()) return s;
  }
  if (absl::Status s = OpenSearchIndex(); !s.ok()) return s;
  return RebuildSearchIndex(cancelled);
}

absl::Status IndexImpl::OpenSearchIndex() {
  const bool no_sync = !options_.sync || !unsynced_boot_id_.empty();
  // A text/ without glass's revision file is a search index whose creation
  // or removal (a rebuild, a deferred load's merge) a crash cut short:
  // nothing in it is committed, and Xapian would refuse to open it
  // (DatabaseNotFoundError). It is created afresh; the open then finds it
  // behind the document store and rebuilds or catches it up.
  if (std::error_code ec; std::filesystem::is_directory(dir_ + "/text", ec) &&
                          !std::filesystem::exists(dir_ + "/text/iamglass", ec)) {
    if (absl::Status s = RemoveSearchIndexFiles(); !s.ok()) return s;
  }
  try {
    xdb_ = std::make_unique<Xapian::WritableDatabase>(
        dir_ + "/text",
        Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS | (no_sync ? Xapian::DB_NO_SYNC : 0));
  } catch (const Xapian::DatabaseLockError& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("index: '", dir_, "' is open for writing in another process"));
  } catch (const Xapian::Error& e) {
    return XapianError("open", e);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> IndexImpl::SearchIndexFormatIsCurrent() {
  try {
    // An empty index has nothing to convert; its next commit records the
    // layout.
    if (xdb_->get_doccount() == 0) return true;
    return xdb_->get_metadata(text::kDocumentFormatKey) == text::kDocumentFormat;
  } catch (const Xapian::Error& e) {
    return XapianError("read document format", e);
  }
}

void IndexImpl::SetSearchIndexMetadata(uint64_t seq) {
  xdb_->set_metadata(kSearchIndexSeqKey, std::to_string(seq));
  xdb_->set_metadata(text::kDocumentFormatKey, std::string(text::kDocumentFormat));
}

// New ids get slots in S2 cell order of their primary location, so that
// artists near each other sit near each other in the row pages: a geo query
// then reads a few runs of hot rows instead of scattered ones.
size_t IndexImpl::AssignNewSlots(store::CommitWrite* write,
                                 absl::flat_hash_map<std::string, uint32_t>* new_slots) {
  std::vector<std::pair<uint64_t, size_t>> order;  // (cell, index in write->records)
  for (size_t i = 0; i < write->records.size(); ++i) {
    const StoredRecord& r = write->records[i].second;
    if (r.slot() != 0) continue;
    const uint64_t cell = r.deleted() ? 0
                                      : geo::LeafCellId(r.artist().location().latitude(),
                                                        r.artist().location().longitude());
    order.emplace_back(cell, i);
  }
  std::sort(order.begin(), order.end());
  size_t free_used = 0;
  auto free_slot = free_slots_.begin();
  for (const auto& [cell, i] : order) {
    uint32_t slot;
    if (free_slot != free_slots_.end()) {
      slot = *free_slot++;
      ++free_used;
    } else {
      slot = write->next_slot++;
    }
    write->records[i].second.set_slot(slot);
    (*new_slots)[write->records[i].first] = slot;
  }
  return free_used;
}

absl::Status IndexImpl::Recover(const std::function<bool()>& cancelled) {
  absl::MutexLock lock(&write_mu_);
  absl::StatusOr<uint64_t> read = ReadXapianSeq(*xdb_);
  if (!read.ok()) return read.status();
  const uint64_t xseq = *read;
  const uint64_t seq = store_->state().seq;
  if (xseq > seq) {
    // The store lost commits it had acknowledged (written without sync?):
    // said loudly rather than served as if nothing happened.
    return absl::DataLossError(
        absl::StrCat("index: search index is at commit ", xseq, " but the document store at ", seq,
                     " (written without sync?); `inkdex repair --index ", dir_,
                     "` rebuilds the search index from the stored documents"));
  }
  if (xseq < seq) {
    absl::StatusOr<std::vector<CommitLogEntry>> log = store_->LogAfter(xseq);
    if (!log.ok()) return log.status();
    // Commits older than the log (text/ lost or restored from a copy):
    // replaying the log cannot bring it up to date; the stored documents can.
    // So can they, faster, a search index far behind (a deferred bulk load
    // that stopped before BuildDeferredSearchIndex).
    uint64_t indexed = 0;
    try {
      indexed = xdb_->get_doccount();
    } catch (const Xapian::Error& e) {
      return XapianError("read document count", e);
    }
    if (!LogCovers(*log, xseq, seq) || LogIds(*log) > ReplayLimit(indexed)) {
      if (absl::Status s = ReplaceSearchIndexFromStore(cancelled); !s.ok()) return s;
      return store_->TrimLog(seq);
    }
    // The replay commits Xapian without fsync: say so first.
    if (!unsynced_boot_id_.empty() && !unsynced_boot_recorded_) {
      if (absl::Status s = store_->PutMetadata(kUnsyncedSearchIndexBootKey, unsynced_boot_id_);
          !s.ok()) {
        return s;
      }
      unsynced_boot_recorded_ = true;
    }
    if (absl::Status s = ReindexFromStore(*log, seq); !s.ok()) return s;
  }
  return store_->TrimLog(seq);
}

absl::Status IndexImpl::LoadSnapshot(const std::function<bool()>& cancelled) {
  absl::MutexLock lock(&write_mu_);
  engine::Snapshot empty;
  engine::SnapshotUpdate update(empty, taxonomy_, strings_);
  // Records are read and parsed on a helper thread while this one builds
  // the rows (about half of the time each).
  absl::Status st =
      store_->ForEachRecordBatch(kRecordBatch, [&](const store::DocStore::RecordBatch& batch) {
        if (cancelled && cancelled()) {
          return absl::CancelledError("index: open cancelled while reading the stored records");
        }
        for (const auto& [id, r] : batch.records) {
          slot_of_[id] = r->slot();
          update.Set(r->slot(), id, *r);
          if (r->deleted()) tombstone_slots_.insert(r->slot());
          if (r->has_item_states()) item_state_slots_.insert(r->slot());
        }
        return absl::OkStatus();
      });
  if (!st.ok()) return st;
  const store::CommitState state = store_->state();
  std::vector<bool> used(state.next_slot, false);
  for (const auto& [id, slot] : slot_of_) {
    if (slot < used.size()) used[slot] = true;
  }
  free_slots_.clear();
  for (uint32_t slot = 1; slot < state.next_slot; ++slot) {
    if (!used[slot]) free_slots_.insert(free_slots_.end(), slot);
  }
  item_state_artists_.store(item_state_slots_.size(), std::memory_order_relaxed);
  Publish(std::move(update).Finish(state.seq, state.unix_micros));
  return absl::OkStatus();
}

std::shared_ptr<const engine::Snapshot> IndexImpl::snapshot() const {
  absl::MutexLock lock(&snap_mu_);
  return current_;
}

std::shared_ptr<const engine::Snapshot> IndexImpl::Publish(
    std::shared_ptr<const engine::Snapshot> s) {
  // Returned, to be freed outside snap_mu_ (which every search takes to
  // read current_): freeing a snapshot's rows and suggest tables takes
  // milliseconds at 1,000,000 artists, and searches must not wait on it.
  absl::MutexLock lock(&snap_mu_);
  return std::exchange(current_, std::move(s));
}

std::shared_ptr<const engine::Snapshot> IndexImpl::AwaitPublished(uint64_t seq, absl::Time give_up,
                                                                  bool* failed) const {
  auto reached = [this, seq]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(snap_mu_) {
    return current_->seq >= seq || failed_search_index_seq_ >= seq;
  };
  absl::MutexLock lock(&snap_mu_);
  snap_mu_.AwaitWithDeadline(absl::Condition(&reached), give_up);
  *failed = current_->seq < seq && failed_search_index_seq_ >= seq;
  return current_;
}

store::CommitWrite IndexImpl::NextCommit() const {
  const store::CommitState state = store_->state();
  store::CommitWrite write;
  write.seq = state.seq + 1;
  write.unix_micros = absl::ToUnixMicros(absl::Now());
  write.next_slot = state.next_slot;
  return write;
}

absl::Status IndexImpl::CommitToStore(store::CommitWrite* write) {
  const bool record_boot = AddUnsyncedBootRecord(write);
  if (absl::Status s = store_->Commit(*write); !s.ok()) return s;
  unsynced_boot_recorded_ = unsynced_boot_recorded_ || record_boot;
  return absl::OkStatus();
}

absl::Status IndexImpl::CommitToSearchIndex(uint64_t seq,
                                            std::shared_ptr<const engine::Snapshot> next,
                                            const std::function<void()>& write_documents,
                                            const char* what, store::CommitWrite* deferred) {
  std::promise<std::shared_ptr<const engine::Snapshot>> ready;
  ready.set_value(std::move(next));
  return CommitToSearchIndex(seq, ready.get_future(), write_documents, what, deferred);
}

absl::Status IndexImpl::CommitToSearchIndex(
    uint64_t seq, std::future<std::shared_ptr<const engine::Snapshot>> building,
    const std::function<void()>& write_documents, const char* what, store::CommitWrite* deferred) {
  if (defer_search_index_) {
    // BuildDeferredSearchIndex (or the next open) indexes it; the log keeps
    // the commit meanwhile.
    std::shared_ptr<const engine::Snapshot> next = building.get();
    search_index_deferred_.store(true);
    if (deferred != nullptr) DeferSearchIndexWrite(deferred);
    Publish(std::move(next));
    MaybeReinternStrings();
    return absl::OkStatus();
  }
  try {
    if (fail_closes_search_index_ && fail_search_index_commits_ > 0) {
      // As Xapian leaves it: the changes gone, the database closed.
      --fail_search_index_commits_;
      xdb_->close();
      throw Xapian::DatabaseError("commit failed and the database closed (injected for testing)");
    }
    write_documents();
    CommitSearchIndex(seq);
    if (search_index_committed_hook_) search_index_committed_hook_();
  } catch (const Xapian::Error& e) {
    xapian_behind_ = true;
    unpublished_ = building.get();
    {
      absl::MutexLock lock(&snap_mu_);
      failed_search_index_seq_ = seq;
    }
    return absl::UnavailableError(absl::StrCat(
        what, " ", seq, " is durable in the document store but the search index update failed (",
        e.get_description(), "); it is retried on the next write or open"));
  }
  replaced_ = Publish(building.get());
  MaybeReinternStrings();
  // Xapian holds every commit up to this one, so the log before it is needed
  // by no recovery. Trimmed now and then (one range delete); a failed trim
  // only leaves a longer log for the next one.
  if (seq % kLogTrimInterval == 0) (void)store_->TrimLog(seq);
  return absl::OkStatus();
}

void IndexImpl::MaybeReinternStrings() {
  // No longer current, so no search can take it again: the count only falls.
  if (retired_ != nullptr && retired_.use_count() == 1) retired_.reset();
  const size_t held = strings_->size();
  if (reintern_at_ == 0) reintern_at_ = 2 * held + kReinternSlack;
  if (held < reintern_at_ || xapian_behind_ || unpublished_ != nullptr || retired_ != nullptr) {
    return;
  }
  auto pool = std::make_shared<engine::StringPool>();
  retired_ = snapshot();
  Publish(engine::ReinternStrings(*retired_, pool));
  strings_ = std::move(pool);
  reintern_at_ = 2 * strings_->size() + kReinternSlack;
}

absl::Status IndexImpl::CatchUpSearchIndex() {
  if (!xapian_behind_) return absl::OkStatus();
  // Its pending changes, if any, are committed or dropped on close: either
  // way the re-index below rewrites every document after its commit seq.
  xdb_.reset();
  if (absl::Status s = OpenSearchIndex(); !s.ok()) return s;
  absl::StatusOr<uint64_t> xseq = ReadXapianSeq(*xdb_);
  if (!xseq.ok()) return xseq.status();
  absl::StatusOr<std::vector<CommitLogEntry>> log = store_->LogAfter(*xseq);
  if (!log.ok()) return log.status();
  {
    // Readers that find this re-index's commit in Xapian wait for its
    // publication below, not for the failed commit's.
    absl::MutexLock lock(&snap_mu_);
    failed_search_index_seq_ = 0;
  }
  if (absl::Status s = ReindexFromStore(*log, store_->state().seq); !s.ok()) return s;
  xapian_behind_ = false;
  if (unpublished_ != nullptr) Publish(std::move(unpublished_));
  unpublished_.reset();
  return absl::OkStatus();
}

void IndexImpl::CommitSearchIndex(uint64_t seq) {
  SetSearchIndexMetadata(seq);
  if (fail_search_index_commits_ > 0) {
    --fail_search_index_commits_;
    throw Xapian::DatabaseError("commit failed (injected for testing)");
  }
  xdb_->commit();
}

bool IndexImpl::AddUnsyncedBootRecord(store::CommitWrite* write) {
  // Before Xapian's first unsynced commit, the store says so
  // (search_index_sync.h), in the same synced write as the changes.
  if (unsynced_boot_id_.empty() || unsynced_boot_recorded_) return false;
  write->metadata.emplace_back(kUnsyncedSearchIndexBootKey, unsynced_boot_id_);
  return true;
}

void IndexImpl::SetSearchIndexCommittedHookForTesting(std::function<void()> hook) {
  absl::MutexLock lock(&write_mu_);
  search_index_committed_hook_ = std::move(hook);
}

void IndexImpl::FailSearchIndexCommitsForTesting(int n, bool close_database) {
  absl::MutexLock lock(&write_mu_);
  fail_search_index_commits_ = n;
  fail_closes_search_index_ = close_database;
}

namespace {

// Whether Get and ForEachArtist show `r`: a live record, and a searchable
// artist unless `include_hidden`.
bool Shown(const StoredRecord& r, bool include_hidden) {
  return !r.deleted() && (include_hidden || engine::IsSearchable(r.artist()));
}

// The stored artist as Get and ForEachArtist return it, with its record's
// version or stream sequence number.
void CopyArtist(const StoredRecord& r, Artist* out) {
  *out = r.artist();
  out->set_version(r.version());
  out->set_stream_sequence(r.stream_sequence());
}

}  // namespace

absl::StatusOr<Artist> IndexImpl::Get(const std::string& id, bool include_hidden) const {
  if (id.empty()) return absl::InvalidArgumentError("id: must not be empty");
  absl::StatusOr<std::optional<StoredRecord>> r = store_->Get(id);
  if (!r.ok()) return r.status();
  if (!r->has_value() || !Shown(**r, include_hidden)) {
    return absl::NotFoundError(absl::StrCat("artist '", id, "' not found"));
  }
  Artist a;
  CopyArtist(**r, &a);
  return a;
}

absl::Status IndexImpl::ForEachArtist(const std::function<absl::Status(const Artist&)>& fn,
                                      bool include_hidden) const {
  Artist artist;
  return store_->ForEachRecordBatch(kRecordBatch,
                                    [&](const store::DocStore::RecordBatch& batch) -> absl::Status {
                                      for (const auto& [id, record] : batch.records) {
                                        if (!Shown(*record, include_hidden)) continue;
                                        CopyArtist(*record, &artist);
                                        if (absl::Status s = fn(artist); !s.ok()) return s;
                                      }
                                      return absl::OkStatus();
                                    });
}

absl::StatusOr<std::optional<std::string>> IndexImpl::GetMetadata(const std::string& key) const {
  return store_->GetMetadata(key);
}

absl::StatusOr<std::map<std::string, std::string>> IndexImpl::ListMetadata(
    const std::string& prefix) const {
  return store_->ListMetadata(prefix);
}

std::vector<int64_t> IndexImpl::StyleCounts() const { return snapshot()->style_counts; }

IndexStats IndexImpl::Stats() const {
  const std::shared_ptr<const engine::Snapshot> s = snapshot();
  IndexStats st;
  st.searchable = s->live;
  st.commit_seq = s->seq;
  st.last_commit_unix_micros = s->commit_unix_micros;
  st.documents = s->documents;
  st.tombstones = s->tombstones;
  st.item_states = item_state_artists_.load(std::memory_order_relaxed);
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_, ec)) {
    if (e.is_regular_file(ec)) st.disk_bytes += e.file_size(ec);
  }
  st.memory_bytes = static_cast<uint64_t>(s->rows.slot_limit()) * sizeof(engine::Row) +
                    (s->geo_base->size() + s->geo_delta->size()) * sizeof(geo::CellEntry) +
                    s->suggest_artists->MemoryBytes() + s->suggest_studios->MemoryBytes() +
                    s->suggest_cities->MemoryBytes() +
                    (s->strings != nullptr ? s->strings->MemoryBytes() : 0);
  st.disk_free_bytes = FreeDiskBytes(dir_).value_or(0);
  return st;
}

absl::StatusOr<SlotLayout> IndexImpl::MeasureSlotLayout() const {
  const engine::SlotLayoutCount count = engine::MeasureSlotLayout(*snapshot());
  return SlotLayout{.artists = count.artists, .breaks = count.breaks};
}

}  // namespace inkdex::index

namespace inkdex {

absl::StatusOr<std::unique_ptr<Index>> Index::Open(const std::string& dir,
                                                   const IndexOptions& options) {
  return index::IndexImpl::Open(dir, options);
}

}  // namespace inkdex
