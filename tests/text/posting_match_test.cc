#include "text/posting_match.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "index/test_util.h"
#include "inkdex/taxonomy.h"
#include "text/text_matcher.h"

namespace inkdex::text {
namespace {

using Weights = std::map<uint32_t, double>;

// Records what Xapian's matcher weighs: the independent answer.
class Spy : public Xapian::MatchSpy {
 public:
  explicit Spy(Weights* out) : out_(out) {}
  void operator()(const Xapian::Document& doc, double wt) override {
    (*out_)[doc.get_docid()] = wt;
  }

 private:
  Weights* out_;
};

constexpr int kWords = 24;

// "wa", "wb", ...: words of letters, which ParseText's prefix expansion takes.
std::string Word(int i) { return std::string("w") + static_cast<char>('a' + i); }

// Documents of words drawn with skewed frequencies (w0 in most, w23 in few),
// each also as a Z term; wdfs 0 (boolean) to 400, so the table of small
// wdfs and the log beyond it both weigh; every tenth document deleted, so
// docids have gaps. Long lists span several chunks.
class PostingMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Xapian::WritableDatabase db(dir_.path() + "/db",
                                Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
    std::mt19937 rng(7);
    for (int d = 1; d <= kDocs; ++d) {
      Xapian::Document doc;
      for (int w = 0; w < kWords; ++w) {
        if (rng() % 1000 >= static_cast<unsigned>(900 / (w + 1) + 5)) continue;
        const unsigned r = rng() % 100;
        const Xapian::termcount wdf = r < 5 ? 0 : r < 90 ? 1 + r % 4 : 250 + r * 2;
        doc.add_term(Word(w), wdf);
        if (r % 3 == 0) doc.add_term("Z" + Word(w), 1 + r % 7);
      }
      db.add_document(doc);
    }
    for (int d = 10; d <= kDocs; d += 10) db.delete_document(static_cast<Xapian::docid>(d));
    db.commit();
    db_ = Xapian::Database(dir_.path() + "/db");
  }

  Weights Xapians(const Xapian::Query& q, const std::vector<uint32_t>* restrict_to) {
    Weights all;
    Xapian::Enquire enquire(db_);
    enquire.set_query(q);
    enquire.set_weighting_scheme(Xapian::TfIdfWeight("lnn"));
    Spy spy(&all);
    enquire.add_matchspy(&spy);
    enquire.get_mset(0, 0, db_.get_doccount());
    if (restrict_to == nullptr) return all;
    Weights out;
    for (uint32_t slot : *restrict_to) {
      if (auto it = all.find(slot); it != all.end()) out.insert(*it);
    }
    return out;
  }

  Weights Ours(const Xapian::Query& q, const std::vector<uint32_t>* restrict_to) {
    absl::StatusOr<std::vector<engine::SlotWeight>> got = MatchByPostings(db_, q, restrict_to, {});
    EXPECT_TRUE(got.ok()) << got.status();
    Weights out;
    if (!got.ok()) return out;
    for (size_t i = 0; i < got->size(); ++i) {
      if (i > 0) {
        EXPECT_LT((*got)[i - 1].slot, (*got)[i].slot) << "not ascending by docid";
      }
      out[(*got)[i].slot] = (*got)[i].weight;
    }
    return out;
  }

  void ExpectSame(const Xapian::Query& q, const std::vector<uint32_t>* restrict_to) {
    ASSERT_TRUE(CanMatchByPostings(db_, q)) << q.get_description();
    const Weights want = Xapians(q, restrict_to);
    const Weights got = Ours(q, restrict_to);
    ASSERT_EQ(got.size(), want.size()) << q.get_description();
    for (const auto& [slot, w] : want) {
      auto it = got.find(slot);
      ASSERT_NE(it, got.end()) << "missing " << slot << " in " << q.get_description();
      EXPECT_NEAR(it->second, w, 1e-12 * std::max(1.0, w)) << slot << " " << q.get_description();
    }
  }

  // A random query of the shapes ParseText builds, `depth` levels deep.
  Xapian::Query RandomQuery(std::mt19937& rng, int depth) {
    auto word = [&] {
      const int w = static_cast<int>(rng() % (kWords + 2));  // two words no document has
      return (rng() % 4 == 0 ? "Z" : "") + Word(w);
    };
    auto term = [&] { return Xapian::Query(word()); };
    if (depth == 0 || rng() % 4 == 0) {
      if (rng() % 3 == 0) {  // a synonym of distinct terms, as a prefix's expansion
        std::set<std::string> words;
        for (unsigned n = 1 + rng() % 6; n > 0; --n) words.insert(word());
        std::vector<Xapian::Query> terms(words.begin(), words.end());
        return Xapian::Query(Xapian::Query::OP_SYNONYM, terms.begin(), terms.end());
      }
      return rng() % 20 == 0 ? Xapian::Query::MatchNothing : term();
    }
    static constexpr Xapian::Query::op kOps[] = {
        Xapian::Query::OP_AND,     Xapian::Query::OP_OR,     Xapian::Query::OP_AND_MAYBE,
        Xapian::Query::OP_AND_NOT, Xapian::Query::OP_FILTER, Xapian::Query::OP_PHRASE,
        Xapian::Query::OP_NEAR,
    };
    const Xapian::Query::op op = kOps[rng() % std::size(kOps)];
    std::vector<Xapian::Query> subs;
    for (unsigned n = 2 + rng() % 3; n > 0; --n) {
      // A phrase is of terms (the QueryParser's; Xapian takes no other).
      const bool of_terms = op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR;
      subs.push_back(of_terms ? term() : RandomQuery(rng, depth - 1));
    }
    return Xapian::Query(op, subs.begin(), subs.end());
  }

