// ParseArtistRecord on DynamoDB JSON: S3 export lines, bare attribute maps,
// every attribute type, format detection, malformed attribute values.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"
#include "record/artist_mapper.h"
#include "record_test_util.h"

namespace inkdex {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::ParseError;
using testing::ParseOk;

constexpr char kBareMap[] =
    R"({"artistId":{"S":"d1"},"artistName":{"S":"Dee"},"latitude":{"N":"10.5"},)"
    R"("longitude":{"N":"-20"})";

std::string Bare(const std::string& extra = "") {
  return std::string(kBareMap) + (extra.empty() ? "" : "," + extra) + "}";
}

TEST(DynamoDbRecord, ExampleEqualsPlainJson) {
  const ParsedRecord plain = ParseOk(testing::kExampleLine);
  for (RecordFormat format : {RecordFormat::kAuto, RecordFormat::kDynamoDbJson}) {
    const ParsedRecord dynamo = ParseOk(testing::kExampleDynamoDbLine, format);
    EXPECT_THAT(dynamo.warnings, IsEmpty());
    EXPECT_TRUE(testing::ArtistsEqual(plain.artist, dynamo.artist));
  }
}

TEST(DynamoDbRecord, BareAttributeMapIsDetected) {
  for (RecordFormat format : {RecordFormat::kAuto, RecordFormat::kDynamoDbJson}) {
    ParsedRecord r = ParseOk(Bare(), format);
    EXPECT_EQ(r.artist.id(), "d1");
    EXPECT_EQ(r.artist.name(), "Dee");
    EXPECT_EQ(r.artist.location().latitude(), 10.5);
    EXPECT_EQ(r.artist.location().longitude(), -20);
  }
}

TEST(DynamoDbRecord, ForcedPlainFormatTreatsAttributeValuesAsWrongTypes) {
  EXPECT_EQ(ParseError(Bare(), RecordFormat::kJson), "artistId: must be a string, got an object");
}

TEST(DynamoDbRecord, EveryAttributeType) {
  ParsedRecord r = ParseOk(Bare(
      R"("styles":{"L":[{"S":"Dotwork"},{"S":"mystery"}]},"specialties":{"SS":["owls","moths"]},)"
      R"("opted_out":{"BOOL":true},"isActive":{"BOOL":false},"biography":{"NULL":true},)"
      R"("portfolioImages":{"L":[{"M":{"url":{"S":"u"}}},{"M":{}}]},"reviewCount":{"N":"5"},)"
      R"("guestSpots":{"L":[{"M":{"latitude":{"N":"1.5"},"longitude":{"N":"2.5"},)"
      R"("from":{"S":"2026-01-01"},"to":{"S":"2026-01-02"}}}]},"version":{"N":"42"},)"
      R"("ratings":{"NS":["1","2"]},"photo":{"B":"AAEC"},"name":{"S":"ignored old name"})"));
  EXPECT_THAT(r.artist.styles(), ElementsAre("dotwork"));
  EXPECT_THAT(r.artist.unknown_styles(), ElementsAre("mystery"));
  EXPECT_THAT(r.artist.specialties(), ElementsAre("owls", "moths"));
  EXPECT_TRUE(r.artist.opted_out());
  EXPECT_FALSE(r.artist.is_active());
  EXPECT_EQ(r.artist.biography(), "");
  EXPECT_EQ(r.artist.portfolio_image_count(), 2u);
  EXPECT_EQ(r.artist.review_count(), 5u);
  ASSERT_EQ(r.artist.guest_spots_size(), 1);
  EXPECT_EQ(r.artist.guest_spots(0).location().longitude(), 2.5);
  EXPECT_EQ(r.artist.guest_spots(0).to(), "2026-01-02");
  EXPECT_EQ(r.artist.version(), 42u);
  EXPECT_EQ(r.artist.name(), "Dee");
  EXPECT_EQ(r.warnings.size(), 1u);  // the unknown style
}

TEST(DynamoDbRecord, RequiredFieldErrorsUseTheSameMessages) {
  EXPECT_EQ(ParseError(R"({"Item":{"artistName":{"S":"A"},"latitude":{"N":"1"},)"
                       R"("longitude":{"N":"2"}}})"),
            "artistId: missing");
  EXPECT_EQ(ParseError(R"({"Item":{"artistId":{"S":"a"},"artistName":{"S":"A"},)"
                       R"("latitude":{"N":"123.5"},"longitude":{"N":"2"}}})"),
            "latitude: must be a number in [-90, 90], got 123.5");
  EXPECT_EQ(ParseError(R"({"Item":{"artistId":{"S":"a"},"artistName":{"S":"A"},)"
                       R"("latitude":{"N":"north"},"longitude":{"N":"2"}}})"),
            "latitude: must be a number in [-90, 90], got N \"north\"");
  EXPECT_EQ(ParseError(R"({"Item":{"artistId":{"N":"7"},"artistName":{"S":"A"},)"
                       R"("latitude":{"N":"1"},"longitude":{"N":"2"}}})"),
            "artistId: must be a string, got N \"7\"");
  EXPECT_EQ(ParseError(R"({"Item":{"artistId":{"S":"a"},"artistName":{"NULL":true},)"
                       R"("latitude":{"N":"1"},"longitude":{"N":"2"}}})"),
            "artistName: missing");
}

TEST(DynamoDbRecord, MalformedAttributeValuesAreReported) {
  EXPECT_EQ(
      ParseError(R"({"Item":{"artistId":{"S":"a","N":"1"},"artistName":{"S":"A"},)"
                 R"("latitude":{"N":"1"},"longitude":{"N":"2"}}})"),
      "artistId: must be a string, got an invalid DynamoDB attribute value (expected one of S, "
      "N, BOOL, NULL, M, L, SS, NS)");
  EXPECT_THAT(ParseError(R"({"Item":{"artistId":{"S":1},"artistName":{"S":"A"},)"
                         R"("latitude":{"N":"1"},"longitude":{"N":"2"}}})"),
              ::testing::StartsWith("artistId: must be a string, got an invalid DynamoDB"));
  ParsedRecord r =
      ParseOk(Bare(R"("rating":{"X":"4"},"styles":{"SS":["tribal",3]},"studioInfo":{"M":[]},)"
                   R"("isActive":{"BOOL":"yes"},"instagramHandle":{"B":"AA=="})"));
  EXPECT_THAT(r.artist.styles(), ElementsAre("tribal"));
  EXPECT_FALSE(r.artist.is_active());  // unreadable: hidden until corrected
  EXPECT_THAT(r.warnings,
              ::testing::UnorderedElementsAre(
                  ::testing::StartsWith("rating: must be a number in [0, 5], got an invalid"),
                  "styles[1]: must be a string, got 3 (not a DynamoDB attribute value)",
                  ::testing::StartsWith("studioInfo: must be an object, got an invalid"),
                  ::testing::StartsWith("isActive: must be true or false, got an invalid"),
                  "instagramHandle: must be a string, got a DynamoDB binary value"));
}

TEST(DynamoDbRecord, ItemMustBeAnObject) {
  EXPECT_EQ(ParseError(R"({"Item":[]})", RecordFormat::kDynamoDbJson), "artistId: missing");
  EXPECT_EQ(ParseError(R"([1])", RecordFormat::kDynamoDbJson),
            "record: must be a JSON object, got an array (not a DynamoDB attribute value)");
  EXPECT_EQ(ParseError(R"({"Item":{"artistId":"plain","artistName":{"S":"A"}}})"),
            "artistId: must be a string, got string \"plain\" (not a DynamoDB attribute value)");
}

TEST(DynamoDbRecord, StreamImageThroughInternalMapper) {
  simdjson::dom::parser parser;
  simdjson::dom::element image;
  ASSERT_EQ(parser.parse(std::string(Bare())).get(image), simdjson::SUCCESS);
  absl::StatusOr<ParsedRecord> r = internal::MapDynamoDbItem(image, testing::DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->artist.id(), "d1");
}

}  // namespace
}  // namespace inkdex
