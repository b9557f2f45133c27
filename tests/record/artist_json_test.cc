// ArtistToJson round trips and ValidateArtist.
#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"
#include "record_test_util.h"

namespace inkdex {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ParseOk;

// An artist with every field set, strings full of characters JSON escapes.
Artist FullArtist() {
  Artist a;
  a.set_id("artist-\"quoted\"\\back");
  a.set_name("Zoë \u00d8 \xf0\x9f\x90\x89 tab\there\nnew \x01\x1f ctrl");
  a.set_instagram_handle("zoe.ink");
  a.mutable_studio()->set_id("s1");
  a.mutable_studio()->set_name("Ink & Steel </script>");
  a.mutable_studio()->set_address("1 High St\r\n");
  a.mutable_studio()->set_postcode("E1 6SB");
  Location* loc = a.mutable_location();
  loc->set_latitude(51.52250000000001);
  loc->set_longitude(-0.0786);
  loc->set_display("東京, 日本");
  loc->set_city("Tokyo");
  loc->set_country("JP");
  GuestSpot* g = a.add_guest_spots();
  g->mutable_location()->set_latitude(-33.8688);
  g->mutable_location()->set_longitude(151.2093);
  g->mutable_location()->set_display("Sydney");
  g->set_from("2026-01-01");
  g->set_to("2026-01-31");
  GuestSpot* open = a.add_guest_spots();  // open-ended: no last day
  open->mutable_location()->set_latitude(1e-7);
  open->mutable_location()->set_longitude(-180);
  open->set_from("2026-03-01");
  a.add_styles("blackwork");
  a.add_styles("dotwork");
  a.add_specialties("moths");
  a.add_specialties("\u00e9\u00e8");
  a.set_biography("Line 1\nLine 2 \"quoted\" \\ / \b\f");
  a.set_rating(4.75);
  a.set_review_count(4294967295u);
  a.mutable_pricing()->set_hourly_rate(0.1 + 0.2);
  a.mutable_pricing()->set_minimum_charge(0);
  a.mutable_pricing()->set_currency("EUR");
  a.mutable_availability()->set_booking_open(true);
  a.mutable_availability()->set_next_available("2026-02-28");
  a.set_years_active(12);
  a.set_portfolio_image_count(31);
  a.set_opted_out(true);
  a.set_is_active(false);
  a.set_updated_at("2026-01-02T03:04:05.678Z");
  a.set_created_at("2020-01-01T00:00:00Z");
  a.set_version(18446744073709551615u);
  a.set_source_rank(4294967295u);  // the table item it came from (exports keep it)
  a.add_unknown_styles("dragonz");
  a.add_unknown_styles("spiky \"ones\"");
  return a;
}

TEST(ArtistToJson, FullArtistRoundTrips) {
  const Artist a = FullArtist();
  ASSERT_TRUE(ValidateArtist(a).ok()) << ValidateArtist(a);
  const std::string json = ArtistToJson(a);
  EXPECT_EQ(json.find('\n'), std::string::npos) << "must be one line";
  ParsedRecord r = ParseOk(json);
  EXPECT_TRUE(testing::ArtistsEqual(a, r.artist)) << json;
  EXPECT_EQ(r.warnings.size(), 2u);  // the two unknown styles, reported again
  EXPECT_EQ(ArtistToJson(r.artist), json);
}

TEST(ArtistToJson, ParsedRecordsRoundTrip) {
  for (const char* line : {testing::kExampleLine, testing::kExampleDynamoDbLine}) {
    const Artist a = ParseOk(line).artist;
    EXPECT_TRUE(testing::ArtistsEqual(a, ParseOk(ArtistToJson(a)).artist));
  }
}

TEST(ArtistToJson, MinimalArtistOmitsUnsetFields) {
  Artist a;
  a.set_id("a");
  a.set_name("A");
  a.mutable_location()->set_latitude(1.5);
  a.mutable_location()->set_longitude(-2);
  a.set_is_active(true);
  EXPECT_EQ(ArtistToJson(a), R"({"artistId":"a","artistName":"A","latitude":1.5,"longitude":-2,)"
                             R"("opted_out":false,"isActive":true,"version":0})");
  EXPECT_TRUE(testing::ArtistsEqual(a, ParseOk(ArtistToJson(a)).artist));
}

TEST(ArtistToJson, EscapesAndNumbers) {
  Artist a;
  a.set_id("q\"b\\s\x01\x7f");
  a.set_name("n");
  a.mutable_location()->set_latitude(0.1);
  a.mutable_location()->set_longitude(1e-300);
  a.set_rating(5);
  const std::string json = ArtistToJson(a);
  EXPECT_THAT(json, HasSubstr(R"("artistId":"q\"b\\s\u0001)"
                              "\x7f\""));
  EXPECT_THAT(json, HasSubstr(R"("latitude":0.1,"longitude":1e-300)"));
  EXPECT_THAT(json, HasSubstr(R"("rating":5)"));
}

TEST(ArtistToJson, ExampleShape) {
  const std::string json = ArtistToJson(ParseOk(testing::kExampleLine).artist);
  EXPECT_EQ(json,
            R"({"artistId":"artist-001","artistName":"Sarah Mitchell",)"
            R"("instagramHandle":"sarahtattoos","locationDisplay":"Shoreditch, London, UK",)"
            R"("latitude":51.5225,"longitude":-0.0786,"styles":["traditional","neo_traditional"],)"
            R"("specialties":["roses","eagles","nautical"],"rating":4.8,"reviewCount":127,)"
            R"("studioInfo":{"studioId":"studio-001","studioName":"Ink & Steel Studio",)"
            R"("postcode":"E1 6SB"},"pricing":{"hourlyRate":120,"minimumCharge":80,)"
            R"("currency":"GBP"},"availability":{"bookingOpen":true,"nextAvailable":"2026-12-10",)"
            R"("waitingList":false},"experience":{"yearsActive":9},"opted_out":false,)"
            R"("isActive":true,"version":0})");
}

// ValidateArtist: each broken invariant names its field.
struct InvalidCase {
  const char* name;
  void (*breakit)(Artist*);
  const char* message;
};

// Test names (and CTest's) show the case's name, not its bytes.
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class ValidateArtistTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ValidateArtistTest, NamesTheField) {
  Artist a = FullArtist();
  GetParam().breakit(&a);
  absl::Status s = ValidateArtist(a);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), GetParam().message);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

