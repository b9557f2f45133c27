#include "text/term_walk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "index/test_util.h"

namespace inkdex::text {
namespace {

using ::testing::ElementsAreArray;

// A glass database (the backend inkdex uses: the seek depends on its key
// layout) whose documents hold the given terms, each in `termfreq` documents.
class TermWalkTest : public ::testing::Test {
 protected:
  // Each term gets documents of its own, so a query's matches tell which
  // terms it holds; every third document also holds "other".
  void Build(const std::map<std::string, int>& termfreqs) {
    Xapian::WritableDatabase db(dir_.path() + "/db",
                                Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
    int d = 0;
    for (const auto& [term, n] : termfreqs) {
      for (int i = 0; i < n; ++i, ++d) {
        Xapian::Document doc;
        doc.add_term(term, 1 + static_cast<Xapian::termcount>(d % 3));
        if (d % 3 == 0) doc.add_term("other");
        db.add_document(doc);
      }
    }
    db.commit();
    db_ = Xapian::Database(dir_.path() + "/db");
  }

  // Xapian's own walk: every term with the prefix and its frequency.
  std::vector<std::pair<std::string, Xapian::doccount>> XapianWalk(const std::string& prefix) {
    std::vector<std::pair<std::string, Xapian::doccount>> out;
    for (auto it = db_.allterms_begin(prefix); it != db_.allterms_end(prefix); ++it) {
      out.emplace_back(*it, it.get_termfreq());
    }
    return out;
  }

  std::vector<std::pair<std::string, Xapian::doccount>> OurWalk(const std::string& prefix) {
    std::vector<std::pair<std::string, Xapian::doccount>> out;
    ForEachTermWithPrefix(db_, prefix, [&](const std::string& term, Xapian::doccount tf) {
      out.emplace_back(term, tf);
      return true;
    });
    return out;
  }

  // The documents and weights `query` matches, weighted as TextQuery::Match does.
  std::map<Xapian::docid, double> Matches(const Xapian::Query& query) {
    Xapian::Enquire enquire(db_);
    enquire.set_query(query);
    enquire.set_weighting_scheme(Xapian::TfIdfWeight("lnn"));
    std::map<Xapian::docid, double> out;
    Xapian::MSet mset = enquire.get_mset(0, db_.get_doccount());
    for (auto it = mset.begin(); it != mset.end(); ++it) out[*it] = it.get_weight();
    return out;
  }

  testing::TempDir dir_;
  Xapian::Database db_;
};

TEST_F(TermWalkTest, ListsWhatXapiansWalkListsPastFrequentTerms) {
  // "trad" and "traditional" span many posting chunks, so the walk seeks
  // past them; their neighbours must neither be skipped nor repeated.
  Build({{"tra", 3},
         {"trad", 2600},
         {"trade", 1},
         {"traditional", 3000},
         {"traditionalist", 700},
         {"traditionally", 2},
         {"traditions", 501},
         {"tram", 4},
         {"trb", 9},
         {"zebra", 800}});
  for (const std::string prefix : {"", "t", "tr", "tra", "trad", "tradition", "traditional",
                                   "traditionalist", "trx", "z", "zebra", "zz"}) {
    EXPECT_THAT(OurWalk(prefix), ElementsAreArray(XapianWalk(prefix))) << "prefix " << prefix;
  }
  EXPECT_EQ(OurWalk("trad").size(), 6u);
}

TEST_F(TermWalkTest, StopsWhenAsked) {
  Build({{"a1", 600}, {"a2", 1}, {"a3", 700}, {"a4", 1}});
  std::vector<std::string> seen;
  ForEachTermWithPrefix(db_, "a", [&](const std::string& term, Xapian::doccount) {
    seen.push_back(term);
    return seen.size() < 3;
  });
  EXPECT_THAT(seen, ElementsAreArray({"a1", "a2", "a3"}));
}

TEST_F(TermWalkTest, PicksTheMostFrequentTermsAsXapiansWildcardDoes) {
  // 150 terms with many equal frequencies: which of the tied terms make the
  // cut is up to nth_element, and must be Xapian's choice.
  std::map<std::string, int> termfreqs;
  for (int i = 0; i < 150; ++i) {
    termfreqs[absl::StrFormat("pfx%03d", i)] = 1 + (i * 7) % 13 + (i % 50 == 0 ? 600 : 0);
  }
  Build(termfreqs);
  for (size_t limit : {1, 5, 64, 149, 150, 200}) {
    const Xapian::Query wildcard(Xapian::Query::OP_WILDCARD, "pfx", limit,
                                 Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    const Xapian::Query ours = PrefixSynonymQuery(db_, "pfx", limit);
    EXPECT_EQ(Matches(ours), Matches(wildcard)) << "limit " << limit;
    EXPECT_EQ(MostFrequentTermsWithPrefix(db_, "pfx", limit).size(), std::min<size_t>(limit, 150));
  }
  // Weighted inside a larger query as the wildcard's synonym is.
  const Xapian::Query in_and(Xapian::Query::OP_AND, Xapian::Query("other"),
                             PrefixSynonymQuery(db_, "pfx", 64));
  const Xapian::Query wildcard_and(Xapian::Query::OP_AND, Xapian::Query("other"),
                                   Xapian::Query(Xapian::Query::OP_WILDCARD, "pfx", 64,
                                                 Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT));
  EXPECT_EQ(Matches(in_and), Matches(wildcard_and));
}

TEST_F(TermWalkTest, NoTermsMatchNothing) {
  Build({{"alpha", 2}});
  EXPECT_TRUE(PrefixSynonymQuery(db_, "beta", 64).empty());
  EXPECT_TRUE(MostFrequentTermsWithPrefix(db_, "beta", 64).empty());
  // One term: the term itself.
  EXPECT_EQ(Matches(PrefixSynonymQuery(db_, "alp", 64)),
            Matches(Xapian::Query(Xapian::Query::OP_WILDCARD, "alp", 64,
                                  Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT)));
}

}  // namespace
}  // namespace inkdex::text
