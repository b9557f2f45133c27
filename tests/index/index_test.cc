#include "inkdex/index.h"

#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

using testing::kLeedsLat;
using testing::kLeedsLon;

// A guest spot of `a` in Leeds (offset by dlat, dlon degrees) from `from` to
// `to` (YYYY-MM-DD).
GuestSpot* AddLeedsGuestSpot(Artist& a, const std::string& from, const std::string& to,
                             double dlat = 0, double dlon = 0) {
  GuestSpot* g = a.add_guest_spots();
  g->mutable_location()->set_latitude(kLeedsLat + dlat);
  g->mutable_location()->set_longitude(kLeedsLon + dlon);
  g->mutable_location()->set_display("Leeds guest spot");
  g->set_from(from);
  g->set_to(to);
  return g;
}

class IndexTest : public testing::IndexDirTest {
 protected:
  std::vector<ChangeResult> Apply(const WriteBatch& b) {
    auto r = index_->Apply(b);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<ChangeResult>{};
  }
  void Put(Artist a) {
    WriteBatch b;
    b.Upsert(std::move(a));
    Apply(b);
  }
  SearchResponse Search(const SearchRequest& q) {
    auto r = index_->Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : SearchResponse{};
  }
  SearchRequest Near(double km) {
    SearchRequest q;
    q.point = GeoPoint{kLeedsLat, kLeedsLon};
    q.radius_km = km;
    return q;
  }
};

// A hit's rating is absent when the artist is unrated, even with reviews:
// the rating facet and min_rating count it unrated, so must the hit.
TEST_F(IndexTest, AHitIsUnratedExactlyWhenTheFacetsSaySo) {
  const auto with = [](const std::string& id, std::optional<double> rating, uint32_t reviews) {
    Artist a = MakeArtist(id, id, kLeedsLat, kLeedsLon, {"fineline"});
    if (rating) a.set_rating(*rating);
    a.set_review_count(reviews);
    return a;
  };
  WriteBatch b;
  b.Upsert(with("reviews-no-rating", std::nullopt, 10));
  b.Upsert(with("new-profile", 0.0, 0));  // what a new profile carries: unrated
  b.Upsert(with("rated-zero", 0.0, 4));   // reviewed, and rated 0
  b.Upsert(with("rated", 4.5, 0));        // a rating without its count
  Apply(b);
  SearchResponse r = Search(Near(5));
  std::map<std::string, std::optional<double>> rating;
  for (const SearchHit& h : r.hits) rating[h.id] = h.rating;
  EXPECT_EQ(rating["reviews-no-rating"], std::nullopt);
  EXPECT_EQ(rating["new-profile"], std::nullopt);
  EXPECT_EQ(rating["rated-zero"], 0.0);
  EXPECT_EQ(rating["rated"], 4.5);
  int64_t unrated = -1;
  for (const FacetValue& band : r.facets.rating_bands) {
    if (band.value == "unrated") unrated = band.count;
  }
  EXPECT_EQ(unrated, 2);
}

TEST_F(IndexTest, RadiusFindsArtistsWithinAndReportsDistance) {
  WriteBatch b;
  b.Upsert(MakeArtist("a1", "Near One", kLeedsLat + 0.01, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("a2", "Far Two", kLeedsLat + 1.0, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("a3", "Near Three", kLeedsLat, kLeedsLon + 0.02, {"japanese"}));
  Apply(b);
  SearchResponse r = Search(Near(5));
  EXPECT_EQ(r.total, 2);
  EXPECT_THAT(HitIds(r), UnorderedElementsAre("a1", "a3"));
  for (const SearchHit& h : r.hits) {
    if (h.id == "a1") {
      EXPECT_NEAR(h.distance_km, 1.112, 0.01);
    }
  }
}

TEST_F(IndexTest, StylesAnyAllAndAliases) {
  WriteBatch b;
  b.Upsert(MakeArtist("a1", "A", kLeedsLat, kLeedsLon, {"fineline", "japanese"}));
  b.Upsert(MakeArtist("a2", "B", kLeedsLat, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("a3", "C", kLeedsLat, kLeedsLon, {"neo-traditional"}));
  Apply(b);
  SearchRequest q = Near(5);
  q.styles = {"Fine Line", "irezumi"};
  EXPECT_EQ(Search(q).total, 2);
  q.style_match = StyleMatch::kAll;
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.styles = {"Neotraditional"};
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a3"));
  q.styles = {"dragonz"};
  auto bad = index_->Search(q);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("styles[0]"));
}

// Styles given by code are stored as canonical ids, each once, in the order
// given (the first is often the artist's main style); unknowns are kept.
TEST_F(IndexTest, StoredStylesAreCanonicalInTheOrderGiven) {
  WriteBatch b;
  b.Upsert(MakeArtist("a1", "A", kLeedsLat, kLeedsLon,
                      {"Watercolor", "irezumi", "fine line", "watercolour", "dragonz"}));
  Apply(b);
  absl::StatusOr<Artist> a = index_->Get("a1");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->styles(), ElementsAre("watercolour", "japanese", "fineline"));
  EXPECT_THAT(a->unknown_styles(), ElementsAre("dragonz"));
}

TEST_F(IndexTest, VersionsOnlyGrow) {
  Put(MakeArtist("a1", "Version Five", kLeedsLat, kLeedsLon, {"fineline"}, 5));
  WriteBatch older;
  older.Upsert(MakeArtist("a1", "Version Three", kLeedsLat, kLeedsLon, {"fineline"}, 3));
  auto res = Apply(older);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].outcome, ChangeResult::Outcome::kStale);
  EXPECT_EQ(index_->Get("a1")->name(), "Version Five");

  WriteBatch same;  // applying the same change twice is harmless
  same.Upsert(MakeArtist("a1", "Version Five", kLeedsLat, kLeedsLon, {"fineline"}, 5));
  EXPECT_EQ(Apply(same)[0].outcome, ChangeResult::Outcome::kStale);

  WriteBatch del;
  del.Delete("a1", 6);
  EXPECT_EQ(Apply(del)[0].outcome, ChangeResult::Outcome::kApplied);
  EXPECT_EQ(Search(Near(5)).total, 0);
  EXPECT_EQ(index_->Get("a1").status().code(), absl::StatusCode::kNotFound);

  WriteBatch resurrect;  // an older upsert after a newer delete stays dead
  resurrect.Upsert(MakeArtist("a1", "Zombie", kLeedsLat, kLeedsLon, {"fineline"}, 4));
  EXPECT_EQ(Apply(resurrect)[0].outcome, ChangeResult::Outcome::kStale);
  Reopen();
  EXPECT_EQ(Search(Near(5)).total, 0);
  EXPECT_EQ(index_->Stats().documents, 0u);
  EXPECT_EQ(index_->Stats().tombstones, 1u);
  WriteBatch newer;
  newer.Upsert(MakeArtist("a1", "Back", kLeedsLat, kLeedsLon, {"fineline"}, 7));
  EXPECT_EQ(Apply(newer)[0].outcome, ChangeResult::Outcome::kApplied);
  EXPECT_EQ(Search(Near(5)).total, 1);
  const IndexStats stats = index_->Stats();
  EXPECT_EQ(stats.documents, 1u);
  EXPECT_EQ(stats.tombstones, 0u);
  EXPECT_EQ(stats.searchable, 1u);
}

