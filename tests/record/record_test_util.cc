#include "record_test_util.h"

#include <google/protobuf/util/message_differencer.h>

namespace inkdex::testing {

const StyleTaxonomy& DefaultTaxonomy() {
  static const StyleTaxonomy* const kTax = [] {
    absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Default();
    EXPECT_TRUE(tax.ok()) << tax.status();
    return new StyleTaxonomy(*std::move(tax));
  }();
  return *kTax;
}

const char kExampleLine[] =
    R"({"artistId":"artist-001","artistName":"Sarah Mitchell","instagramHandle":"sarahtattoos",)"
    R"("locationDisplay":"Shoreditch, London, UK","latitude":51.5225,"longitude":-0.0786,)"
    R"("styles":["traditional","neo_traditional"],"specialties":["roses","eagles","nautical"],)"
    R"("rating":4.8,"reviewCount":127,"studioInfo":{"studioId":"studio-001",)"
    R"("studioName":"Ink & Steel Studio","postcode":"E1 6SB"},"pricing":{"hourlyRate":120,)"
    R"("minimumCharge":80,"currency":"GBP"},"availability":{"bookingOpen":true,)"
    R"("nextAvailable":"2026-12-10","waitingList":false},"experience":{"yearsActive":9}})";

const char kExampleDynamoDbLine[] =
    R"({"Item":{"PK":{"S":"ARTIST#artist-001"},"SK":{"S":"METADATA"},"gsi1pk":{"S":"STYLE#x"},)"
    R"("artistId":{"S":"artist-001"},"artistName":{"S":"Sarah Mitchell"},)"
    R"("instagramHandle":{"S":"sarahtattoos"},"locationDisplay":{"S":"Shoreditch, London, UK"},)"
    R"("latitude":{"N":"51.5225"},"longitude":{"N":"-0.0786"},"geohash":{"S":"gcpvnb"},)"
    R"("styles":{"SS":["traditional","neo_traditional"]},)"
    R"("specialties":{"L":[{"S":"roses"},{"S":"eagles"},{"S":"nautical"}]},)"
    R"("rating":{"N":"4.8"},"reviewCount":{"N":"127"},"studioInfo":{"M":{)"
    R"("studioId":{"S":"studio-001"},"studioName":{"S":"Ink & Steel Studio"},)"
    R"("postcode":{"S":"E1 6SB"}}},"pricing":{"M":{"hourlyRate":{"N":"120"},)"
    R"("minimumCharge":{"N":"80"},"currency":{"S":"GBP"}}},"availability":{"M":{)"
    R"("bookingOpen":{"BOOL":true},"nextAvailable":{"S":"2026-12-10"},)"
    R"("waitingList":{"BOOL":false}}},"experience":{"M":{"yearsActive":{"N":"9"}}},)"
    R"("contactInfo":{"NULL":true}}})";

ParsedRecord ParseOk(std::string_view json, RecordFormat format) {
  absl::StatusOr<ParsedRecord> r = ParseArtistRecord(json, DefaultTaxonomy(), format);
  EXPECT_TRUE(r.ok()) << r.status() << "\ninput: " << json;
  return r.ok() ? *std::move(r) : ParsedRecord{};
}

std::string ParseError(std::string_view json, RecordFormat format) {
  absl::StatusOr<ParsedRecord> r = ParseArtistRecord(json, DefaultTaxonomy(), format);
  EXPECT_FALSE(r.ok()) << "unexpectedly parsed: " << json;
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

::testing::AssertionResult ArtistsEqual(const Artist& expected, const Artist& actual) {
  google::protobuf::util::MessageDifferencer differ;
  std::string diff;
  differ.ReportDifferencesToString(&diff);
  if (differ.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff << "\nexpected: " << expected.ShortDebugString()
                                       << "\nactual:   " << actual.ShortDebugString();
}

}  // namespace inkdex::testing
