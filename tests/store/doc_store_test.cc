#include "store/doc_store.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "rocksdb/db.h"

namespace inkdex::store {
namespace {

StoredRecord Record(const std::string& id, uint64_t version, uint32_t slot) {
  StoredRecord r;
  r.set_version(version);
  r.set_slot(slot);
  r.mutable_artist()->set_id(id);
  return r;
}

// The records a full scan (ForEachRecordBatch) delivers.
size_t CountRecords(const DocStore& store) {
  size_t records = 0;
  absl::Status s = store.ForEachRecordBatch(16, [&](const DocStore::RecordBatch& batch) {
    records += batch.records.size();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return records;
}

// Kept item states (index/item_states.h) are written and deleted in the
// commit with the records, and not named in its log entry.
TEST(DocStoreTest, ItemStatesCommitWithTheRecords) {
  inkdex::testing::TempDir dir;
  ItemStates states;
  StoredRecord* kept = states.add_items();
  kept->set_source_rank(2);
  kept->set_stream_sequence("100");
  kept->mutable_artist()->set_id("a");
  {
    auto store = DocStore::Open(dir.path(), true, true, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    CommitWrite w;
    w.seq = 1;
    w.next_slot = 3;
    StoredRecord a = Record("a", 5, 1);
    a.set_has_item_states(true);
    w.records = {{"a", a}, {"b", Record("b", 6, 2)}};
    w.item_states = {{"a", states}, {"b", states}};
    ASSERT_TRUE((*store)->Commit(w).ok());
    CommitWrite w2;
    w2.seq = 2;
    w2.next_slot = 3;
    w2.item_states = {{"b", ItemStates()}};  // empty: deleted
    ASSERT_TRUE((*store)->Commit(w2).ok());
  }
  auto store = DocStore::Open(dir.path(), false, true, 1 << 20);
  ASSERT_TRUE(store.ok()) << store.status();
  auto a = (*store)->GetItemStates("a");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->SerializeAsString(), states.SerializeAsString());
  auto b = (*store)->GetItemStates("b");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->has_value());
  std::vector<std::string> ids;
  ASSERT_TRUE((*store)
                  ->ForEachItemStates([&](const std::string& id, const ItemStates&) {
                    ids.push_back(id);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(ids, std::vector<std::string>{"a"});
  // Records are read past them untouched; the log names records only.
  EXPECT_EQ(CountRecords(**store), 2u);
  auto log = (*store)->LogAfter(0);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].ids_size(), 2);
  EXPECT_EQ((*log)[1].ids_size(), 0);
}

TEST(DocStoreTest, CommitIsDurableAndLogged) {
  inkdex::testing::TempDir dir;
  {
    auto store = DocStore::Open(dir.path(), true, true, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    CommitWrite w;
    w.seq = 1;
    w.unix_micros = 42;
    w.next_slot = 3;
    w.records = {{"a", Record("a", 5, 1)}, {"b", Record("b", 6, 2)}};
    w.metadata = {{"checkpoint/shard-1", "seq-99"}};
    ASSERT_TRUE((*store)->Commit(w).ok());
    CommitWrite w2;
    w2.seq = 2;
    w2.next_slot = 3;
    StoredRecord tomb;
    tomb.set_version(7);
    tomb.set_deleted(true);
    tomb.set_slot(1);
    w2.records = {{"a", tomb}};
    ASSERT_TRUE((*store)->Commit(w2).ok());
  }
  auto store = DocStore::Open(dir.path(), false, true, 1 << 20);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->state().seq, 2u);
  EXPECT_EQ((*store)->state().next_slot, 3u);
  auto a = (*store)->Get("a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_TRUE((*a)->deleted());
  EXPECT_EQ((*a)->version(), 7u);
  EXPECT_FALSE((*(*store)->Get("zzz")).has_value());
  auto log = (*store)->LogAfter(0);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].ids_size(), 2);
  EXPECT_EQ((*log)[1].ids(0), "a");
  ASSERT_TRUE((*store)->TrimLog(1).ok());
  EXPECT_EQ((*store)->LogAfter(0)->size(), 1u);
  EXPECT_EQ(*(*(*store)->GetMetadata("checkpoint/shard-1")), "seq-99");
  EXPECT_EQ((*store)->ListMetadata("checkpoint/")->size(), 1u);
  std::vector<std::string> ids;
  ASSERT_TRUE((*store)
                  ->ForEachRecordBatch(16,
                                       [&](const DocStore::RecordBatch& batch) {
                                         for (const auto& [id, r] : batch.records) {
                                           ids.push_back(id);
                                         }
                                         return absl::OkStatus();
                                       })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));  // the tombstone included
}

// `count` records "r00000".. committed in a shuffled order.
void CommitRecords(DocStore& store, int count) {
  std::vector<int> order(count);
  for (int i = 0; i < count; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  CommitWrite w;
  w.seq = 1;
  w.next_slot = count + 1;
  for (int i : order) {
    const std::string id = absl::StrFormat("r%05d", i);
    w.records.emplace_back(id, Record(id, 100 + i, i + 1));
  }
  ASSERT_TRUE(store.Commit(w).ok());
}

TEST(DocStoreTest, ErasedIdsAreRemovedAndLogged) {
  inkdex::testing::TempDir dir;
  {
    auto store = DocStore::Open(dir.path(), true, true, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    CommitWrite w;
    w.seq = 1;
    w.next_slot = 3;
    w.records = {{"a", Record("a", 5, 1)}, {"b", Record("b", 6, 2)}};
    ASSERT_TRUE((*store)->Commit(w).ok());
    CommitWrite purge;
    purge.seq = 2;
    purge.next_slot = 3;
    purge.records = {{"b", Record("b", 7, 2)}};
    purge.erased = {"a"};
    ASSERT_TRUE((*store)->Commit(purge).ok());
  }
  auto store = DocStore::Open(dir.path(), false, true, 1 << 20);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*(*store)->Get("a")).has_value());
  ASSERT_TRUE((*(*store)->Get("b")).has_value());
  EXPECT_EQ((*(*store)->Get("b"))->version(), 7u);
  EXPECT_EQ((*store)->state().seq, 2u);
  EXPECT_EQ((*store)->state().next_slot, 3u);
  auto log = (*store)->LogAfter(1);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  ASSERT_EQ((*log)[0].ids_size(), 2);
  EXPECT_EQ((*log)[0].ids(0), "b");
  EXPECT_EQ((*log)[0].ids(1), "a");
  EXPECT_EQ(CountRecords(**store), 1u);
}

// RewriteRecords (slot renumbering) changes records outside any commit: no
// seq, no log entry; SetNextSlot sets the next slot with metadata, and both
// outlast a reopen.
TEST(DocStoreTest, RewrittenRecordsAndTheNextSlotNeedNoCommit) {
  inkdex::testing::TempDir dir;
  {
    auto store = DocStore::Open(dir.path(), true, true, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    CommitWrite w;
    w.seq = 1;
    w.next_slot = 9;
    w.records = {{"a", Record("a", 5, 7)}, {"b", Record("b", 6, 8)}};
    ASSERT_TRUE((*store)->Commit(w).ok());
    ASSERT_TRUE((*store)->PutMetadata("renumbering", "1").ok());
    ASSERT_TRUE(
        (*store)->RewriteRecords({{"a", Record("a", 5, 2)}, {"b", Record("b", 6, 1)}}).ok());
    ASSERT_TRUE((*store)->SetNextSlot(3, {{"renumbering", ""}, {"other", "x"}}).ok());
    EXPECT_EQ((*store)->state().next_slot, 3u);
  }
  auto store = DocStore::Open(dir.path(), false, true, 1 << 20);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*(*store)->Get("a"))->slot(), 2u);
  EXPECT_EQ((*(*store)->Get("b"))->slot(), 1u);
  EXPECT_EQ((*(*store)->Get("b"))->version(), 6u);
  EXPECT_EQ((*store)->state().seq, 1u);
  EXPECT_EQ((*store)->state().next_slot, 3u);
  EXPECT_FALSE((*(*store)->GetMetadata("renumbering")).has_value());
  EXPECT_EQ((*(*store)->GetMetadata("other")).value_or(""), "x");
  auto log = (*store)->LogAfter(0);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].seq(), 1u);
}

