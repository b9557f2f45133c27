// Suggest's keys beyond ASCII: a prefix finds names whatever its case and
// accents ("łuk", "Łuk" and "luk" find "Łukasz"), globally and near a
// point, and the name is shown as written.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::Contains;
using ::testing::Not;

constexpr double kWarsawLat = 52.2297, kWarsawLon = 21.0122;  // Warsaw

class SuggestFoldTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    testing::IndexDirTest::SetUp();
    WriteBatch batch;
    Artist a = MakeArtist("a1", "Łukasz Nowak", kWarsawLat, kWarsawLon, {"blackwork"});
    a.mutable_studio()->set_name("Élodie Ink");
    a.mutable_location()->set_city("Łódź");
    batch.Upsert(a);
    ASSERT_TRUE(index_->Apply(batch).ok());
  }

  std::vector<std::string> Texts(const std::string& prefix, bool near) {
    SuggestRequest q;
    q.prefix = prefix;
    q.limit = 10;
    if (near) q.near = GeoPoint{kWarsawLat, kWarsawLon};
    absl::StatusOr<std::vector<Suggestion>> r = index_->Suggest(q);
    EXPECT_TRUE(r.ok()) << prefix << ": " << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const Suggestion& s : *r) out.push_back(s.text);
    }
    return out;
  }
};

TEST_F(SuggestFoldTest, PrefixesFoldCaseAndAccents) {
  for (const bool near : {false, true}) {
    for (const char* prefix : {"Łuk", "łuk", "luk", "LUK", "łukasz now"}) {
      EXPECT_THAT(Texts(prefix, near), Contains("Łukasz Nowak")) << prefix << " near " << near;
    }
    for (const char* prefix : {"ÉLO", "élo", "elo", "Elodie i"}) {
      EXPECT_THAT(Texts(prefix, near), Contains("Élodie Ink")) << prefix << " near " << near;
    }
    for (const char* prefix : {"Łódź", "lodz", "ŁÓD"}) {
      EXPECT_THAT(Texts(prefix, near), Contains("Łódź, GB")) << prefix << " near " << near;
    }
    EXPECT_THAT(Texts("lux", near), Not(Contains("Łukasz Nowak")));
  }
}

TEST_F(SuggestFoldTest, NearbyNamesMatchAtAnyWordFolded) {
  // Near a point a later word of a name counts too: its filter bits and the
  // word check read the folded name.
  EXPECT_THAT(Texts("nowak", true), Contains("Łukasz Nowak"));
  EXPECT_THAT(Texts("ink", true), Contains("Élodie Ink"));
  EXPECT_THAT(Texts("łuk", true), Contains("Łukasz Nowak"));
}

// Near a point, a name whose words all begin with ASCII letters is folded
// only when one of them begins with the prefix's first letter (the accents
// further in still count); one that cannot match is skipped unfolded.
TEST_F(SuggestFoldTest, NearbyNamesWithAccentsAfterAnAsciiLetterMatchFolded) {
  WriteBatch batch;
  Artist a = MakeArtist("a2", "Zoë\tMüller", kWarsawLat, kWarsawLon, {"blackwork"});
  a.mutable_studio()->set_name("Ink & Café");
  batch.Upsert(a);
  ASSERT_TRUE(index_->Apply(batch).ok());
  for (const char* prefix : {"mull", "MÜL", "zoe", "zoë mü"}) {
    EXPECT_THAT(Texts(prefix, true), Contains("Zoë\tMüller")) << prefix;
  }
  EXPECT_THAT(Texts("cafe", true), Contains("Ink & Café"));
  for (const char* prefix : {"ull", "oe", "afe"}) {
    EXPECT_THAT(Texts(prefix, true), Not(Contains("Zoë\tMüller"))) << prefix;
    EXPECT_THAT(Texts(prefix, true), Not(Contains("Ink & Café"))) << prefix;
  }
}

}  // namespace
}  // namespace inkdex