TEST_F(IndexTest, SurvivesReopenAndVerifies) {
  WriteBatch b;
  for (int i = 0; i < 50; ++i) {
    b.Upsert(MakeArtist("a" + std::to_string(i), "Artist " + std::to_string(i),
                        kLeedsLat + i * 0.001, kLeedsLon, {"blackwork"}));
  }
  Apply(b);
  Reopen();
  EXPECT_EQ(Search(Near(50)).total, 50);
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->documents_checked, 50u);
  EXPECT_EQ(report->searchable_checked, 50u);
  EXPECT_EQ(report->tombstones_checked, 0u);
  // A delete leaves a tombstone, an opt-out a hidden document: each counted
  // as IndexStats counts it.
  WriteBatch changes;
  changes.Delete("a0", 100);
  Artist hidden = MakeArtist("a1", "Artist 1", kLeedsLat, kLeedsLon, {"blackwork"});
  hidden.set_opted_out(true);
  hidden.set_version(100);
  changes.Upsert(hidden);
  Apply(changes);
  report = index_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems.front();
  const IndexStats stats = index_->Stats();
  EXPECT_EQ(report->documents_checked, stats.documents + stats.tombstones);
  EXPECT_EQ(report->tombstones_checked, 1u);
  EXPECT_EQ(report->searchable_checked, stats.searchable);
  EXPECT_EQ(stats.searchable, 48u);
}

TEST_F(IndexTest, MemoryCountsInternedStringsUntilReopen) {
  auto rewrite = [&](int version, bool new_studio) {
    WriteBatch b;
    for (int i = 0; i < 200; ++i) {
      Artist a = MakeArtist("a" + std::to_string(i), "Artist", kLeedsLat + i * 0.001, kLeedsLon,
                            {"blackwork"});
      a.set_version(version);
      a.mutable_studio()->set_name(new_studio ? absl::StrCat("Studio ", version, "-", i)
                                              : "The Same Studio");
      b.Upsert(a);
    }
    Apply(b);
    return index_->Stats().memory_bytes;
  };
  const uint64_t first = rewrite(1, false);
  // The same strings again: nothing more is held.
  EXPECT_EQ(rewrite(2, false), first);
  // 200 studio names no artist had: still held (each at least a string's
  // size) after the next rewrite leaves them unused...
  rewrite(3, true);
  const uint64_t unused_held = rewrite(4, false);
  EXPECT_GE(static_cast<int64_t>(unused_held) - static_cast<int64_t>(first),
            static_cast<int64_t>(200 * sizeof(std::string)));
  // ...until the index is reopened.
  Reopen();
  EXPECT_LE(index_->Stats().memory_bytes + 200 * sizeof(std::string), unused_held);
}

