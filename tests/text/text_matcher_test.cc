#include "text/text_matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "index/test_util.h"
#include "inkdex/taxonomy.h"

namespace inkdex::text {
namespace {

// A glass database of documents holding words as the document builder
// indexes them: the word, and its stem with the Z prefix. Enough documents
// that the long posting lists span several chunks.
class TextQueryMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
    ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
    taxonomy_ = *std::move(taxonomy);
    Xapian::WritableDatabase db(dir_.path() + "/db",
                                Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
    const Xapian::Stem stem("english");
    for (int d = 1; d <= kDocs; ++d) {
      Xapian::Document doc;
      auto add = [&](const std::string& word, int wdf) {
        doc.add_term(word, wdf);
        doc.add_term("Z" + stem(word), wdf);
      };
      add("tattoo", 1 + d % 4);
      if (d % 2 == 0) add("dragon", 1 + d % 3);
      if (d % 3 == 0) add("dragons", 1);
      if (d % 5 == 0) add("drawing", 2);
      if (d % 7 == 0) add("rose", 1);
      db.add_document(doc);
    }
    db.commit();
    db_ = Xapian::Database(dir_.path() + "/db");
  }

  // The matches of `text` as Xapian's own MSet lists them, with the weights
  // TextQuery::Match gives: the independent answer.
  std::map<uint32_t, double> XapianMatches(const std::string& text,
                                           const std::vector<uint32_t>* restrict_to) {
    absl::StatusOr<Xapian::Query> query = ParseText(db_, text, taxonomy_);
    EXPECT_TRUE(query.ok()) << query.status();
    Xapian::Enquire enquire(db_);
    enquire.set_query(*query);
    enquire.set_weighting_scheme(Xapian::TfIdfWeight("lnn"));
    std::map<uint32_t, double> out;
    const Xapian::MSet mset = enquire.get_mset(0, db_.get_doccount());
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      if (restrict_to == nullptr ||
          std::binary_search(restrict_to->begin(), restrict_to->end(), *it)) {
        out[*it] = it.get_weight();
      }
    }
    return out;
  }

  static constexpr int kDocs = 3000;
  testing::TempDir dir_;
  Xapian::Database db_;
  StyleTaxonomy taxonomy_;
};

// Every match once, ascending by slot, each with Xapian's weight.
void ExpectSameMatches(const engine::TextMatches& got, const std::map<uint32_t, double>& want) {
  ASSERT_EQ(got.weights.size(), want.size());
  auto it = want.begin();
  for (const engine::SlotWeight& w : got.weights) {
    EXPECT_EQ(w.slot, it->first);
    EXPECT_DOUBLE_EQ(w.weight, it->second) << "slot " << w.slot;
    EXPECT_GT(w.weight, 0) << "slot " << w.slot;
    ++it;
  }
}

TEST_F(TextQueryMatchTest, ListsEveryMatchInSlotOrderWithXapiansWeights) {
  for (const std::string text : {"dragon", "tattoo", "dragon rose", "dr", "t", "tattoo dra"}) {
    SCOPED_TRACE(text);
    TextQuery query(db_, text, taxonomy_);
    absl::StatusOr<engine::TextMatches> got = query.Match(nullptr);
    ASSERT_TRUE(got.ok()) << got.status();
    const std::map<uint32_t, double> want = XapianMatches(text, nullptr);
    ASSERT_FALSE(want.empty());
    ExpectSameMatches(*got, want);
  }
}

TEST_F(TextQueryMatchTest, RestrictedToSlotsListsOnlyThose) {
  std::vector<uint32_t> slots;
  for (uint32_t s = 5; s <= kDocs; s += 11) slots.push_back(s);
  TextQuery query(db_, "dragon", taxonomy_);
  absl::StatusOr<engine::TextMatches> got = query.Match(&slots);
  ASSERT_TRUE(got.ok()) << got.status();
  const std::map<uint32_t, double> want = XapianMatches("dragon", &slots);
  ASSERT_FALSE(want.empty());
  ExpectSameMatches(*got, want);
}

TEST_F(TextQueryMatchTest, FindGivesAMatchsWeightAndNothingForOthers) {
  TextQuery query(db_, "rose", taxonomy_);
  absl::StatusOr<engine::TextMatches> got = query.Match(nullptr);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->weights.size(), static_cast<size_t>(kDocs / 7));
  for (uint32_t slot = 1; slot <= kDocs + 1; ++slot) {
    const double* w = got->Find(slot);
    if (slot % 7 == 0 && slot <= kDocs) {
      ASSERT_NE(w, nullptr) << slot;
      EXPECT_GT(*w, 0);
    } else {
      EXPECT_EQ(w, nullptr) << slot;
    }
  }
  EXPECT_EQ(got->Find(0), nullptr);
}

TEST_F(TextQueryMatchTest, StoppedMatchIsCancelled) {
  TextQuery query(db_, "tattoo", taxonomy_);
  absl::StatusOr<engine::TextMatches> got = query.Match(nullptr, [] { return true; });
  EXPECT_EQ(got.status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace inkdex::text
