// The search index commits without fsync and is rebuilt from the document
// store after a restart of the machine (index/search_index_sync.h).
#include "index/search_index_sync.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "store/doc_store.h"

namespace inkdex::index {
namespace {

using testing::MakeArtist;

class SearchIndexSyncTest : public testing::IndexDirTest {
 protected:
  void AddArtists(int n) {
    WriteBatch batch;
    for (int i = 0; i < n; ++i) {
      batch.Upsert(MakeArtist("a" + std::to_string(i), "Rose Artist " + std::to_string(i),
                              52.37 + i * 0.001, 4.89, {"blackwork"}, 1));
    }
    auto results = index_->Apply(batch);
    ASSERT_TRUE(results.ok()) << results.status();
  }
  std::optional<std::string> Marker() {
    auto v = index_->GetMetadata(kUnsyncedSearchIndexBootKey);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }
  int64_t TextMatches() {
    SearchRequest req;
    req.text = "rose";
    req.limit = 1;
    auto r = index_->Search(req);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->total : -1;
  }
  // The document store and the search index agree (`inkdex verify`).
  void ExpectVerified() {
    auto report = index_->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok());
  }
  // Closes the index, then plays a machine restart that lost Xapian's
  // unsynced pages: the store says which boot wrote them, and the Xapian
  // database is an empty one.
  void CloseAndLoseTheSearchIndex(const std::string& boot, bool garbage = false) {
    index_.reset();
    {
      auto store = store::DocStore::Open(dir_.path() + "/docs", false, true, 1 << 20);
      ASSERT_TRUE(store.ok()) << store.status();
      ASSERT_TRUE((*store)->PutMetadata(kUnsyncedSearchIndexBootKey, boot).ok());
    }
    std::filesystem::remove_all(dir_.path() + "/text");
    if (garbage) {  // half-written files Xapian cannot even open
      std::filesystem::create_directories(dir_.path() + "/text");
      for (const char* name : {"iamglass", "postlist.glass", "termlist.glass", "docdata.glass"}) {
        std::ofstream(dir_.path() + "/text/" + name) << std::string(8192, '\x5a');
      }
    }
  }
};

TEST_F(SearchIndexSyncTest, TheStoreNamesTheBootWhileCommitsAreUnsynced) {
  ASSERT_FALSE(CurrentBootId().empty()) << "these tests need Linux's boot id";
  EXPECT_EQ(Marker(), std::nullopt) << "nothing written yet";
  AddArtists(3);
  EXPECT_EQ(Marker(), CurrentBootId());
  Reopen();  // a clean close syncs Xapian and clears the key
  EXPECT_EQ(Marker(), std::nullopt);
  EXPECT_EQ(TextMatches(), 3);
}

TEST_F(SearchIndexSyncTest, AMachineRestartRebuildsTheSearchIndexFromTheStore) {
  AddArtists(20);
  Reopen();  // the commit log is trimmed: recovery alone could not rebuild
  CloseAndLoseTheSearchIndex("a-boot-before-the-restart");
  Reopen();
  EXPECT_EQ(TextMatches(), 20);
  EXPECT_EQ(Marker(), std::nullopt) << "the rebuilt index is synced";
  ExpectVerified();
}

TEST_F(SearchIndexSyncTest, AnUnreadableSearchIndexIsRebuiltAfterARestart) {
  AddArtists(7);
  Reopen();
  CloseAndLoseTheSearchIndex("a-boot-before-the-restart", /*garbage=*/true);
  Reopen();
  EXPECT_EQ(TextMatches(), 7);
  ExpectVerified();
}

TEST_F(SearchIndexSyncTest, AProcessCrashOnTheSameBootIsNotARestart) {
  AddArtists(5);
  Reopen();
  // The same boot id: the page cache kept Xapian's writes, so nothing is
  // rebuilt (here the database was removed, so nothing is found: proof that
  // the rebuild above is what the boot id triggers).
  CloseAndLoseTheSearchIndex(CurrentBootId());
  Reopen();
  EXPECT_EQ(TextMatches(), 0);
  // Its clean close still syncs and clears the key.
  Reopen();
  EXPECT_EQ(Marker(), std::nullopt);
}

}  // namespace
}  // namespace inkdex::index
