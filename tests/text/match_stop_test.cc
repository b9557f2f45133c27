#include "text/match_stop.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <string>

#include "index/test_util.h"

namespace inkdex::text {
namespace {

// 20,000 documents, each holding "ink"; every other one also "koi".
class MatchStopTest : public ::testing::Test {
 protected:
  static constexpr int kDocuments = 20000;

  void SetUp() override {
    Xapian::WritableDatabase db(dir_.path() + "/db",
                                Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
    for (int i = 0; i < kDocuments; ++i) {
      Xapian::Document doc;
      doc.add_term("ink", 1 + static_cast<Xapian::termcount>(i % 3));
      if (i % 2 == 0) doc.add_term("koi");
      db.add_document(doc);
    }
    db.commit();
    db_ = Xapian::Database(dir_.path() + "/db");
  }

  // Every match of `query`, as inkdex's text matching asks for them.
  Xapian::MSet MatchAll(const Xapian::Query& query) {
    Xapian::Enquire enquire(db_);
    enquire.set_query(query);
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    return enquire.get_mset(0, db_.get_doccount(), db_.get_doccount());
  }

  inkdex::testing::TempDir dir_;
  Xapian::Database db_;
};

TEST_F(MatchStopTest, StopsTheMatchWhenTold) {
  int polls = 0;
  const std::function<bool()> stop = [&polls] { return ++polls == 3; };
  MatchStopSource source(stop);
  const Xapian::Query query(Xapian::Query::OP_FILTER, Xapian::Query("ink"), Xapian::Query(&source));
  EXPECT_THROW(MatchAll(query), MatchStopped);
  // Stopped at the third poll, a few thousand documents in, not at the end
  // (20,000 documents are ~19 polls).
  EXPECT_EQ(polls, 3);
}

TEST_F(MatchStopTest, NeverStoppedMatchesAsWithout) {
  int polls = 0;
  const std::function<bool()> stop = [&polls] {
    ++polls;
    return false;
  };
  for (const char* term : {"ink", "koi"}) {
    MatchStopSource source(stop);
    const Xapian::Query query(Xapian::Query::OP_FILTER, Xapian::Query(term),
                              Xapian::Query(&source));
    const Xapian::MSet with = MatchAll(query);
    const Xapian::MSet without = MatchAll(Xapian::Query(term));
    ASSERT_EQ(with.size(), without.size()) << term;
    for (Xapian::MSetIterator a = with.begin(), b = without.begin(); a != with.end(); ++a, ++b) {
      EXPECT_EQ(*a, *b);
      EXPECT_DOUBLE_EQ(a.get_weight(), b.get_weight());
    }
  }
  EXPECT_GE(polls, kDocuments / static_cast<int>(MatchStopSource::kPollEvery));
}

}  // namespace
}  // namespace inkdex::text
