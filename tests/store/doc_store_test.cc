#include "store/doc_store.h"

#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex::store {
namespace {

StoredRecord Record(const std::string& id, uint64_t version, uint32_t slot) {
  StoredRecord r;
  r.set_version(version);
  r.set_slot(slot);
  r.mutable_artist()->set_id(id);
  return r;
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
  int n = 0;
  ASSERT_TRUE((*store)
                  ->ForEachRecord([&](const std::string&, const StoredRecord&) {
                    ++n;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(n, 2);
}

TEST(DocStoreTest, OpeningAMissingStoreWithoutCreateFails) {
  inkdex::testing::TempDir dir;
  EXPECT_FALSE(DocStore::Open(dir.path() + "/nope", false, true, 1 << 20).ok());
}

}  // namespace
}  // namespace inkdex::store