TEST_F(IndexTest, UnusedInternedStringsAreLetGoOnceThePoolHasDoubled) {
  // 100 artists rewritten 30 times, each time with a new studio and ten
  // guest spots in cities no artist had: ~3,300 new strings a round, most
  // of them unused after the next round. Past twice the strings in use plus
  // the slack (IndexImpl::kReinternSlack, 65,536) the index re-interns its
  // rows into a fresh pool and the unused strings go.
  auto round = [&](int r) {
    WriteBatch b;
    for (int i = 0; i < 100; ++i) {
      Artist a = MakeArtist(absl::StrCat("a", i), absl::StrCat("Artist ", i), kLeedsLat + i * 0.001,
                            kLeedsLon, {"blackwork"});
      a.set_version(static_cast<uint64_t>(r) + 1);
      a.mutable_studio()->set_id(absl::StrCat("studio-", i % 7, "-", r));
      a.mutable_studio()->set_name(absl::StrCat("Studio ", i % 7, " round ", r));
      for (int g = 0; g < 10; ++g) {
        GuestSpot* spot = a.add_guest_spots();
        spot->set_from("2020-01-01");  // and on: active today
        Location* l = spot->mutable_location();
        l->set_latitude(51.5 + g * 0.01);
        l->set_longitude(-0.12);
        l->set_display(absl::StrCat("Guest ", i, "-", g, " round ", r));
        l->set_city(absl::StrCat("Town ", i, "-", g, " r", r));
        l->set_country("GB");
      }
      b.Upsert(a);
    }
    for (const ChangeResult& c : Apply(b)) {
      EXPECT_EQ(c.outcome, ChangeResult::Outcome::kApplied) << c.reason;
    }
    return index_->Stats().memory_bytes;
  };
  uint64_t peak = round(0), last = peak;
  SearchRequest paged = Near(5);
  paged.limit = 30;
  const SearchResponse first_page = Search(paged);
  ASSERT_FALSE(first_page.next_page_token.empty());
  int drops = 0;
  for (int r = 1; r < 30; ++r) {
    const uint64_t now = round(r);
    if (now + 1'000'000 < last) ++drops;  // a reintern frees the unused ones, megabytes
    peak = std::max(peak, now);
    last = now;
  }
  EXPECT_GE(drops, 1);
  EXPECT_LT(last, peak);

  // Everything reads as written last, through the fresh pool.
  SearchRequest london;
  london.point = GeoPoint{51.5, -0.12};
  london.radius_km = 1;
  london.text = "Studio";
  const SearchResponse guests = Search(london);
  EXPECT_EQ(guests.total, 100);
  for (const SearchHit& h : guests.hits) {
    EXPECT_TRUE(h.guest_spot);
    EXPECT_THAT(h.location, HasSubstr("round 29"));
    EXPECT_THAT(h.studio_name, HasSubstr("round 29"));
  }
  // A page begun before the pools changed goes on.
  paged.page_token = first_page.next_page_token;
  const SearchResponse second_page = Search(paged);
  std::set<std::string> seen;
  for (const auto* page : {&first_page, &second_page}) {
    for (const SearchHit& h : page->hits) EXPECT_TRUE(seen.insert(h.id).second) << h.id;
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), first_page.total);
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  Reopen();
  EXPECT_EQ(Search(london).total, 100);
}