TEST(DocStoreTest, RecordBatchesHoldEveryRecordInIdOrder) {
  inkdex::testing::TempDir dir;
  auto store = DocStore::Open(dir.path(), true, false, 1 << 20);
  ASSERT_TRUE(store.ok()) << store.status();
  CommitRecords(**store, 2500);
  std::vector<std::pair<std::string, uint64_t>> expected;  // id order
  for (int i = 0; i < 2500; ++i) expected.emplace_back(absl::StrFormat("r%05d", i), 100 + i);
  for (size_t batch_size : {1000u, 1u, 2500u, 4096u}) {
    std::vector<std::pair<std::string, uint64_t>> got;
    std::vector<size_t> sizes;
    ASSERT_TRUE((*store)
                    ->ForEachRecordBatch(batch_size,
                                         [&](const DocStore::RecordBatch& batch) {
                                           sizes.push_back(batch.records.size());
                                           for (const auto& [id, r] : batch.records) {
                                             got.emplace_back(id, r->version());
                                           }
                                           return absl::OkStatus();
                                         })
                    .ok());
    EXPECT_EQ(got, expected) << batch_size;
    ASSERT_FALSE(sizes.empty());
    EXPECT_EQ(sizes.size(), (2500 + batch_size - 1) / batch_size) << batch_size;
    for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], batch_size);
  }
  // An empty store: no call.
  inkdex::testing::TempDir empty_dir;
  auto empty = DocStore::Open(empty_dir.path(), true, false, 1 << 20);
  ASSERT_TRUE(empty.ok());
  int calls = 0;
  EXPECT_TRUE((*empty)
                  ->ForEachRecordBatch(10,
                                       [&](const DocStore::RecordBatch&) {
                                         ++calls;
                                         return absl::OkStatus();
                                       })
                  .ok());
  EXPECT_EQ(calls, 0);
}

