// IndexImpl's writes to the search index (Xapian): the documents of a
// commit and the re-index of commits Xapian lacks. A rebuild of the whole
// search index is in search_index_rebuild.cc. See index_impl.h.
#include <algorithm>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"
#include "index/index_impl.h"
#include "index/search_index_sync.h"

namespace inkdex::index {
namespace {

// Tracks how many documents the builder thread has finished.
struct BuildProgress {
  size_t built = 0;
  size_t wanted = 0;
  bool Ready() const { return built > wanted; }
};

}  // namespace

Xapian::Document BuildSearchDocument(text::DocumentBuilder& builder, const StoredRecord& record) {
  return record.content_hash() != 0 ? builder.Build(record.artist(), record.content_hash())
                                    : builder.Build(record.artist());
}

void IndexImpl::WriteDocuments(
    size_t count, const std::function<uint32_t(size_t)>& slot,
    const std::function<Xapian::Document(text::DocumentBuilder&, size_t)>& make) {
  constexpr size_t kPipelineMin = 64;  // below this a thread costs more than it saves
  if (count < kPipelineMin) {
    for (size_t i = 0; i < count; ++i) xdb_->replace_document(slot(i), make(*builder_, i));
    return;
  }
  // Text analysis (DocumentBuilder) and Xapian's inverter are each about half
  // of the cost of indexing: analyse on a helper thread while this one
  // writes, a chunk at a time (the chunk's documents are what is held).
  constexpr size_t kChunk = 8192;
  text::DocumentBuilder& local = *helper_builder_;  // the helper threads', one after another
  for (size_t begin = 0; begin < count; begin += kChunk) {
    const size_t n = std::min(kChunk, count - begin);
    std::vector<Xapian::Document> docs(n);
    absl::Mutex mu;
    BuildProgress progress;
    // What `make` threw on the helper thread, rethrown on this one.
    std::exception_ptr failure;
    std::thread builder([&] {
      for (size_t i = 0; i < n; ++i) {
        try {
          docs[i] = make(local, begin + i);
        } catch (...) {
          absl::MutexLock lock(&mu);
          failure = std::current_exception();
          progress.built = n;  // wakes the writer, which then stops
          return;
        }
        absl::MutexLock lock(&mu);
        progress.built = i + 1;
      }
    });
    try {
      for (size_t i = 0; i < n; ++i) {
        {
          absl::MutexLock lock(&mu);
          progress.wanted = i;
          mu.Await(absl::Condition(&progress, &BuildProgress::Ready));
          if (failure) break;
        }
        xdb_->replace_document(slot(begin + i), docs[i]);
        docs[i] = Xapian::Document();
      }
    } catch (...) {
      builder.join();
      throw;
    }
    builder.join();
    if (failure) std::rethrow_exception(failure);
  }
}

void IndexImpl::IndexRecords(const store::CommitWrite& write, const engine::Snapshot& before) {
  // What Xapian must change: deletes of documents that stopped being
  // searchable, and documents whose text changed (content hash). Most stream
  // updates (a rating, availability) change no indexed text: their documents
  // are neither rebuilt nor rewritten (replace_document reads the old
  // termlist and rewrites postings: most of the cost of an update).
  std::vector<const StoredRecord*> deletes, writes;
  for (const auto& [id, r] : write.records) {
    const engine::Row* old = before.rows.has(r.slot()) ? &before.rows.row(r.slot()) : nullptr;
    const bool was_indexed = old != nullptr && old->live;
    if (r.content_hash() == 0) {
      if (was_indexed) deletes.push_back(&r);
    } else if (!was_indexed || old->content_hash != r.content_hash()) {
      writes.push_back(&r);
    }
  }
  for (const StoredRecord* r : deletes) xdb_->delete_document(r->slot());
  // Xapian appends to its B-trees fastest in docid order.
  std::sort(writes.begin(), writes.end(),
            [](const StoredRecord* a, const StoredRecord* b) { return a->slot() < b->slot(); });
  WriteDocuments(
      writes.size(), [&](size_t i) { return writes[i]->slot(); },
      [&](text::DocumentBuilder& builder, size_t i) {
        return BuildSearchDocument(builder, *writes[i]);
      });
}

void IndexImpl::IndexRecord(uint32_t slot, const StoredRecord& record) {
  if (record.deleted() || !engine::IsSearchable(record.artist())) {
    try {
      xdb_->delete_document(slot);
    } catch (const Xapian::DocNotFoundError&) {
      // Never indexed (or already removed): nothing to do.
    }
    return;
  }
  xdb_->replace_document(slot, BuildSearchDocument(*builder_, record));
}

absl::Status IndexImpl::ReindexFromStore(const std::vector<CommitLogEntry>& log, uint64_t seq) {
  try {
    for (const CommitLogEntry& entry : log) {
      for (const std::string& id : entry.ids()) {
        absl::StatusOr<std::optional<StoredRecord>> rec = store_->Get(id);
        if (!rec.ok()) return rec.status();
        if (!rec->has_value()) continue;
        IndexRecord((*rec)->slot(), **rec);
      }
    }
    SetSearchIndexMetadata(seq);
    xdb_->commit();
  } catch (const Xapian::Error& e) {
    return XapianError("re-index", e);
  }
  return absl::OkStatus();
}

absl::Status IndexImpl::SyncReplacedSearchIndex() {
  if (absl::Status s = SyncDirectoryFiles(dir_ + "/text"); !s.ok()) return s;
  if (absl::Status s = store_->PutMetadata(kUnsyncedSearchIndexBootKey, ""); !s.ok()) return s;
  // The next unsynced commit records the boot id again.
  unsynced_boot_recorded_ = false;
  return absl::OkStatus();
}

}  // namespace inkdex::index
