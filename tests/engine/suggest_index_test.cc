// SuggestIndex: prefix ranges in term order, counts per term, the lowest
// slot of an artist name, and a base + delta that stays equal to a plain
// model through updates and merges, without changing indexes already built.
#include "engine/suggest_index.h"

#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/snapshot.h"
#include "engine/snapshot_update.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {
namespace {

using ::testing::ElementsAre;

// What ForEachWithPrefix reports: (term, count, lowest slot).
using Hit = std::tuple<std::string, int64_t, uint32_t>;

std::vector<Hit> Scan(const SuggestIndex& index, std::string_view prefix, int max = 1000) {
  std::vector<Hit> out;
  index.ForEachWithPrefix(prefix, [&](std::string_view term, int64_t count, uint32_t slot) {
    out.emplace_back(std::string(term), count, slot);
    return static_cast<int>(out.size()) < max;
  });
  return out;
}

std::shared_ptr<const SuggestIndex> Apply(
    std::shared_ptr<const SuggestIndex> base,
    const std::vector<std::tuple<std::string, uint32_t, int64_t>>& changes) {
  SuggestIndex::Update update(std::move(base));
  for (const auto& [term, slot, n] : changes) update.Add(term, slot, n);
  return std::move(update).Finish();
}

TEST(SuggestTerm, KeyThenOriginal) {
  EXPECT_EQ(SuggestKey("  Sarah   MITCHELL "), "sarah mitchell");
  EXPECT_EQ(SuggestTerm("Sarah  Mitchell"), "sarah mitchell\x1fSarah  Mitchell");
  // Each part is cut to 118 bytes on a character boundary (the key's 'é'
  // is folded to 'e', one byte, and fits).
  const std::string long_name = std::string(117, 'a') + "é";  // 119 bytes
  const std::string term = SuggestTerm(long_name);
  EXPECT_EQ(term, std::string(117, 'a') + "e\x1f" + std::string(117, 'a'));
  EXPECT_EQ(SuggestTerm(std::string(117, 'a') + "ß"),  // "ss": 119 bytes, cut
            std::string(118, 'a').replace(117, 1, "s") + "\x1f" + std::string(117, 'a'));
}

TEST(SuggestTerm, KeysFoldCaseAndAccentsBeyondAscii) {
  // What is typed and what is indexed meet: "łuk", "Łuk" and "luk" are one key.
  EXPECT_EQ(SuggestKey("Łukasz  NOWAK"), "lukasz nowak");
  EXPECT_EQ(SuggestKey("łuk"), SuggestKey("LUK"));
  EXPECT_EQ(SuggestKey("ÉLODIE"), "elodie");
  EXPECT_EQ(SuggestKey("Straße Ærø"), "strasse aero");
  EXPECT_EQ(SuggestKey("ΖΩΉ"), "ζωη");        // Greek: lowercased, tonos folded
  EXPECT_EQ(SuggestKey("Йошкар"), "йошкар");  // Cyrillic keeps its letters
  EXPECT_EQ(SuggestTerm("Zoë Lefèvre"), "zoe lefevre\x1fZoë Lefèvre");  // shown as written
}

TEST(SuggestIndex, PrefixRangeInTermOrderWithCountsAndLowestSlot) {
  auto index = Apply(std::make_shared<SuggestIndex>(), {{"rose\x1fRose", 9, 1},
                                                        {"rose\x1fRose", 4, 1},
                                                        {"rosa\x1fRosa", 7, 1},
                                                        {"robin\x1fRobin", 2, 1},
                                                        {"ross\x1fRoss", 3, 1},
                                                        {"ro\x1fRo", 1, 1},
                                                        {"sam\x1fSam", 5, 1}});
  EXPECT_THAT(Scan(*index, "ros"), ElementsAre(Hit{"rosa\x1fRosa", 1, 7}, Hit{"rose\x1fRose", 2, 4},
                                               Hit{"ross\x1fRoss", 1, 3}));
  EXPECT_THAT(Scan(*index, "ro", 2),
              ElementsAre(Hit{"ro\x1fRo", 1, 1}, Hit{"robin\x1fRobin", 1, 2}));
  EXPECT_TRUE(Scan(*index, "x").empty());
  EXPECT_EQ(Scan(*index, "").size(), 6u);
}

TEST(SuggestIndex, RemovingTheLowestSlotReportsTheNext) {
  auto v1 = Apply(std::make_shared<SuggestIndex>(),
                  {{"kai\x1fKai", 3, 1}, {"kai\x1fKai", 8, 1}, {"kai\x1fKai", 5, 1}});
  auto v2 = Apply(v1, {{"kai\x1fKai", 3, -1}});
  EXPECT_THAT(Scan(*v2, "kai"), ElementsAre(Hit{"kai\x1fKai", 2, 5}));
  auto v3 = Apply(v2, {{"kai\x1fKai", 5, -1}, {"kai\x1fKai", 8, -1}});
  EXPECT_TRUE(Scan(*v3, "k").empty());
  // Built indexes do not change: a search on an older snapshot sees its own.
  EXPECT_THAT(Scan(*v1, "kai"), ElementsAre(Hit{"kai\x1fKai", 3, 3}));
}

TEST(SuggestIndex, CountsPerName) {
  auto v1 = Apply(std::make_shared<SuggestIndex>(),
                  {{"leeds, gb\x1fLeeds, GB", 0, 1}, {"leeds, gb\x1fLeeds, GB", 0, 1}});
  auto v2 = Apply(v1, {{"leeds, gb\x1fLeeds, GB", 0, 1}, {"london, gb\x1fLondon, GB", 0, 1}});
  EXPECT_THAT(Scan(*v2, "l"), ElementsAre(Hit{"leeds, gb\x1fLeeds, GB", 3, 0},
                                          Hit{"london, gb\x1fLondon, GB", 1, 0}));
  auto v3 = Apply(v2, {{"leeds, gb\x1fLeeds, GB", 0, -3}});
  EXPECT_THAT(Scan(*v3, "l"), ElementsAre(Hit{"london, gb\x1fLondon, GB", 1, 0}));
  // An update that changes nothing returns the index it was given.
  EXPECT_EQ(Apply(v3, {{"x\x1fX", 0, 1}, {"x\x1fX", 0, -1}}), v3);
}

// Random commits against a plain map, through many merges of the delta into
// the base (more than 4,096 keys change).
TEST(SuggestIndex, MatchesAPlainModelThroughUpdatesAndMerges) {
  std::mt19937 rng(42);
  std::map<std::pair<std::string, uint32_t>, int64_t> model;
  auto index = std::make_shared<const SuggestIndex>();
  size_t merges = 0;
  for (int commit = 0; commit < 60; ++commit) {
    std::vector<std::tuple<std::string, uint32_t, int64_t>> changes;
    for (int i = 0; i < 400; ++i) {
      const std::string term = absl::StrCat("n", rng() % 3000, "\x1f", "N");
      const uint32_t slot = 1 + rng() % 4;
      auto it = model.find({term, slot});
      const int64_t n = it != model.end() && rng() % 2 == 0 ? -1 : 1;
      if ((model[{term, slot}] += n) == 0) model.erase({term, slot});
      changes.emplace_back(term, slot, n);
    }
    const size_t before = index->delta_size();
    index = Apply(index, changes);
    if (index->delta_size() < before) ++merges;
    for (const std::string prefix : {"n1", "n25", "n299", "n"}) {
      std::vector<Hit> want;
      for (auto it = model.lower_bound({prefix, 0}); it != model.end(); ++it) {
        if (!std::string_view(it->first.first).starts_with(prefix)) break;
        if (!want.empty() && std::get<0>(want.back()) == it->first.first) {
          std::get<1>(want.back()) += it->second;
        } else {
          want.emplace_back(it->first.first, it->second, it->first.second);
        }
      }
      ASSERT_EQ(Scan(*index, prefix, 1 << 20), want) << "commit " << commit << " " << prefix;
    }
  }
  EXPECT_GE(merges, 2u);
  EXPECT_GT(index->base_size(), 0u);
  EXPECT_GT(index->MemoryBytes(), 0u);
}

// What ForEachWithPrefixByCount reports: (term, count).
using Counted = std::pair<std::string, int64_t>;

std::vector<Counted> ByCount(const SuggestIndex& index, std::string_view prefix,
                             size_t max = 1 << 20) {
  std::vector<Counted> out;
  index.ForEachWithPrefixByCount(prefix, [&](std::string_view term, int64_t count) {
    out.emplace_back(std::string(term), count);
    return out.size() < max;
  });
  return out;
}

TEST(SuggestIndex, ByCountReportsTheMostArtistsFirstThenTermOrder) {
  // Two cities with few artists come before London in term order: a scan
  // that stops after a few names in term order misses it.
  auto v1 = Apply(std::make_shared<SuggestIndex>(), {{"la paz\x1fLa Paz", 0, 1},
                                                     {"lagos\x1fLagos", 0, 2},
                                                     {"leeds\x1fLeeds", 0, 2},
                                                     {"london\x1fLondon", 0, 9},
                                                     {"lyon\x1fLyon", 0, 3},
                                                     {"madrid\x1fMadrid", 0, 20}});
  EXPECT_THAT(ByCount(*v1, "l"),
              ElementsAre(Counted{"london\x1fLondon", 9}, Counted{"lyon\x1fLyon", 3},
                          Counted{"lagos\x1fLagos", 2}, Counted{"leeds\x1fLeeds", 2},
                          Counted{"la paz\x1fLa Paz", 1}));
  EXPECT_THAT(ByCount(*v1, "l", 2),
              ElementsAre(Counted{"london\x1fLondon", 9}, Counted{"lyon\x1fLyon", 3}));
  EXPECT_TRUE(ByCount(*v1, "q").empty());
  // Changes on top: Leeds grows past London, Lyon leaves, Lima arrives.
  auto v2 = Apply(v1, {{"leeds\x1fLeeds", 0, 10}, {"lyon\x1fLyon", 0, -3}, {"lima\x1fLima", 0, 2}});
  EXPECT_THAT(ByCount(*v2, "l"),
              ElementsAre(Counted{"leeds\x1fLeeds", 12}, Counted{"london\x1fLondon", 9},
                          Counted{"lagos\x1fLagos", 2}, Counted{"lima\x1fLima", 2},
                          Counted{"la paz\x1fLa Paz", 1}));
}

// Per-name counts (slot 0) through commits that stay in the delta and ones
// that merge it into the base (and its max-tree): the order must be the
// plain model's, for prefixes of every length, whole and cut short.
TEST(SuggestIndex, ByCountMatchesAPlainModelThroughUpdatesAndMerges) {
  std::mt19937 rng(7);
  std::map<std::string, int64_t> model;
  auto index = std::make_shared<const SuggestIndex>();
  size_t merges = 0, checked = 0;
  for (int commit = 0; commit < 40; ++commit) {
    std::vector<std::tuple<std::string, uint32_t, int64_t>> changes;
    // Some commits are large (a merge), most small (the delta).
    const int n = commit % 7 == 0 ? 12000 : 300;
    for (int i = 0; i < n; ++i) {
      // Skewed: low numbers are common, so counts differ widely.
      const uint32_t k = static_cast<uint32_t>(std::min(rng() % 20000, rng() % 20000));
      const std::string term = absl::StrCat("c", k, "\x1f", "C", k);
      auto it = model.find(term);
      const int64_t delta = it != model.end() && rng() % 3 == 0 ? -1 : 1;
      if ((model[term] += delta) == 0) model.erase(term);
      changes.emplace_back(term, 0, delta);
    }
    const size_t before = index->base_size();
    index = Apply(index, changes);
    if (index->base_size() != before) ++merges;
    for (const std::string prefix : {"", "c", "c1", "c2", "c49", "c123", "c19999", "d"}) {
      std::vector<Counted> want;
      for (auto it = model.lower_bound(prefix); it != model.end(); ++it) {
        if (!std::string_view(it->first).starts_with(prefix)) break;
        want.emplace_back(it->first, it->second);
      }
      std::stable_sort(want.begin(), want.end(),
                       [](const Counted& a, const Counted& b) { return a.second > b.second; });
      ASSERT_EQ(ByCount(*index, prefix), want) << "commit " << commit << " '" << prefix << "'";
      const size_t cut = std::min<size_t>(want.size(), 7);
      if (cut == 0) continue;
      ASSERT_EQ(ByCount(*index, prefix, cut),
                std::vector<Counted>(want.begin(), want.begin() + cut))
          << "commit " << commit << " '" << prefix << "'";
      ++checked;
    }
  }
  EXPECT_GE(merges, 2u);
  EXPECT_GT(checked, 200u);
  EXPECT_GT(index->base_size(), 0u);
  EXPECT_GT(index->delta_size(), 0u);
}

// What Index::Verify checks: a snapshot's lists against its live rows.
TEST(CheckSuggestIndexes, FindsWhatTheListsAndTheRowsDisagreeOn) {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok());
  auto pool = std::make_shared<StringPool>();
  Snapshot empty;
  SnapshotUpdate update(empty, *taxonomy, pool);
  auto put = [&update](uint32_t slot, const std::string& id, const std::string& name,
                       bool opted_out) {
    StoredRecord r;
    r.set_version(1);
    r.set_slot(slot);
    *r.mutable_artist() = testing::MakeArtist(id, name, 53.8, -1.55, {"blackwork"});
    r.mutable_artist()->mutable_studio()->set_name("Quill Ink");
    r.mutable_artist()->set_opted_out(opted_out);
    update.Set(slot, id, r);
  };
  put(1, "a", "Rose Needle", false);
  put(2, "b", "Rose Needle", false);
  put(3, "c", "Hidden Hand", true);  // not live: in no list
  std::shared_ptr<const Snapshot> snap = std::move(update).Finish(1, 0);
  EXPECT_THAT(CheckSuggestIndexes(*snap, 10), ::testing::IsEmpty());
  EXPECT_THAT(Scan(*snap->suggest_artists, "rose"),
              ElementsAre(Hit{SuggestTerm("Rose Needle"), 2, 1}));

  Snapshot bad = *snap;
  bad.suggest_artists = Apply(snap->suggest_artists, {{SuggestTerm("Hidden Hand"), 3, 1},
                                                      {SuggestTerm("Rose Needle"), 1, -1}});
  bad.suggest_studios = Apply(snap->suggest_studios, {{SuggestTerm("Quill Ink"), 0, 1}});
  std::vector<std::string> problems = CheckSuggestIndexes(bad, 10);
  ASSERT_EQ(problems.size(), 3u) << absl::StrJoin(problems, "\n");
  EXPECT_THAT(problems[0], ::testing::HasSubstr("artist names: lists 'hidden hand|Hidden Hand'"));
  EXPECT_THAT(problems[1],
              ::testing::HasSubstr("the rows say 'rose needle|Rose Needle' x2 (slot 1)"));
  EXPECT_THAT(problems[2], ::testing::HasSubstr("studios: lists 'quill ink|Quill Ink' x3"));
  EXPECT_EQ(CheckSuggestIndexes(bad, 1).size(), 1u);
}

}  // namespace
}  // namespace inkdex::engine
