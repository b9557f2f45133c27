// IndexImpl::Verify: the document store, the search index and the in-memory
// snapshot (rows, counts, completion lists) must agree; and the kept item
// states (item_states.h) must belong to stored records that say so, and
// hold the invariants of item_states.h (they are never indexed).
//
// The store is read in id order, the search index in docid order, each
// once: the searchable records' slots, ids and content hashes are gathered
// first (~60 bytes an artist), then the search index's documents are read in
// docid order against them. Reading each record's document as the store
// scan reaches it would read the search index at random, a B-tree block or
// two per document (at 1,000,000 artists that cost more than the rest of the
// check). With VerifyOptions::check_postings every searchable record's
// document is also rebuilt and checked against the posting lists
// (verify_postings.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"
#include "index/index_impl.h"
#include "index/item_states.h"
#include "index/verify_postings.h"
#include "text/document_builder.h"

namespace inkdex::index {

namespace {

// Mismatched postings explained term by term (each re-reads its record).
constexpr size_t kDescribedMismatches = 20;

}  // namespace

absl::StatusOr<VerifyReport> IndexImpl::Verify(const VerifyOptions& options) const {
  // One commit throughout: the store's records, the snapshot's rows and the
  // search reader's revision. Without the lock a commit during the scan
  // shows its records beside the older rows, and two commits discard the
  // revision the reader is on (DatabaseModifiedError).
  absl::MutexLock write_lock(&write_mu_);
  if (search_index_deferred_.load()) return DeferredSearchIndexError("verify");
  VerifyReport report;
  std::shared_ptr<const engine::Snapshot> snap;
  SearchReader reader;
  if (absl::Status s = AcquireConsistent(&snap, &reader); !s.ok()) return s;
  report.commit_seq = snap->seq;
  Xapian::Database* db = reader.db.get();
  auto cancelled = [&]() -> absl::Status {
    if (!options.cancelled || !options.cancelled()) return absl::OkStatus();
    return absl::CancelledError(
        absl::StrCat("verify: cancelled after ", report.documents_checked, " documents"));
  };
  auto problem = [&report](std::string p) {
    if (report.problems.size() < 1000) report.problems.push_back(std::move(p));
  };
  try {
    uint64_t searchable = 0;
    // What the search index must hold, by slot (docid).
    struct Expected {
      std::string id;
      uint64_t content_hash = 0;  // 0: stored before content hashes
      bool found = false;
      bool reported = false;  // its document was found to differ already
    };
    PostingsCheck postings_check;
    absl::flat_hash_map<uint32_t, Expected> expected;
    std::vector<bool> slot_taken;  // a slot is one id's (purged tombstones free theirs)
    // The records that say they have kept item states, without their images.
    absl::flat_hash_map<std::string, StoredRecord> with_states;
    auto check = [&](const std::string& id, const StoredRecord& r) {
      ++report.documents_checked;
      if (r.slot() == 0) {
        problem(absl::StrCat("artist '", id, "': stored without a slot"));
        return;
      }
      if (r.slot() >= slot_taken.size()) slot_taken.resize(r.slot() + 1024, false);
      const bool slot_shared = slot_taken[r.slot()];
      if (slot_shared) {
        problem(absl::StrCat("artist '", id, "': slot ", r.slot(), " is held by another id too"));
      }
      slot_taken[r.slot()] = true;
      if (r.has_item_states()) {
        StoredRecord& brief = with_states[id];
        brief.set_source_rank(r.source_rank());
        brief.set_deleted(r.deleted());
        brief.set_has_item_states(true);
      }
      if (r.deleted()) ++report.tombstones_checked;
      const bool live = !r.deleted() && engine::IsSearchable(r.artist());
      const engine::Row* row = snap->rows.has(r.slot()) ? &snap->rows.row(r.slot()) : nullptr;
      if (row == nullptr || row->id != id || !engine::RowVersionMatches(*row, r) ||
          row->content_hash != r.content_hash() || row->live != live) {
        problem(absl::StrCat("artist '", id, "': in-memory row disagrees with the document store"));
      }
      if (!live) return;
      ++searchable;
      ++report.searchable_checked;
      expected[r.slot()] = Expected{id, r.content_hash(), false, slot_shared};
      // A shared slot is reported above; its postings would be another
      // report of the same fault.
      if (options.check_postings && !slot_shared) {
        postings_check.Expect(r.slot(), BuildSearchDocument(*builder_, r));
      }
    };
    absl::Status st =
        store_->ForEachRecordBatch(kRecordBatch, [&](const store::DocStore::RecordBatch& batch) {
          for (const auto& [id, r] : batch.records) check(id, *r);
          return cancelled();
        });
    if (!st.ok()) return st;
    if (const uint64_t counted = item_state_artists_.load(std::memory_order_relaxed);
        counted != with_states.size()) {
      problem(absl::StrCat("the index counts ", counted,
                           " artists with kept item states; the store has ", with_states.size()));
    }
    uint64_t item_states_checked = 0;
    st = store_->ForEachItemStates([&](const std::string& id, const ItemStates& states) {
      const StoredRecord* served = nullptr;
      std::optional<StoredRecord> unlisted;  // a record that does not say it has them
      if (auto it = with_states.find(id); it != with_states.end()) {
        served = &it->second;
      } else {
        absl::StatusOr<std::optional<StoredRecord>> r = store_->Get(id);
        if (!r.ok()) return r.status();
        unlisted = *std::move(r);
        if (unlisted.has_value()) served = &*unlisted;
      }
      for (std::string& p : CheckItemStates(id, served, states)) problem(std::move(p));
      with_states.erase(id);
      return ++item_states_checked % kRecordBatch == 0 ? cancelled() : absl::OkStatus();
    });
    if (!st.ok()) return st;
    for (const auto& [id, r] : with_states) {
      problem(absl::StrCat("artist '", id,
                           "': the stored record says item states are kept, but none are stored"));
    }
    uint64_t postings = 0;
    Xapian::ValueIterator hash = db->valuestream_begin(text::kContentHashSlot);
    const Xapian::ValueIterator hashes_end = db->valuestream_end(text::kContentHashSlot);
    for (Xapian::PostingIterator it = db->postlist_begin(""); it != db->postlist_end(""); ++it) {
      if (++postings % kRecordBatch == 0) {
        if (absl::Status s = cancelled(); !s.ok()) return s;
      }
      const Xapian::docid slot = *it;
      const std::string data = db->get_document(slot).get_data();
      auto e = expected.find(slot);
      if (e == expected.end()) {
        problem(absl::StrCat("search index document ", slot, " ('", data,
                             "') is not a searchable artist in the document store"));
        continue;
      }
      Expected& want = e->second;
      want.found = true;
      if (data != want.id) {
        problem(absl::StrCat("artist '", want.id, "': search index slot ", slot, " holds '", data,
                             "'"));
        want.reported = true;
        continue;
      }
      if (want.content_hash == 0) continue;
      if (hash != hashes_end && hash.get_docid() < slot) hash.skip_to(slot);
      const bool has_hash = hash != hashes_end && hash.get_docid() == slot;
      if (!has_hash || *hash != text::EncodeContentHash(want.content_hash)) {
        problem(absl::StrCat("artist '", want.id,
                             "': search index document differs from the stored record"));
        want.reported = true;
      }
    }
    if (options.check_postings) {
      absl::StatusOr<PostingsCheck::Result> deep = postings_check.Scan(*db, cancelled);
      if (!deep.ok()) return deep.status();
      report.postings_checked = deep->postings_read;
      size_t described = 0;
      for (Xapian::docid slot : deep->mismatched) {
        const Expected& want = expected.at(slot);
        if (want.reported || !want.found) continue;  // said above, or below as missing
        std::string what = "search index postings differ from the stored record";
        // Rebuilt again to say what differs: mismatches are rare, and
        // keeping every document from the store scan would cost ~1 KB each.
        if (described++ < kDescribedMismatches) {
          absl::StatusOr<std::optional<StoredRecord>> r = store_->Get(want.id);
          if (!r.ok()) return r.status();
          if (r->has_value()) {
            absl::StrAppend(
                &what, ": ",
                PostingsCheck::Describe(*db, slot, BuildSearchDocument(*builder_, **r)));
          }
        }
        problem(absl::StrCat("artist '", want.id, "': ", what));
      }
      if (deep->stray_postings > 0) {
        problem(absl::StrCat(deep->stray_postings,
                             " posting(s) of the search index name a document it does not hold "
                             "(first: ",
                             deep->stray_example, ")"));
      }
    }
    std::vector<std::pair<uint32_t, const std::string*>> missing;
    for (const auto& [slot, want] : expected) {
      if (!want.found) missing.emplace_back(slot, &want.id);
    }
    std::sort(missing.begin(), missing.end());
    for (const auto& [slot, id] : missing) {
      problem(absl::StrCat("artist '", *id, "': searchable but missing from the search index"));
    }
    if (db->get_doccount() != searchable) {
      problem(absl::StrCat("search index holds ", db->get_doccount(), " documents; the store has ",
                           searchable, " searchable artists"));
    }
    if (snap->live != searchable) {
      problem(absl::StrCat("snapshot counts ", snap->live, " searchable artists; the store has ",
                           searchable));
    }
    // The rows were just checked against the store; completion's lists are
    // derived from them commit by commit.
    for (std::string& p : engine::CheckSuggestIndexes(*snap, 20)) problem(std::move(p));
  } catch (const Xapian::Error& e) {
    return absl::InternalError(absl::StrCat("search index: ", e.get_description()));
  }
  ReleaseReader(std::move(reader));
  return report;
}

}  // namespace inkdex::index