TEST_F(IndexTest, VerifyStopsWhenCancelledAndWritesGoOnAfterIt) {
  WriteBatch b;
  for (int i = 0; i < 3000; ++i) {  // three runs of records between polls
    b.Upsert(MakeArtist("a" + std::to_string(i), "Artist " + std::to_string(i),
                        kLeedsLat + (i % 60) * 0.001, kLeedsLon, {"blackwork"}));
  }
  Apply(b);
  int polls = 0;
  VerifyOptions options;
  options.cancelled = [&polls] { return ++polls == 2; };
  absl::StatusOr<VerifyReport> report = index_->Verify(options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(report.status().message(), HasSubstr("verify: cancelled after 2048 documents"));
  EXPECT_EQ(polls, 2);

  Put(MakeArtist("late", "Late Artist", kLeedsLat, kLeedsLon, {"blackwork"}));
  options.cancelled = [&polls] { return ++polls < 0; };
  polls = 0;
  report = index_->Verify(options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->documents_checked, 3001u);
  EXPECT_EQ(report->commit_seq, 2u);
  EXPECT_EQ(report->commit_seq, index_->Stats().commit_seq);
  EXPECT_GE(polls, 3);
}

TEST_F(IndexTest, LongIdsAndNamesIndex) {
  // Ids up to 256 bytes and names past Xapian's 245-byte term limit.
  const std::string id(256, 'x');
  std::string name;
  for (int i = 0; i < 40; ++i) name += "Zoë Longname ";
  Artist a = MakeArtist(id, name, kLeedsLat, kLeedsLon, {"fineline"});
  a.mutable_studio()->set_name(name);
  Put(a);
  SearchResponse r = Search(Near(5));
  ASSERT_EQ(r.total, 1);
  EXPECT_EQ(r.hits[0].id, id);
  SuggestRequest q;
  q.prefix = "zoë long";
  auto s = index_->Suggest(q);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_FALSE(s->empty());
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

TEST_F(IndexTest, OptedOutAndInactiveAreNeverReturned) {
  Artist out = MakeArtist("out", "Opted Out", kLeedsLat, kLeedsLon, {"fineline"});
  out.set_opted_out(true);
  Artist inactive = MakeArtist("gone", "Inactive", kLeedsLat, kLeedsLon, {"fineline"});
  inactive.set_is_active(false);
  WriteBatch b;
  b.Upsert(out);
  b.Upsert(inactive);
  b.Upsert(MakeArtist("ok", "Visible", kLeedsLat, kLeedsLon, {"fineline"}));
  Apply(b);
  EXPECT_THAT(HitIds(Search(Near(5))), ElementsAre("ok"));
  SearchRequest text;
  text.text = "opted";
  EXPECT_EQ(Search(text).total, 0);
  EXPECT_EQ(index_->Get("out").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(index_->Get("out", /*include_hidden=*/true).ok());
}

// Text with nothing to search for (quotes, punctuation) is no text: it
// matches what the rest of the query matches, not nothing.
TEST_F(IndexTest, TextWithoutWordsIsNoText) {
  Put(MakeArtist("w1", "Word One", kLeedsLat, kLeedsLon, {"fineline"}));
  Put(MakeArtist("w2", "Word Two", kLeedsLat, kLeedsLon, {"fineline"}));
  for (const char* text : {"\"\"", "\" \"", "\"", " - ! ", "()", "—", "…", "¿?", "«»", "– · ‹›"}) {
    SearchRequest q = Near(5);
    q.text = text;
    EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("w1", "w2")) << text;
  }
  SuggestRequest blank;
  blank.prefix = "   ";
  auto r = index_->Suggest(blank);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("prefix: must contain a letter or digit"));
}

TEST_F(IndexTest, TextStemmingPhrasePrefixAndSpelling) {
  Artist a = MakeArtist("a1", "Sarah Mitchell", kLeedsLat, kLeedsLon, {"japanese"});
  a.set_biography("Bold dragons and koi in the Japanese tradition.");
  a.add_specialties("dragons");
  Artist b = MakeArtist("a2", "Tom Dragonetti", kLeedsLat, kLeedsLon, {"fineline"});
  b.set_biography("Delicate roses and script.");
  WriteBatch batch;
  batch.Upsert(a);
  batch.Upsert(b);
  Apply(batch);
  SearchRequest q;
  q.text = "dragon japanese";  // stem dragon~dragons, style word
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "\"bold dragons\"";  // a phrase in the biography
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "\"dragons bold\"";
  EXPECT_EQ(Search(q).total, 0);
  q.text = "\"koi in the\" japanese";
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "\"sarah mitchell\"";  // a phrase in the name
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "\"mitchell sarah\"";
  EXPECT_EQ(Search(q).total, 0);
  q.text = "irezumi koi";  // a style alias matches the style; "koi" the biography
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "the dragons";  // stopwords are not required
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "sar";  // last word as a prefix
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "delic";  // a prefix of a word only in a biography (stemmed terms)
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a2"));
  q.text = "scrip";
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a2"));
  q.text = "Rose";  // capitalized: still stemmed, matches "roses"
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a2"));
  q.text = "koi tradit";  // earlier words still required
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "roses tradit";
  EXPECT_EQ(Search(q).total, 0);
  q.text = "tradit";  // not a prefix elsewhere: only the last word expands
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("a1"));
  q.text = "japanise dragons";
  SearchResponse r = Search(q);
  EXPECT_EQ(r.spelling_suggestion, "japanese dragons");
  q.text = "japanese dragons";  // every word known: no suggestion
  EXPECT_EQ(Search(q).spelling_suggestion, "");
}

TEST_F(IndexTest, TextFirstAndGeoFirstPlansAgree) {
  // 3,000 artists in the region: a rare word is matched first and checked
  // against the region; a common one goes geo first. Both must be exact.
  WriteBatch b;
  for (int i = 0; i < 3000; ++i) {
    Artist a = MakeArtist("t" + std::to_string(10000 + i), "Artist", kLeedsLat + (i % 60) * 0.002,
                          kLeedsLon + (i / 60) * 0.002, {"blackwork"});
    a.set_biography(i % 600 == 0 ? "koi and waves tattoo" : "bold tattoo work");
    b.Upsert(a);
  }
  Artist far = MakeArtist("far", "Artist", 10, 10, {"blackwork"});
  far.set_biography("koi tattoo");
  b.Upsert(far);
  Apply(b);
  SearchRequest q = Near(30);
  q.text = "koi";
  SearchResponse rare = Search(q);
  EXPECT_EQ(rare.total, 5);
  for (const SearchHit& h : rare.hits) EXPECT_LE(h.distance_km, 30);
  q.text = "tattoo";
  EXPECT_EQ(Search(q).total, 3000);
  q.radius_km.reset();
  q.bbox = BoundingBox{kLeedsLat - 0.01, kLeedsLon - 0.01, kLeedsLat + 0.5, kLeedsLon + 0.5};
  q.text = "koi";
  EXPECT_EQ(Search(q).total, 5);
}

