// The search index commits without fsync and is rebuilt from the document
// store after a restart of the machine (index/search_index_sync.h).
#include "index/search_index_sync.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <xapian.h>

#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "store/doc_store.h"

namespace inkdex::index {
namespace {

using testing::MakeArtist;

class SearchIndexSyncTest : public testing::IndexDirTest {
 protected:
  void AddArtists(int n, int first = 0) {
    WriteBatch batch;
    for (int i = first; i < first + n; ++i) {
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
  // Closes the index, then makes the store say that `boot` made unsynced
  // Xapian commits (what a process that died without a clean close leaves).
  void CloseWithUnsyncedCommitsOf(const std::string& boot) {
    index_.reset();
    auto store = store::DocStore::Open(dir_.path() + "/docs", false, true, 1 << 20);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutMetadata(kUnsyncedSearchIndexBootKey, boot).ok());
  }
  // Closes the index, then plays a machine restart that lost Xapian's
  // unsynced pages: the store says which boot wrote them, and the Xapian
  // database is an empty one.
  void CloseAndLoseTheSearchIndex(const std::string& boot, bool garbage = false) {
    CloseWithUnsyncedCommitsOf(boot);
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

TEST_F(SearchIndexSyncTest, AProcessCrashOnTheSameBootKeepsTheSearchIndex) {
  AddArtists(5);
  // The same boot id: the page cache kept Xapian's writes, so text/ is kept
  // as it is (a file of the test's own in it survives the open).
  CloseWithUnsyncedCommitsOf(CurrentBootId());
  const std::string sentinel = dir_.path() + "/text/kept-by-the-test";
  std::ofstream(sentinel) << "x";
  Reopen();
  EXPECT_TRUE(std::filesystem::exists(sentinel));
  EXPECT_EQ(TextMatches(), 5);
  // Its clean close still syncs and clears the key.
  Reopen();
  EXPECT_EQ(Marker(), std::nullopt);
  // Another boot's id: text/ is discarded before it is opened.
  CloseWithUnsyncedCommitsOf("a-boot-before-the-restart");
  std::ofstream(sentinel) << "x";
  Reopen();
  EXPECT_FALSE(std::filesystem::exists(sentinel));
  EXPECT_EQ(TextMatches(), 5);
}

TEST_F(SearchIndexSyncTest, ASearchIndexLostOnTheSameBootIsRebuiltFromTheStore) {
  AddArtists(5);
  Reopen();  // the commit log is trimmed: replaying it could not rebuild
  CloseAndLoseTheSearchIndex(CurrentBootId());
  Reopen();
  EXPECT_EQ(TextMatches(), 5);
  ExpectVerified();
  EXPECT_EQ(Marker(), std::nullopt) << "the rebuilt index is synced";
  // The next unsynced commit says so again.
  AddArtists(1, /*first=*/5);
  EXPECT_EQ(Marker(), CurrentBootId());
  EXPECT_EQ(TextMatches(), 6);
}

TEST_F(SearchIndexSyncTest, ARebuildIndexesEverySearchableArtistOfAStoreReadInIdOrder) {
  // Thousands of artists whose ids sort unlike their slots (the rebuild scans
  // the store in id order and writes in slot order); hidden artists are not
  // indexed. Rebuilds of many ranges and parts: search_index_rebuild_test.cc.
  WriteBatch batch;
  int searchable = 0;
  for (int i = 0; i < 8300; ++i) {
    Artist a = MakeArtist("z" + std::to_string((i * 7919) % 8300), "Rose Artist", 40 + (i % 50),
                          (i * 13) % 170, {"blackwork"}, 1);
    if (i % 97 == 0) {
      a.set_opted_out(true);
    } else {
      ++searchable;
    }
    batch.Upsert(std::move(a));
  }
  ASSERT_TRUE(index_->Apply(batch).ok());
  Reopen();
  CloseAndLoseTheSearchIndex("a-boot-before-the-restart");
  Reopen();
  EXPECT_EQ(TextMatches(), searchable);
  ExpectVerified();
}

TEST_F(SearchIndexSyncTest, RebuildSearchIndexRepairsOneThatVerifyFindsWrong) {
  AddArtists(6);
  index_.reset();
  {
    // A document lost from text/ while the commit numbers still agree: no
    // recovery notices it, Verify does.
    Xapian::WritableDatabase xdb(dir_.path() + "/text");
    ASSERT_GT(xdb.get_doccount(), 0u);
    xdb.delete_document(xdb.get_lastdocid());
    xdb.commit();
  }
  Reopen();
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->ok());
  index_.reset();
  IndexOptions options;
  options.rebuild_search_index = true;
  auto repaired = Index::Open(dir_.path(), options);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  index_ = *std::move(repaired);
  ExpectVerified();
  EXPECT_EQ(TextMatches(), 6);
}

}  // namespace
}  // namespace inkdex::index