INSTANTIATE_TEST_SUITE_P(
    Invariants, ValidateArtistTest,
    ::testing::Values(
        InvalidCase{"EmptyId", [](Artist* a) { a->clear_id(); }, "artistId: must not be empty"},
        InvalidCase{"LongId", [](Artist* a) { a->set_id(std::string(300, 'x')); },
                    "artistId: must be at most 256 bytes, got 300"},
        InvalidCase{"ControlInId", [](Artist* a) { a->set_id("ab\x7f"); },
                    "artistId: contains a control character at byte 2"},
        InvalidCase{"BlankName", [](Artist* a) { a->set_name(" "); },
                    "artistName: must not be empty"},
        InvalidCase{"LatNaN", [](Artist* a) { a->mutable_location()->set_latitude(kNaN); },
                    "latitude: must be a number in [-90, 90], got NaN"},
        InvalidCase{"LonInf", [](Artist* a) { a->mutable_location()->set_longitude(-kInf); },
                    "longitude: must be a number in [-180, 180], got -Infinity"},
        InvalidCase{"LatRange", [](Artist* a) { a->mutable_location()->set_latitude(90.5); },
                    "latitude: must be a number in [-90, 90], got 90.5"},
        InvalidCase{"Rating", [](Artist* a) { a->set_rating(5.5); },
                    "rating: must be a number in [0, 5], got 5.5"},
        InvalidCase{"Price", [](Artist* a) { a->mutable_pricing()->set_hourly_rate(-1); },
                    "pricing.hourlyRate: must be a number >= 0, got -1"},
        InvalidCase{"MinimumCharge",
                    [](Artist* a) { a->mutable_pricing()->set_minimum_charge(kInf); },
                    "pricing.minimumCharge: must be a number >= 0, got Infinity"},
        InvalidCase{
            "SpotLat",
            [](Artist* a) { a->mutable_guest_spots(1)->mutable_location()->set_latitude(-91); },
            "guestSpots[1].latitude: must be a number in [-90, 90], got -91"},
        InvalidCase{"SpotDate", [](Artist* a) { a->mutable_guest_spots(0)->set_to("2026/01/31"); },
                    "guestSpots[0].to: must be a date YYYY-MM-DD, got '2026/01/31'"},
        InvalidCase{"SpotOrder",
                    [](Artist* a) { a->mutable_guest_spots(0)->set_from("2026-02-01"); },
                    "guestSpots[0].from: must not be after to, got 2026-02-01 > 2026-01-31"},
        InvalidCase{"EmptyStyle", [](Artist* a) { a->add_styles(""); },
                    "styles[2]: must not be empty"},
        InvalidCase{"CurrencyWord", [](Artist* a) { a->mutable_pricing()->set_currency("pounds"); },
                    "pricing.currency: must be a three-letter ISO 4217 code such as GBP, got "
                    "'pounds'"},
        InvalidCase{"UpdatedAtWord", [](Artist* a) { a->set_updated_at("yesterday"); },
                    "updatedAt: must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z"},
        InvalidCase{"CreatedAtMonth13", [](Artist* a) { a->set_created_at("2026-13-01"); },
                    "createdAt: must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z"},
        InvalidCase{"NextAvailableWord",
                    [](Artist* a) { a->mutable_availability()->set_next_available("soon"); },
                    "availability.nextAvailable: must be a date YYYY-MM-DD"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

}  // namespace
}  // namespace inkdex