TEST_F(IndexTest, GuestSpotsInARegionSearchedByText) {
  // A common word in a large region goes geo first: Xapian sees the slots
  // located in the covering, where a guest spot counts only when it is
  // current and active on the query's date.
  WriteBatch b;
  for (int i = 0; i < 2500; ++i) {
    Artist a = MakeArtist("t" + std::to_string(10000 + i), "Artist", kLeedsLat + (i % 50) * 0.002,
                          kLeedsLon + (i / 50) * 0.002, {"blackwork"});
    a.set_biography("bold tattoo work");
    b.Upsert(a);
  }
  Artist guest = MakeArtist("guest", "Visitor", 51.5074, -0.1278, {"fineline"});  // London
  guest.set_biography("fine tattoo work");
  GuestSpot* g = AddLeedsGuestSpot(guest, "2026-12-01", "2026-12-05", 0.0111, 0.0113);
  b.Upsert(guest);
  Apply(b);
  SearchRequest q = Near(30);
  q.text = "tattoo";
  q.limit = 100;
  q.date = "2026-11-30";
  EXPECT_EQ(Search(q).total, 2500);
  q.date = "2026-12-02";
  q.sort = SortOrder::kDistance;
  q.point = GeoPoint{kLeedsLat + 0.0111, kLeedsLon + 0.0113};
  SearchResponse r = Search(q);
  EXPECT_EQ(r.total, 2501);
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].id, "guest");
  EXPECT_TRUE(r.hits[0].guest_spot);
  // The guest spot moved to Manchester: its Leeds entry is superseded.
  g->mutable_location()->set_latitude(53.4808);
  g->mutable_location()->set_longitude(-2.2426);
  guest.set_version(guest.version() + 1);
  Put(guest);
  EXPECT_EQ(Search(q).total, 2500);
  q.point = GeoPoint{53.4808, -2.2426};
  q.radius_km = 5;
  q.text = "fine tattoo";
  EXPECT_THAT(HitIds(Search(q)), ElementsAre("guest"));
}

TEST_F(IndexTest, GuestSpotsCountOnlyBetweenTheirDates) {
  Artist a = MakeArtist("g1", "Guest", 51.5074, -0.1278, {"fineline"});  // London
  AddLeedsGuestSpot(a, "2026-12-01", "2026-12-05");
  Put(a);
  SearchRequest q = Near(5);
  q.date = "2026-11-30";
  EXPECT_EQ(Search(q).total, 0);
  q.date = "2026-12-01";
  SearchResponse r = Search(q);
  ASSERT_EQ(r.total, 1);
  EXPECT_TRUE(r.hits[0].guest_spot);
  EXPECT_LT(r.hits[0].distance_km, 0.01);
  q.date = "2026-12-05";
  EXPECT_EQ(Search(q).total, 1);
  q.date = "2026-12-06";
  EXPECT_EQ(Search(q).total, 0);
}

TEST_F(IndexTest, GuestSpotDatesMoveWithoutTheSpotMoving) {
  // The cell index keeps each guest spot's days to skip inactive ones
  // without reading rows: new dates at the same place must reach it.
  Artist a = MakeArtist("g1", "Guest", 51.5074, -0.1278, {"fineline"});  // London
  a.set_biography("fine line flowers");
  GuestSpot* g = AddLeedsGuestSpot(a, "2026-12-01", "2026-12-05");
  Put(a);
  SearchRequest q = Near(5);
  q.date = "2026-12-03";
  EXPECT_EQ(Search(q).total, 1);
  g->set_from("2027-01-10");
  g->set_to("2027-01-12");
  a.set_version(a.version() + 1);
  Put(a);
  EXPECT_EQ(Search(q).total, 0);
  q.text = "flowers";
  EXPECT_EQ(Search(q).total, 0);
  q.date = "2027-01-11";
  EXPECT_EQ(Search(q).total, 1);
  q.text.clear();
  SearchResponse r = Search(q);
  ASSERT_EQ(r.total, 1);
  EXPECT_TRUE(r.hits[0].guest_spot);
}

TEST_F(IndexTest, ViewportCrossingTheAntimeridian) {
  WriteBatch b;
  b.Upsert(MakeArtist("fiji", "East", -17.7, 178.0, {"tribal"}));
  b.Upsert(MakeArtist("samoa", "West", -13.8, -172.0, {"tribal"}));
  b.Upsert(MakeArtist("sydney", "Far", -33.9, 151.2, {"tribal"}));
  Apply(b);
  SearchRequest q;
  q.bbox = BoundingBox{-20, 175, -10, -170};
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("fiji", "samoa"));
}

TEST_F(IndexTest, ViewportEndingAtTheAntimeridianHoldsBothSpellingsOfIt) {
  WriteBatch b;
  b.Upsert(MakeArtist("east", "East", -15, 180, {"tribal"}));
  b.Upsert(MakeArtist("west", "West", -16, -180, {"tribal"}));
  b.Upsert(MakeArtist("inside", "Inside", -17, 175, {"tribal"}));
  b.Upsert(MakeArtist("beyond", "Beyond", -17, -179, {"tribal"}));
  Apply(b);
  SearchRequest q;
  q.bbox = BoundingBox{-20, 170, -10, 180};
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("east", "west", "inside"));
  q.bbox = BoundingBox{-20, -180, -10, -170};
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("east", "west", "beyond"));
}

