// StylesToProto, StatsToProto and StatsFromProto.
#include <cstdint>
#include <vector>

#include "api/convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service_api/proto_fields_util.h"

namespace inkdex::api {
namespace {

using ::inkdex::api::proto_fields::UnsetFields;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

TEST(StylesToProto, EveryStyleWithNameAliasesAndCountInTaxonomyOrder) {
  const absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  std::vector<int64_t> counts;
  for (int i = 0; i < taxonomy->size(); ++i) counts.push_back(100 + i);

  const v1::ListStylesResponse p = StylesToProto(*taxonomy, counts, 9);
  EXPECT_EQ(p.commit_seq(), 9u);
  ASSERT_EQ(p.styles_size(), taxonomy->size());
  for (int i = 0; i < taxonomy->size(); ++i) {
    const StyleInfo& info = taxonomy->style(i);
    EXPECT_EQ(p.styles(i).id(), info.id);
    EXPECT_EQ(p.styles(i).name(), info.display_name);
    EXPECT_THAT(p.styles(i).aliases(), ElementsAreArray(info.aliases));
    EXPECT_EQ(p.styles(i).artist_count(), 100 + i);
  }
  EXPECT_EQ(p.styles(0).id(), "old_school");
  EXPECT_EQ(p.styles(0).name(), "Old School");
  EXPECT_THAT(p.styles(0).aliases(), ::testing::Contains("americana"));
}

TEST(StylesToProto, ParsedTaxonomyAndMissingCounts) {
  const absl::StatusOr<StyleTaxonomy> taxonomy =
      StyleTaxonomy::Parse("koi\tKoi\tcarp|koi fish\ndragon\tDragon\t\n");
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  const v1::ListStylesResponse p = StylesToProto(*taxonomy, {5}, 1);
  ASSERT_EQ(p.styles_size(), 2);
  EXPECT_EQ(p.styles(0).id(), "koi");
  EXPECT_THAT(p.styles(0).aliases(), ElementsAre("carp", "koi fish"));
  EXPECT_EQ(p.styles(0).artist_count(), 5);
  EXPECT_EQ(p.styles(1).id(), "dragon");
  EXPECT_THAT(p.styles(1).aliases(), IsEmpty());
  EXPECT_EQ(p.styles(1).artist_count(), 0);  // no count given
}

TEST(StatsConvert, MapsEveryIndexFigureBothWays) {
  IndexStats stats;
  stats.documents = 1000;
  stats.searchable = 900;
  stats.tombstones = 12;
  stats.commit_seq = 345;
  stats.last_commit_unix_micros = 1767225600123456;
  stats.disk_bytes = 1 << 30;
  stats.memory_bytes = 123456789;
  stats.item_states = 3;
  stats.disk_free_bytes = uint64_t{5} << 30;
  const v1::GetStatsResponse p = StatsToProto(stats);
  EXPECT_EQ(p.documents(), 1000u);
  EXPECT_EQ(p.searchable(), 900u);
  EXPECT_EQ(p.tombstones(), 12u);
  EXPECT_EQ(p.commit_seq(), 345u);
  EXPECT_EQ(p.last_commit_unix_micros(), 1767225600123456);
  EXPECT_EQ(p.disk_bytes(), uint64_t{1} << 30);
  EXPECT_EQ(p.memory_bytes(), 123456789u);
  EXPECT_EQ(p.item_states(), 3u);
  EXPECT_EQ(p.disk_free_bytes(), uint64_t{5} << 30);
  // The server's own fields are the caller's to fill.
  EXPECT_THAT(UnsetFields(p),
              ElementsAre("index_directory", "version", "build", "started_unix_micros",
                          "index_generation", "slot_layout"));

  const IndexStats back = StatsFromProto(p);
  EXPECT_EQ(back.documents, stats.documents);
  EXPECT_EQ(back.searchable, stats.searchable);
  EXPECT_EQ(back.tombstones, stats.tombstones);
  EXPECT_EQ(back.commit_seq, stats.commit_seq);
  EXPECT_EQ(back.last_commit_unix_micros, stats.last_commit_unix_micros);
  EXPECT_EQ(back.disk_bytes, stats.disk_bytes);
  EXPECT_EQ(back.memory_bytes, stats.memory_bytes);
  EXPECT_EQ(back.item_states, stats.item_states);
  EXPECT_EQ(back.disk_free_bytes, stats.disk_free_bytes);
}

TEST(StatsConvert, SlotLayoutBothWays) {
  const v1::SlotLayout p = SlotLayoutToProto(SlotLayout{.artists = 1000, .breaks = 300});
  EXPECT_EQ(p.artists(), 1000u);
  EXPECT_EQ(p.breaks(), 300u);
  EXPECT_DOUBLE_EQ(p.drift(), 0.15);
  const SlotLayout back = SlotLayoutFromProto(p);
  EXPECT_EQ(back.artists, 1000u);
  EXPECT_EQ(back.breaks, 300u);
}

}  // namespace
}  // namespace inkdex::api