  static constexpr int kDocs = 6000;
  inkdex::testing::TempDir dir_;
  Xapian::Database db_;
};

TEST_F(PostingMatchTest, TermsAndSynonymsWeighAsXapianDoes) {
  for (int w = 0; w < kWords + 1; ++w) ExpectSame(Xapian::Query(Word(w)), nullptr);
  // A synonym of every word reads most of the database (the per-thread
  // array); one of two rare words does not (sorted pairs).
  std::vector<Xapian::Query> all, rare;
  for (int w = 0; w < kWords; ++w) all.emplace_back(Word(w));
  rare = {Xapian::Query(Word(kWords - 1)), Xapian::Query("Z" + Word(kWords - 2))};
  ExpectSame(Xapian::Query(Xapian::Query::OP_SYNONYM, all.begin(), all.end()), nullptr);
  ExpectSame(Xapian::Query(Xapian::Query::OP_SYNONYM, rare.begin(), rare.end()), nullptr);
}

TEST_F(PostingMatchTest, RandomQueriesMatchAndWeighAsXapianDoes) {
  std::mt19937 rng(11);
  for (int i = 0; i < 400; ++i) {
    const Xapian::Query q = RandomQuery(rng, 3);
    ExpectSame(q, nullptr);
    // Among a few slots (reached by skipping) and among many (read through).
    for (unsigned every : {97u, 3u}) {
      std::vector<uint32_t> within;
      for (uint32_t s = 1 + rng() % every; s <= kDocs + 5; s += 1 + rng() % every) {
        within.push_back(s);
      }
      ExpectSame(q, &within);
    }
    if (HasFatalFailure()) return;
  }
}

TEST_F(PostingMatchTest, TextsAsParsedAreMatchedHereAndAsXapianDoes) {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  for (const char* text : {"w", "wb", "wb w", "wc wd", "\"wb wc\"", "wb-wc", "we -wb", "+wf wg",
                           "the", "wb the", "irezumi w", "wd blackwork", "wl wc wa w", "wx wy"}) {
    absl::StatusOr<Xapian::Query> q = ParseText(db_, text, *taxonomy);
    ASSERT_TRUE(q.ok()) << q.status();
    if (q->empty()) continue;
    SCOPED_TRACE(text);
    ExpectSame(*q, nullptr);
  }
}

TEST_F(PostingMatchTest, OtherQueriesAreLeftToXapian) {
  EXPECT_FALSE(CanMatchByPostings(db_, Xapian::Query::MatchAll));
  EXPECT_FALSE(CanMatchByPostings(
      db_, Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("w1"), Xapian::Query::MatchAll)));
  EXPECT_FALSE(CanMatchByPostings(db_, Xapian::Query(Xapian::Query::OP_VALUE_GE, 1, "a")));
  EXPECT_FALSE(CanMatchByPostings(db_, Xapian::Query(2.0, Xapian::Query("w1"))));
  EXPECT_FALSE(CanMatchByPostings(
      db_, Xapian::Query(Xapian::Query::OP_XOR, Xapian::Query("w1"), Xapian::Query("w2"))));
  const Xapian::Query nested(
      Xapian::Query::OP_SYNONYM,
      Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("w1"), Xapian::Query("w2")),
      Xapian::Query("w3"));
  EXPECT_FALSE(CanMatchByPostings(db_, nested));
  // Xapian caps a synonym's summed wdf at the document's length, which only
  // a term named twice can reach.
  const Xapian::Query twice(Xapian::Query::OP_SYNONYM, Xapian::Query("wq"), Xapian::Query("wq"));
  EXPECT_FALSE(CanMatchByPostings(db_, twice));

  // A phrase needs positions where the database has them.
  Xapian::WritableDatabase positional(dir_.path() + "/pos",
                                      Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
  Xapian::Document doc;
  doc.add_posting("w1", 1);
  doc.add_posting("w2", 2);
  positional.add_document(doc);
  positional.commit();
  const Xapian::Query phrase(Xapian::Query::OP_PHRASE, Xapian::Query("w1"), Xapian::Query("w2"));
  EXPECT_FALSE(CanMatchByPostings(Xapian::Database(dir_.path() + "/pos"), phrase));
  EXPECT_TRUE(CanMatchByPostings(db_, phrase));
}