TEST_F(IndexTest, NearestFirstWithoutRadius) {
  WriteBatch b;
  b.Upsert(MakeArtist("n1", "A", kLeedsLat + 0.5, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("n2", "B", kLeedsLat + 0.1, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("n3", "C", -33.9, 151.2, {"fineline"}));
  Apply(b);
  SearchRequest q;
  q.point = GeoPoint{kLeedsLat, kLeedsLon};
  q.sort = SortOrder::kDistance;
  SearchResponse r = Search(q);
  EXPECT_EQ(r.total, 3);
  EXPECT_THAT(HitIds(r), ElementsAre("n2", "n1", "n3"));
  // Without facets or filters the total comes from the style counts and the
  // page from a widening radius: the same answer.
  q.facets = false;
  q.styles = {"fine line"};
  r = Search(q);
  EXPECT_EQ(r.total, 3);
  EXPECT_THAT(HitIds(r), ElementsAre("n2", "n1", "n3"));
  q.limit = 1;
  r = Search(q);
  EXPECT_THAT(HitIds(r), ElementsAre("n2"));
  q.page_token = r.next_page_token;
  r = Search(q);
  EXPECT_THAT(HitIds(r), ElementsAre("n1"));
  q.page_token.clear();
  q.styles = {"japanese"};
  EXPECT_EQ(Search(q).total, 0);
}

TEST_F(IndexTest, DisjunctiveStyleFacetsAndRings) {
  WriteBatch b;
  b.Upsert(MakeArtist("a1", "A", kLeedsLat, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("a2", "B", kLeedsLat + 0.03, kLeedsLon, {"japanese"}));
  b.Upsert(MakeArtist("a3", "C", kLeedsLat + 0.06, kLeedsLon, {"japanese", "blackwork"}));
  Apply(b);
  SearchRequest q = Near(10);
  q.styles = {"fineline"};
  SearchResponse r = Search(q);
  EXPECT_EQ(r.total, 1);
  std::map<std::string, int64_t> styles;
  for (const FacetValue& f : r.facets.styles) styles[f.value] = f.count;
  EXPECT_EQ(styles["fineline"], 1);
  EXPECT_EQ(styles["japanese"], 2);  // not zeroed by choosing fineline
  EXPECT_EQ(styles["blackwork"], 1);
  ASSERT_EQ(r.facets.distance_rings.size(), 6u);
  EXPECT_EQ(r.facets.distance_rings[0].count, 1);
}

TEST_F(IndexTest, PagingIsStableWhileTheIndexChanges) {
  WriteBatch b;
  for (int i = 0; i < 30; ++i) {
    b.Upsert(MakeArtist("p" + std::to_string(100 + i), "P", kLeedsLat + i * 0.001, kLeedsLon,
                        {"fineline"}));
  }
  Apply(b);
  SearchRequest q = Near(50);
  q.limit = 7;
  std::vector<std::string> seen;
  int page = 0;
  while (true) {
    SearchResponse r = Search(q);
    for (auto& id : HitIds(r)) seen.push_back(id);
    if (r.next_page_token.empty()) break;
    q.page_token = r.next_page_token;
    if (++page == 2) {  // change others underneath: new artists far down the ranking
      WriteBatch more;
      more.Upsert(MakeArtist("zz1", "New", kLeedsLat + 0.3, kLeedsLon, {"fineline"}));
      Apply(more);
    }
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an artist was repeated";
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(unique.contains("p" + std::to_string(100 + i)));
}

TEST_F(IndexTest, DiversityCapsArtistsPerStudioPerPageAndLosesNone) {
  WriteBatch b;
  for (int i = 0; i < 12; ++i) {
    Artist a = MakeArtist("d" + std::to_string(10 + i), "D", kLeedsLat + i * 0.0001, kLeedsLon,
                          {"fineline"});
    a.mutable_studio()->set_id(i < 8 ? "big" : "s" + std::to_string(i));
    b.Upsert(a);
  }
  Apply(b);
  SearchRequest q = Near(5);
  q.sort = SortOrder::kDistance;
  q.limit = 4;
  q.max_per_studio = 2;
  std::vector<std::string> seen;
  for (int guard = 0; guard < 10; ++guard) {
    SearchResponse r = Search(q);
    int big = 0;
    for (auto& h : r.hits) big += h.id < "d18";
    if (!r.next_page_token.empty()) {
      EXPECT_LE(big, 2);
    }
    for (auto& id : HitIds(r)) seen.push_back(id);
    if (r.next_page_token.empty()) break;
    q.page_token = r.next_page_token;
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), 12u);
  EXPECT_EQ(seen.size(), 12u);
}

// Pages through `q` to its end; the ids in order, and the longest token.
std::vector<std::string> PageThrough(Index& index, SearchRequest q, size_t* longest_token) {
  std::vector<std::string> seen;
  for (int guard = 0; guard < 1000; ++guard) {
    absl::StatusOr<SearchResponse> r = index.Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) break;
    for (const SearchHit& h : r->hits) seen.push_back(h.id);
    if (r->next_page_token.empty()) break;
    *longest_token = std::max(*longest_token, r->next_page_token.size());
    q.page_token = r->next_page_token;
  }
  return seen;
}

// Artists along a line north of Leeds, `studio(i)` the studio of the i-th.
void AddLine(Index& index, int n, const std::function<std::string(int)>& studio) {
  WriteBatch b;
  for (int i = 0; i < n; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "v%04d", i);
    Artist a = MakeArtist(id, "V", kLeedsLat + i * 0.00002, kLeedsLon, {"fineline"});
    a.mutable_studio()->set_id(studio(i));
    b.Upsert(a);
  }
  ASSERT_TRUE(index.Apply(b).ok());
}

// A token remembers the artists shown after its cursor (the first held
// back); once the held-back ones are shown and the cursor passes them, it
// forgets them. It used to carry every one to the end of the session, and
// so reached the 64 KB token limit at ~6,000 hits, before the paging limit.
TEST_F(IndexTest, DiversityTokensForgetTheArtistsTheCursorPassed) {
  // Runs of 5 artists of one studio, each followed by 45 of their own.
  AddLine(*index_, 1000, [](int i) { return i % 50 < 5 ? "big" : "own" + std::to_string(i); });
  SearchRequest q = Near(20);
  q.sort = SortOrder::kDistance;
  q.limit = 10;
  q.max_per_studio = 1;
  size_t longest_token = 0;
  std::vector<std::string> seen = PageThrough(*index_, q, &longest_token);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1000u);
  EXPECT_EQ(seen.size(), 1000u) << "an artist was repeated";
  // Its fixed part (~50 bytes) and 8 bytes per hash, in base64: a run's
  // held-back artists are shown within 5 pages, ~45 hashes at most.
  EXPECT_LT(longest_token, 800u);
}

