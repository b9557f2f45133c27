// IndexImpl's deferred search index (IndexOptions::defer_search_index): the
// documents of deferred commits go to SearchIndexParts, written beside the
// load; BuildDeferredSearchIndex merges the parts into text/, or rebuilds
// text/ from the stored documents when a commit could not join the parts.
//
// Crash safety: text/ is replaced only by a complete merge, and its commit
// seq (kSearchIndexSeqKey) is written last. Until then text/ is behind the
// store by every deferred commit, which the commit log still holds (it is
// trimmed only once text/ has them), so an open after a crash rebuilds or
// re-indexes it (Recover).
#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "index/index_impl.h"

namespace inkdex::index {

absl::Status DeferredSearchIndexError(absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(what,
                   ": the search index is deferred (IndexOptions::defer_search_index) until "
                   "Index::BuildDeferredSearchIndex builds it"));
}

void IndexImpl::DeferSearchIndexWrite(store::CommitWrite* write) {
  if (parts_abandoned_ || write->records.empty()) return;
  uint32_t lowest = write->records.front().second.slot();
  for (const auto& [id, record] : write->records) lowest = std::min(lowest, record.slot());
  if (parts_ == nullptr) {
    parts_ = std::make_unique<SearchIndexParts>(dir_ + "/text.parts", taxonomy_, parts_first_slot_);
  }
  if (!parts_->Accepts(lowest)) {
    // An artist loaded before changed, or a slot was reused: the parts
    // cannot be merged as they are.
    parts_.reset();
    parts_abandoned_ = true;
    return;
  }
  std::vector<std::pair<uint32_t, StoredRecord>> searchable;
  searchable.reserve(write->records.size());
  for (auto& [id, record] : write->records) {
    // A content hash marks a searchable record (IndexRecords).
    if (record.content_hash() != 0) searchable.emplace_back(record.slot(), std::move(record));
  }
  parts_->Add(std::move(searchable), write->next_slot);
}

absl::Status IndexImpl::BuildDeferredSearchIndex(const BuildSearchIndexOptions& options) {
  absl::MutexLock lock(&write_mu_);
  defer_search_index_ = false;
  absl::Status built;
  if (!search_index_deferred_.load()) {
    parts_.reset();
    return absl::OkStatus();
  }
  if (parts_ != nullptr) {
    absl::StatusOr<std::vector<std::string>> paths = parts_->Finish(options.cancelled);
    built = paths.ok() ? MergeIntoSearchIndex(*paths) : paths.status();
    parts_.reset();  // removes what is left of the parts
  } else if (!parts_abandoned_) {
    built = MergeIntoSearchIndex({});  // commits of metadata alone: only the seq moves
  } else {
    built = ReplaceSearchIndexFromStore(options.cancelled);
  }
  if (!built.ok()) {
    // Still deferred; a retry rebuilds from the store.
    defer_search_index_ = true;
    parts_abandoned_ = true;
    if (xdb_ == nullptr) (void)OpenSearchIndex();
    return built;
  }
  search_index_deferred_.store(false);
  (void)store_->TrimLog(store_->state().seq);  // a failed trim only leaves a longer log
  return absl::OkStatus();
}

absl::Status IndexImpl::MergeIntoSearchIndex(const std::vector<std::string>& parts) {
  namespace fs = std::filesystem;
  const std::string text = dir_ + "/text";
  const std::string scratch = dir_ + "/text.parts";
  if (!parts.empty()) {
    std::vector<std::string> sources;
    try {
      if (xdb_->get_doccount() > 0) sources.push_back(text);  // its slots are below the parts'
    } catch (const Xapian::Error& e) {
      return XapianError("read document count", e);
    }
    sources.insert(sources.end(), parts.begin(), parts.end());
    const std::string merged = scratch + "/merged";
    if (absl::Status s = MergeSearchIndexParts(sources, merged, scratch); !s.ok()) return s;
    xdb_.reset();
    if (absl::Status s = RemoveSearchIndexFiles(); !s.ok()) return s;
    std::error_code ec;
    fs::rename(merged, text, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("search index: cannot move '", merged, "' to '", text, "': ", ec.message()));
    }
    if (absl::Status s = OpenSearchIndex(); !s.ok()) return s;
  }
  try {
    SetSearchIndexMetadata(store_->state().seq);
    xdb_->commit();
  } catch (const Xapian::Error& e) {
    return XapianError("merge", e);
  }
  {
    // Pooled readers of the replaced text/ are dropped, not reopened.
    absl::MutexLock lock(&readers_mu_);
    readers_.clear();
  }
  return SyncReplacedSearchIndex();
}

}  // namespace inkdex::index