TEST_F(PostingMatchTest, StopsWhenToldAndLeavesNothingBehind) {
  std::vector<Xapian::Query> all;
  for (int w = 0; w < kWords; ++w) all.emplace_back(Word(w));
  const Xapian::Query q(Xapian::Query::OP_SYNONYM, all.begin(), all.end());
  int polls = 0;
  const std::function<bool()> stop = [&polls] { return ++polls == 2; };
  absl::StatusOr<std::vector<engine::SlotWeight>> stopped = MatchByPostings(db_, q, nullptr, stop);
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(polls, 2);
  // The per-thread array the stopped match was summing into is clean again:
  // the next match weighs as Xapian does.
  ExpectSame(q, nullptr);
  // Polled about every thousand postings while it runs to its end.
  polls = 0;
  const std::function<bool()> never = [&polls] { return ++polls < 0; };
  ASSERT_TRUE(MatchByPostings(db_, q, nullptr, never).ok());
  uint64_t postings = 0;
  for (const Xapian::Query& t : all) postings += db_.get_termfreq(*t.get_terms_begin());
  EXPECT_EQ(polls, static_cast<int>(postings / 1024));
}

TEST_F(PostingMatchTest, AnEmptyDatabaseMatchesNothing) {
  Xapian::WritableDatabase(dir_.path() + "/empty",
                           Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS)
      .commit();
  const Xapian::Database empty(dir_.path() + "/empty");
  const Xapian::Query q(
      Xapian::Query::OP_AND, Xapian::Query("wa"),
      Xapian::Query(Xapian::Query::OP_OR, Xapian::Query("wb"), Xapian::Query("wc")));
  ASSERT_TRUE(CanMatchByPostings(empty, q));
  absl::StatusOr<std::vector<engine::SlotWeight>> got = MatchByPostings(empty, q, nullptr, {});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(EstimateByPostings(empty, q), 0u);
}

TEST_F(PostingMatchTest, AnEmptyRestrictionMatchesNothing) {
  const std::vector<uint32_t> none;
  absl::StatusOr<std::vector<engine::SlotWeight>> got =
      MatchByPostings(db_, Xapian::Query("w0"), &none, {});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_F(PostingMatchTest, EstimatesAsXapianDoes) {
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) {
    const Xapian::Query q = RandomQuery(rng, 2);
    Xapian::Enquire enquire(db_);
    enquire.set_query(q);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    const Xapian::MSet mset = enquire.get_mset(0, 0);
    const double xapian = mset.get_matches_estimated();
    const double ours = static_cast<double>(EstimateByPostings(db_, q));
    EXPECT_LE(ours, db_.get_doccount());
    // Within the bounds Xapian knows, and near its estimate, which it rounds
    // to a round number between those bounds (1,433 is "1000").
    EXPECT_GE(ours, mset.get_matches_lower_bound()) << q.get_description();
    EXPECT_LE(ours, mset.get_matches_upper_bound()) << q.get_description();
    EXPECT_LE(ours, 2 * xapian + 8) << q.get_description();
    EXPECT_GE(2 * ours + 8, xapian) << q.get_description();
  }
  EXPECT_EQ(EstimateByPostings(db_, Xapian::Query(Word(0))), db_.get_termfreq(Word(0)));
}

TEST_F(PostingMatchTest, FrequenciesReadByTheWalkAreTheDatabasesAndOnlySteerTheWork) {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  TermFreqs walked;
  absl::StatusOr<Xapian::Query> q = ParseText(db_, "wb w", *taxonomy, true, &walked);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_GT(walked.size(), 10u);  // "w" expands to every word, and its Z terms
  for (const auto& [term, freq] : walked) EXPECT_EQ(freq, db_.get_termfreq(term)) << term;
  // Frequencies only order the work and choose how a synonym is summed: wrong
  // ones (every term absent, or in every document) match the same.
  const Weights want = Xapians(*q, nullptr);
  for (Xapian::doccount lie : {0u, 1000000u}) {
    TermFreqs wrong;
    for (const auto& [term, freq] : walked) wrong[term] = lie;
    absl::StatusOr<std::vector<engine::SlotWeight>> got =
        MatchByPostings(db_, *q, nullptr, {}, &wrong);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), want.size()) << lie;
    for (const engine::SlotWeight& m : *got) {
      ASSERT_TRUE(want.contains(m.slot));
      EXPECT_NEAR(m.weight, want.at(m.slot), 1e-12 * std::max(1.0, m.weight));
    }
  }
}

}  // namespace
}  // namespace inkdex::text