TEST(DocStoreTest, RecordBatchesStopAtTheCallersError) {
  inkdex::testing::TempDir dir;
  auto store = DocStore::Open(dir.path(), true, false, 1 << 20);
  ASSERT_TRUE(store.ok()) << store.status();
  CommitRecords(**store, 5000);
  int calls = 0;
  absl::Status s = (*store)->ForEachRecordBatch(100, [&](const DocStore::RecordBatch&) {
    return ++calls == 2 ? absl::AbortedError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(s, absl::AbortedError("enough"));
  EXPECT_EQ(calls, 2);
}

TEST(DocStoreTest, RecordBatchesDeliverTheRecordsBeforeOneThatDoesNotParse) {
  inkdex::testing::TempDir dir;
  {
    auto store = DocStore::Open(dir.path(), true, false, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    CommitRecords(**store, 300);
  }
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    // Field 1, length-delimited, with a length varint that never ends.
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "d/r00150x",
                        std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11))
                    .ok());
  }
  auto store = DocStore::Open(dir.path(), false, false, 1 << 20);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<std::string> got;
  absl::Status s = (*store)->ForEachRecordBatch(64, [&](const DocStore::RecordBatch& batch) {
    for (const auto& [id, r] : batch.records) got.push_back(id);
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("'r00150x'"), std::string::npos) << s;
  ASSERT_EQ(got.size(), 151u);  // r00000 .. r00150
  EXPECT_EQ(got.back(), "r00150");
}

// The store logs through InfoLog (store/info_log.h), at WARN and above, not
// through RocksDB's own file logger (which aborts the process when the disk
// fills). That one would also move the last run's LOG aside at every open
// (LOG.old.<time>), where InfoLog appends to it.
TEST(DocStoreTest, ItsLogIsInkdexsOwnAndSilentWhileHealthy) {
  inkdex::testing::TempDir dir;
  const std::string docs = dir.path() + "/docs";
  for (uint64_t seq : {1, 2}) {
    auto store = DocStore::Open(docs, seq == 1, true, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    CommitWrite write;
    write.seq = seq;
    write.next_slot = 2;
    write.records.emplace_back("a", Record("a", seq, 1));
    ASSERT_TRUE((*store)->Commit(write).ok());
  }
  ASSERT_TRUE(std::filesystem::exists(docs + "/LOG"));
  EXPECT_EQ(std::filesystem::file_size(docs + "/LOG"), 0u);
  for (const auto& entry : std::filesystem::directory_iterator(docs)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("LOG.old."))
        << entry.path() << ": RocksDB's logger rolls its files so";
  }
}

TEST(DocStoreTest, OpeningAMissingStoreWithoutCreateFails) {
  inkdex::testing::TempDir dir;
  EXPECT_FALSE(DocStore::Open(dir.path() + "/nope", false, true, 1 << 20).ok());
}

}  // namespace
}  // namespace inkdex::store