// One studio behind a third of the matches: the held-back artists pile up
// behind the cursor. Past 2,000 remembered, a page holds none back, so the
// token stays bounded and the session reaches its end with none lost.
TEST_F(IndexTest, DiversityTokensStayBoundedWhenOneStudioDominates) {
  AddLine(*index_, 3000, [](int i) { return i % 3 == 0 ? "big" : "own" + std::to_string(i); });
  SearchRequest q = Near(20);
  q.sort = SortOrder::kDistance;
  q.limit = 100;
  q.max_per_studio = 1;
  absl::StatusOr<SearchResponse> first = index_->Search(q);
  ASSERT_TRUE(first.ok());
  int big = 0;
  for (const SearchHit& h : first->hits) big += (std::stoi(h.id.substr(1)) % 3 == 0);
  EXPECT_EQ(big, 1) << "the first page is diverse";
  size_t longest_token = 0;
  std::vector<std::string> seen = PageThrough(*index_, q, &longest_token);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 3000u);
  EXPECT_EQ(seen.size(), 3000u) << "an artist was repeated";
  EXPECT_GT(longest_token, 20000u) << "the session should have remembered ~2,000 artists";
  EXPECT_LT(longest_token, 32u * 1024);
}

// Rates in different currencies are never compared as numbers: a query in
// one currency takes the artists priced in it (or with no currency given).
TEST_F(IndexTest, PricesCompareOnlyWithinTheQueryCurrency) {
  const auto priced = [](const std::string& id, double rate, const std::string& currency) {
    Artist a = MakeArtist(id, id, kLeedsLat, kLeedsLon, {"fineline"});
    a.mutable_pricing()->set_hourly_rate(rate);
    a.mutable_pricing()->set_currency(currency);
    return a;
  };
  WriteBatch b;
  b.Upsert(priced("gbp80", 80, "GBP"));
  b.Upsert(priced("eur70", 70, "EUR"));
  b.Upsert(priced("none60", 60, ""));
  b.Upsert(priced("jpy9000", 9000, "JPY"));
  Apply(b);
  SearchRequest q = Near(5);
  q.max_hourly_rate = 100;
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("gbp80", "eur70", "none60"));
  q.currency = "GBP";
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("gbp80", "none60"));
  q.currency = "eur";  // case ignored
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("eur70", "none60"));
  q.currency = "JPY";
  q.max_hourly_rate = 10000;
  EXPECT_THAT(HitIds(Search(q)), UnorderedElementsAre("jpy9000", "none60"));

  SearchRequest sorted = Near(5);
  sorted.sort = SortOrder::kPriceDesc;
  sorted.currency = "GBP";
  SearchResponse r = Search(sorted);
  // Priced in GBP (or not said) first, by rate; the others as unpriced, by id.
  EXPECT_THAT(HitIds(r), ElementsAre("gbp80", "none60", "eur70", "jpy9000"));
  int64_t unknown_band = -1;
  for (const FacetValue& band : r.facets.hourly_rate_bands) {
    if (band.value == "unknown") unknown_band = band.count;
  }
  EXPECT_EQ(unknown_band, 2);

  SearchRequest bad = Near(5);
  bad.currency = "euro";
  auto refused = index_->Search(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("currency: must be an ISO 4217 code"));
  // A token is tied to its currency: the same query in another is another query.
  SearchRequest first = Near(5);
  first.currency = "GBP";
  first.limit = 1;
  SearchResponse page = Search(first);
  ASSERT_FALSE(page.next_page_token.empty());
  SearchRequest other = Near(5);
  other.currency = "EUR";
  other.page_token = page.next_page_token;
  EXPECT_FALSE(index_->Search(other).ok());
}

