// The search index skips re-writing an artist's Xapian document when its
// content hash is unchanged: the hash must change with every indexed field
// and only with those, and the index must stay right across skipped and
// real updates.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "text/document_builder.h"
#include "xapian.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;

using testing::kLeedsLat;
using testing::kLeedsLon;

// Everything a Xapian document holds, in order: data, terms with wdf and
// positions, values.
std::string Dump(const Xapian::Document& doc) {
  std::string out = doc.get_data() + "|";
  for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    out += *t + ":" + std::to_string(t.get_wdf());
    for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
      out += "," + std::to_string(*p);
    }
    out += ";";
  }
  for (Xapian::ValueIterator v = doc.values_begin(); v != doc.values_end(); ++v) {
    out += std::to_string(v.get_valueno()) + "=" + *v + ";";
  }
  return out;
}

// An artist with every field set.
Artist Full() {
  Artist a = MakeArtist("a1", "Rose Needle", kLeedsLat, kLeedsLon, {"blackwork", "fineline"});
  a.set_instagram_handle("roseneedle");
  a.set_biography("Delicate botanical sleeves and the odd dragon");
  a.add_specialties("roses");
  a.mutable_location()->set_display("Headingley, Leeds, UK");
  a.mutable_location()->set_city("Leeds");
  a.mutable_location()->set_country("GB");
  a.mutable_studio()->set_id("s1");
  a.mutable_studio()->set_name("Quill Ink");
  a.mutable_studio()->set_address("1 Lane");
  a.mutable_studio()->set_postcode("LS6");
  GuestSpot* g = a.add_guest_spots();
  g->mutable_location()->set_latitude(51.5);
  g->mutable_location()->set_longitude(-0.1);
  g->mutable_location()->set_display("Shoreditch");
  g->mutable_location()->set_city("London");
  g->mutable_location()->set_country("GB");
  g->set_from("2026-12-01");
  g->set_to("2026-12-05");
  a.set_rating(4.5);
  a.set_review_count(12);
  a.mutable_pricing()->set_hourly_rate(100);
  a.mutable_availability()->set_booking_open(true);
  a.set_years_active(7);
  a.set_portfolio_image_count(3);
  a.set_updated_at("2026-11-01T10:00:00Z");
  a.set_created_at("2020-01-01T10:00:00Z");
  a.add_unknown_styles("chicano-ish");
  a.set_version(4);
  return a;
}

TEST(ContentHashTest, TheProjectionBuildsTheSameDocument) {
  // If DocumentBuilder starts reading a field TextProjection leaves out, the
  // documents differ here: ContentHash would then miss changes of it.
  auto tax = StyleTaxonomy::Default();
  text::DocumentBuilder builder(*tax);
  const Artist a = Full();
  EXPECT_EQ(Dump(builder.Build(text::TextProjection(a))), Dump(builder.Build(a)));
}

TEST(ContentHashTest, ChangesWithIndexedTextOnly) {
  const Artist a = Full();
  const uint64_t base = text::ContentHash(a);
  EXPECT_NE(base, 0u);
  EXPECT_EQ(text::ContentHash(Full()), base) << "stable";

  Artist same_text = a;
  same_text.set_rating(4.9);
  same_text.set_review_count(300);
  same_text.mutable_availability()->set_booking_open(false);
  same_text.mutable_pricing()->set_hourly_rate(120);
  same_text.set_version(99);
  same_text.set_stream_sequence("12345");
  same_text.mutable_location()->set_latitude(kLeedsLat + 0.01);
  EXPECT_EQ(text::ContentHash(same_text), base)
      << "ratings, prices, availability, coordinates and versions are not indexed text";

  std::vector<Artist> changed(8, a);
  changed[0].set_name("Rose Needles");
  changed[1].set_biography("Delicate botanical sleeve");
  changed[2].add_styles("realism");
  changed[3].mutable_location()->set_city("York");
  changed[4].mutable_studio()->set_name("Quill & Ink");
  changed[5].add_specialties("koi");
  changed[6].mutable_guest_spots(0)->mutable_location()->set_display("Hackney");
  changed[7].set_instagram_handle("rose.needle");
  for (const Artist& c : changed) {
    EXPECT_NE(text::ContentHash(c), base) << c.ShortDebugString();
  }
}

TEST(ContentHashTest, SkippedAndRealUpdatesKeepTheIndexRight) {
  TempDir dir;
  auto opened = Index::Open(dir.path());
  ASSERT_TRUE(opened.ok()) << opened.status();
  Index& index = **opened;
  auto put = [&](Artist a) {
    WriteBatch b;
    b.Upsert(std::move(a));
    auto r = index.Apply(b);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ((*r)[0].outcome, ChangeResult::Outcome::kApplied) << (*r)[0].reason;
  };
  auto ids_for = [&](const std::string& text, double min_rating = 0) {
    SearchRequest q;
    q.point = GeoPoint{kLeedsLat, kLeedsLon};
    q.radius_km = 5;
    q.text = text;
    if (min_rating > 0) q.min_rating = min_rating;
    auto r = index.Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const SearchHit& h : r->hits) ids.push_back(h.id);
    }
    return ids;
  };
  Artist a = MakeArtist("a1", "Zephyr Quill", kLeedsLat, kLeedsLon, {"blackwork"}, 1);
  a.set_rating(3.0);
  a.set_review_count(10);  // min_rating counts reviewed artists only
  put(a);
  EXPECT_THAT(ids_for("zephyr"), ::testing::ElementsAre("a1"));
  EXPECT_THAT(ids_for("", 2.5), ::testing::ElementsAre("a1"));
  a.set_version(2);
  a.set_rating(4.8);  // no text change: the Xapian document is kept
  put(a);
  EXPECT_THAT(ids_for("", 4.5), ::testing::ElementsAre("a1"));
  EXPECT_THAT(ids_for("zephyr"), ::testing::ElementsAre("a1"));
  EXPECT_THAT(ids_for("zephyr", 4.5), ::testing::ElementsAre("a1"));
  a.set_version(3);
  a.set_name("Marlow Quill");  // text change: re-indexed
  put(a);
  EXPECT_TRUE(ids_for("zephyr").empty());
  EXPECT_THAT(ids_for("marlow"), ::testing::ElementsAre("a1"));
  a.set_version(4);
  a.set_opted_out(true);  // hidden: its document leaves the search index
  put(a);
  EXPECT_TRUE(ids_for("marlow").empty());
  a.set_version(5);
  a.set_opted_out(false);  // back with the same text: indexed again
  put(a);
  EXPECT_THAT(ids_for("marlow"), ::testing::ElementsAre("a1"));
  auto report = index.Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
}

}  // namespace
}  // namespace inkdex
