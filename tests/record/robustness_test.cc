// Hostile input never crashes the parser: huge, deeply nested, truncated,
// corrupted and binary records give an error or a record, nothing else.
// Also a throughput floor for the offline build's parse step.
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"
#include "record_test_util.h"

namespace inkdex {
namespace {

using testing::DefaultTaxonomy;
using testing::ParseError;
using ::testing::StartsWith;

TEST(RecordRobustness, DeepNestingIsAnError) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(ParseError(deep), StartsWith("json: "));
  const std::string deep_field = R"({"artistId":"a","artistName":"A","latitude":1,"longitude":2,)"
                                 R"("studioInfo":)" +
                                 std::string(900, '[') + std::string(900, ']') + "}";
  absl::StatusOr<ParsedRecord> r = ParseArtistRecord(deep_field, DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->warnings, ::testing::ElementsAre("studioInfo: must be an object, got an array"));
}

// Text simdjson refuses for a big integer is read again by a parser that
// keeps nesting of any depth, and written out again: a record nested deeper
// than simdjson reads is refused before that, as it is without the integer.
TEST(RecordRobustness, DeepNestingAfterABigIntegerIsAnError) {
  const std::string head = R"({"artistId":"a","artistName":"A","latitude":1,"longitude":2,)";
  const std::string junk = std::string(200000, '[') + std::string(200000, ']');
  for (const std::string& json :
       {head + R"("reviewCount":123456789012345678901234567890,"junk":)" + junk + "}",
        head + R"("junk":)" + junk + "}",
        R"({"Item":{"artistId":{"S":"a"},"n":{"N":"1"},"x":123456789012345678901234567890,)"
        R"("junk":)" +
            junk + "}}"}) {
    EXPECT_THAT(ParseError(json),
                StartsWith("json: arrays and objects nested deeper than 1024 levels at byte "))
        << json.substr(0, 120);
  }
  EXPECT_EQ(ParseError(head + R"("junk":)" + junk + "}"),
            "json: arrays and objects nested deeper than 1024 levels at byte 1090");
  // 1,024 levels are read, a big integer or not.
  const std::string deepest = std::string(1023, '[') + std::string(1023, ']');
  for (const std::string& json :
       {head + R"("reviewCount":123456789012345678901234567890,"junk":)" + deepest + "}",
        head + R"("junk":)" + deepest + "}"}) {
    absl::StatusOr<ParsedRecord> r = ParseArtistRecord(json, DefaultTaxonomy());
    EXPECT_TRUE(r.ok()) << r.status();
  }
}

TEST(RecordRobustness, HugeRecordParses) {
  const std::string bio(8 << 20, 'b');
  std::string styles;
  for (int i = 0; i < 20000; ++i)
    styles += std::string(i ? "," : "") + "\"style" + std::to_string(i % 50) + "\"";
  const std::string json =
      R"({"artistId":"a","artistName":"A","latitude":1,"longitude":2,"biography":")" + bio +
      R"(","styles":[)" + styles + "]}";
  absl::StatusOr<ParsedRecord> r = ParseArtistRecord(json, DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  // Kept, cut to the limits (record/field_limits.h), not rejected.
  EXPECT_EQ(r->artist.biography().size(), 64u << 10);
  EXPECT_EQ(r->artist.unknown_styles_size(), 50);
  // A small record parses correctly after the parser grew for a big one.
  EXPECT_TRUE(ParseArtistRecord(testing::kExampleLine, DefaultTaxonomy()).ok());
}

TEST(RecordRobustness, GarbageAndBinary) {
  for (std::string garbage :
       {std::string("\0\0\0", 3), std::string("\xff\xfe{"), std::string("{{{{"), std::string("nul"),
        std::string("\"just a string\""), std::string("{\"a\":1} {\"b\":2}"),
        std::string("{} trailing")}) {
    absl::StatusOr<ParsedRecord> r = ParseArtistRecord(garbage, DefaultTaxonomy());
    EXPECT_FALSE(r.ok()) << garbage;
  }
}

TEST(RecordRobustness, EveryTruncationAndByteFlipIsHandled) {
  std::mt19937 rng(1234);
  for (const std::string& line :
       {std::string(testing::kExampleLine), std::string(testing::kExampleDynamoDbLine)}) {
    for (size_t n = 0; n < line.size(); ++n) {
      (void)ParseArtistRecord(std::string_view(line).substr(0, n), DefaultTaxonomy());
    }
    int parsed = 0;
    for (int i = 0; i < 3000; ++i) {
      std::string mutated = line;
      for (int k = 0; k < 3; ++k) mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
      absl::StatusOr<ParsedRecord> r = ParseArtistRecord(mutated, DefaultTaxonomy());
      if (r.ok()) {
        ++parsed;
        EXPECT_TRUE(ValidateArtist(r->artist).ok()) << ValidateArtist(r->artist) << "\n" << mutated;
      } else {
        EXPECT_FALSE(r.status().message().empty());
      }
    }
    EXPECT_GT(parsed, 0);
  }
}

}  // namespace
}  // namespace inkdex
