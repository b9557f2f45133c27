// stream_records.h: the benchmarks' synthetic stream records map and apply
// as the mix says, and shards never share an artist.
#include "stream_records.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "dynamodb/stream_record.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/taxonomy.h"
#include "stream/item_mapping.h"
#include "stream/record_mapper.h"

namespace inkdex::bench {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kArtists = 2000;

TEST(RecordMixTest, ParsesPercentagesSummingTo100) {
  RecordMix mix;
  ASSERT_TRUE(ParseRecordMix("5,94,1", &mix).ok());
  EXPECT_EQ(mix.insert, 5);
  EXPECT_EQ(mix.modify, 94);
  EXPECT_EQ(mix.remove, 1);
  for (const char* bad : {"5,94", "5,94,2", "a,b,c", "-5,100,5", ""}) {
    absl::Status s = ParseRecordMix(bad, &mix);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("summing to 100")) << bad;
  }
  mix.renamed = 10;
  EXPECT_EQ(DescribeRecordMix(mix),
            "insert 5%, modify 94%, remove 1%; 10% of modifies change indexed text");
}

TEST(RecordFactoryTest, RefusesAShardOutsideItsCount) {
  EXPECT_FALSE(RecordFactory::Create(kArtists, RecordMix{}, 2, 2).ok());
  EXPECT_FALSE(RecordFactory::Create(kArtists, RecordMix{}, 0, 0).ok());
  EXPECT_FALSE(RecordFactory::Create(1, RecordMix{}, 1, 2).ok());
}

TEST(RecordFactoryTest, ShardsTouchDisjointArtistsWithRisingSequences) {
  constexpr uint32_t kShards = 3;
  std::set<std::string> seen[kShards];
  for (uint32_t shard = 0; shard < kShards; ++shard) {
    absl::StatusOr<RecordFactory> factory =
        RecordFactory::Create(kArtists, RecordMix{}, shard, kShards, /*sequence_base=*/5000);
    ASSERT_TRUE(factory.ok()) << factory.status();
    uint64_t expected_sequence = 5000;
    for (const dynamodb::StreamRecord& r : factory->NextBatch(300)) {
      EXPECT_EQ(r.sequence_number, absl::StrFormat("%021d", ++expected_sequence));
      const std::string pk = r.keys["PK"]["S"].get<std::string>();
      ASSERT_TRUE(absl::StartsWith(pk, "ARTIST#artist-")) << pk;
      uint64_t n = 0;
      ASSERT_TRUE(absl::SimpleAtoi(pk.substr(14), &n)) << pk;
      // Artists of the index: i % shards; new ones: (i - artists) % shards.
      EXPECT_EQ((n < kArtists ? n : n - kArtists) % kShards, shard) << pk;
      seen[shard].insert(pk);
    }
  }
  for (uint32_t a = 0; a < kShards; ++a) {
    for (uint32_t b = a + 1; b < kShards; ++b) {
      for (const std::string& pk : seen[a]) EXPECT_FALSE(seen[b].contains(pk)) << pk;
    }
  }
}

// Every record maps to the change its event says, as the stream reader and
// ApplyStreamRecords map it; a MODIFY's text changes in about `renamed`
// percent of them.
TEST(RecordFactoryTest, RecordsMapAsTheMixSays) {
  RecordMix mix;
  ASSERT_TRUE(ParseRecordMix("20,70,10", &mix).ok());
  mix.renamed = 50;
  absl::StatusOr<RecordFactory> factory = RecordFactory::Create(kArtists, mix);
  ASSERT_TRUE(factory.ok()) << factory.status();
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok());
  const stream::RecordMapper mapper(stream::ItemMapping::Default(),
                                    std::make_shared<const StyleTaxonomy>(*std::move(taxonomy)));
  int inserts = 0, modifies = 0, removes = 0, renamed = 0;
  for (const dynamodb::StreamRecord& made : factory->NextBatch(1000)) {
    // Through the JSON a GetRecords page or a Lambda event carries.
    absl::StatusOr<dynamodb::StreamRecord> r = dynamodb::ParseStreamRecord(RecordJson(made));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->size_bytes, made.size_bytes);
    EXPECT_EQ(r->stream_view_type, "NEW_AND_OLD_IMAGES");
    const stream::MappedRecord m = mapper.Map(*r);
    if (r->event_name == "REMOVE") {
      ++removes;
      EXPECT_EQ(m.action, stream::RecordAction::kDelete) << m.reason;
      continue;
    }
    ASSERT_EQ(m.action, stream::RecordAction::kUpsert) << m.reason;
    EXPECT_EQ(m.artist.stream_sequence(), r->sequence_number);
    if (r->event_name == "INSERT") {
      ++inserts;
      uint64_t n = 0;
      ASSERT_TRUE(absl::SimpleAtoi(m.artist_id.substr(7), &n)) << m.artist_id;
      EXPECT_GE(n, kArtists) << "an INSERT is of an artist not in the index";
    } else {
      ++modifies;
      renamed += r->new_image["artistName"] != r->old_image["artistName"];
    }
  }
  EXPECT_NEAR(inserts, 200, 60);
  EXPECT_NEAR(modifies, 700, 60);
  EXPECT_NEAR(removes, 100, 40);
  EXPECT_NEAR(renamed, modifies / 2, 60);
}

}  // namespace
}  // namespace inkdex::bench