TEST_F(IndexTest, BadInputNamesTheField) {
  struct Case {
    std::function<void(SearchRequest&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](SearchRequest& q) {
         q.point = GeoPoint{91, 0};
         q.radius_km = 5;
       },
       "point.lat"},
      {[](SearchRequest& q) {
         q.point = GeoPoint{0, NAN};
         q.radius_km = 5;
       },
       "point.lon"},
      {[](SearchRequest& q) {
         q.point = GeoPoint{0, 0};
         q.radius_km = 0;
       },
       "radius_km"},
      {[](SearchRequest& q) {
         q.point = GeoPoint{0, 0};
         q.radius_km = 20001;
       },
       "radius_km"},
      {[](SearchRequest& q) {
         q.bbox = BoundingBox{10, 0, 5, 1};
       },
       "bbox"},
      {[](SearchRequest& q) {
         q.bbox = BoundingBox{5, 1, 5, 2};
       },
       "bbox"},
      // West 180 to east -180 crosses the antimeridian onto the same meridian.
      {[](SearchRequest& q) {
         q.bbox = BoundingBox{-90, 180, 90, -180};
       },
       "bbox: is empty"},
      {[](SearchRequest& q) {
         q.point = GeoPoint{0, 0};
         q.radius_km = 20000.0001;
       },
       "radius_km: must be in (0, 20000], got 20000.0001"},
      {[](SearchRequest& q) { q.max_hourly_rate = INFINITY; }, "max_hourly_rate: must be a finite"},
      {[](SearchRequest& q) { q.limit = 0; }, "limit"},
      {[](SearchRequest& q) { q.limit = 101; }, "limit"},
      {[](SearchRequest& q) { q.text = std::string(1025, 'a'); }, "text"},
      {[](SearchRequest& q) { q.page_token = "garbage!"; }, "page_token"},
      {[](SearchRequest& q) { q.styles = {"nope"}; }, "styles[0]"},
      {[](SearchRequest& q) { q.text = "rose \xff\xfe"; }, "text: is not valid UTF-8"},
      {[](SearchRequest& q) { q.text = "dragon \xc3"; }, "text: is not valid UTF-8"},
      {[](SearchRequest& q) {
         q.styles = {"fineline", "trad\xff"};
       },
       "styles[1]: is not valid UTF-8"},
      {[](SearchRequest& q) { q.styles.assign(65, "fineline"); }, "styles: at most 64"},
      {[](SearchRequest& q) { q.date = "2026-02-30"; }, "date"},
      {[](SearchRequest& q) { q.sort = SortOrder::kDistance; }, "sort"},
  };
  Put(MakeArtist("a1", "A", kLeedsLat, kLeedsLon, {"fineline"}));
  for (const Case& c : cases) {
    SearchRequest q;
    c.mutate(q);
    auto r = index_->Search(q);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.field));
  }
  // A token from another query is refused.
  SearchRequest first = Near(5);
  first.limit = 1;
  Put(MakeArtist("a2", "B", kLeedsLat, kLeedsLon, {"fineline"}));
  SearchResponse r = Search(first);
  ASSERT_FALSE(r.next_page_token.empty());
  SearchRequest other = Near(6);
  other.page_token = r.next_page_token;
  auto foreign = index_->Search(other);
  ASSERT_FALSE(foreign.ok());
  EXPECT_THAT(foreign.status().message(), HasSubstr("different query"));
}

TEST_F(IndexTest, SuggestCompletesNamesStylesAndCities) {
  WriteBatch b;
  b.Upsert(MakeArtist("s1", "Sarah Mitchell", kLeedsLat, kLeedsLon, {"fineline"}));
  b.Upsert(MakeArtist("s2", "Sam Wu", kLeedsLat, kLeedsLon, {"fineline"}));
  Apply(b);
  SuggestRequest q;
  q.prefix = "sar";
  auto r = index_->Suggest(q);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].text, "Sarah Mitchell");
  EXPECT_EQ((*r)[0].id, "s1");
  q.prefix = "fine";
  r = index_->Suggest(q);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].kind, Suggestion::Kind::kStyle);
  EXPECT_EQ((*r)[0].id, "fineline");
  EXPECT_EQ((*r)[0].count, 2);
  Artist studio = MakeArtist("s3", "Jo Bloggs", kLeedsLat + 0.01, kLeedsLon, {"fineline"});
  studio.mutable_studio()->set_name("Ink & Steel Studio");
  WriteBatch more;
  more.Upsert(studio);
  Apply(more);
  q.prefix = "STE";  // a later word of a studio name, near a point
  q.near = GeoPoint{kLeedsLat, kLeedsLon};
  r = index_->Suggest(q);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].text, "Ink & Steel Studio");
  EXPECT_EQ((*r)[0].kind, Suggestion::Kind::kStudio);
  SuggestRequest bad = q;
  bad.near = GeoPoint{91, 0};
  EXPECT_THAT(index_->Suggest(bad).status().message(), HasSubstr("near.lat"));
  bad.near = GeoPoint{0, 181};
  EXPECT_THAT(index_->Suggest(bad).status().message(), HasSubstr("near.lon"));
  bad = q;
  bad.limit = 0;
  EXPECT_THAT(index_->Suggest(bad).status().message(), HasSubstr("limit"));
  bad = q;
  bad.prefix = "Lee\xc3";
  EXPECT_EQ(index_->Suggest(bad).status().message(), "prefix: is not valid UTF-8");
  q.prefix = "lee";
  r = index_->Suggest(q);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].text, "Leeds, GB");
}

}  // namespace
}  // namespace inkdex
