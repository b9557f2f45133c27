// ParseArtistRecord on plain JSON lines: the data-model example, older
// spellings, required-field errors, optional-field warnings, guest spots.
#include <string>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"
#include "record_test_util.h"

namespace inkdex {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::ParseError;
using testing::ParseOk;
using ::testing::SizeIs;
using ::testing::StartsWith;

// A minimal valid record with `extra` members appended.
std::string Minimal(const std::string& extra = "") {
  std::string json = R"({"artistId":"a1","artistName":"Ann","latitude":51.5,"longitude":-0.1)";
  if (!extra.empty()) json += "," + extra;
  return json + "}";
}

TEST(ParseArtistRecord, DataModelExampleEveryField) {
  ParsedRecord r = ParseOk(testing::kExampleLine);
  EXPECT_THAT(r.warnings, IsEmpty());
  const Artist& a = r.artist;
  EXPECT_EQ(a.id(), "artist-001");
  EXPECT_EQ(a.name(), "Sarah Mitchell");
  EXPECT_EQ(a.instagram_handle(), "sarahtattoos");
  EXPECT_EQ(a.location().display(), "Shoreditch, London, UK");
  EXPECT_EQ(a.location().latitude(), 51.5225);
  EXPECT_EQ(a.location().longitude(), -0.0786);
  EXPECT_EQ(a.location().city(), "");
  EXPECT_THAT(a.styles(), ElementsAre("traditional", "neo_traditional"));
  EXPECT_THAT(a.unknown_styles(), IsEmpty());
  EXPECT_THAT(a.specialties(), ElementsAre("roses", "eagles", "nautical"));
  ASSERT_TRUE(a.has_rating());
  EXPECT_EQ(a.rating(), 4.8);
  EXPECT_EQ(a.review_count(), 127u);
  ASSERT_TRUE(a.has_studio());
  EXPECT_EQ(a.studio().id(), "studio-001");
  EXPECT_EQ(a.studio().name(), "Ink & Steel Studio");
  EXPECT_EQ(a.studio().postcode(), "E1 6SB");
  EXPECT_EQ(a.studio().address(), "");
  ASSERT_TRUE(a.has_pricing());
  EXPECT_EQ(a.pricing().hourly_rate(), 120);
  EXPECT_EQ(a.pricing().minimum_charge(), 80);
  EXPECT_EQ(a.pricing().currency(), "GBP");
  ASSERT_TRUE(a.has_availability());
  EXPECT_TRUE(a.availability().booking_open());
  EXPECT_EQ(a.availability().next_available(), "2026-12-10");
  EXPECT_FALSE(a.availability().waiting_list());
  ASSERT_TRUE(a.has_years_active());
  EXPECT_EQ(a.years_active(), 9u);
  EXPECT_EQ(a.portfolio_image_count(), 0u);
  EXPECT_THAT(a.guest_spots(), IsEmpty());
  EXPECT_FALSE(a.opted_out());
  EXPECT_TRUE(a.is_active());
  EXPECT_EQ(a.version(), 0u);
  EXPECT_EQ(a.created_at(), "");
}

TEST(ParseArtistRecord, FormatsAgreeOnPlainJson) {
  const Artist json = ParseOk(testing::kExampleLine, RecordFormat::kJson).artist;
  EXPECT_TRUE(testing::ArtistsEqual(json, ParseOk(testing::kExampleLine).artist));
}

TEST(ParseArtistRecord, MinimalRecordHasDefaults) {
  ParsedRecord r = ParseOk(Minimal());
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_TRUE(r.artist.is_active());
  EXPECT_FALSE(r.artist.has_rating());
  EXPECT_FALSE(r.artist.has_studio());
  EXPECT_FALSE(r.artist.has_pricing());
  EXPECT_FALSE(r.artist.has_availability());
  EXPECT_FALSE(r.artist.has_years_active());
  EXPECT_THAT(r.artist.styles(), IsEmpty());
}

TEST(ParseArtistRecord, OlderSpellings) {
  ParsedRecord r = ParseOk(
      R"({"artistId":"a2","name":"Old Name","latitude":"40.7","longitude":"-74.0",)"
      R"("location":"Brooklyn, NY","bio":"Since 2001.","studioName":"Top Studio","studioId":"s9"})");
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(r.artist.name(), "Old Name");
  EXPECT_EQ(r.artist.location().display(), "Brooklyn, NY");
  EXPECT_EQ(r.artist.biography(), "Since 2001.");
  EXPECT_EQ(r.artist.studio().name(), "Top Studio");
  EXPECT_EQ(r.artist.studio().id(), "s9");
}

TEST(ParseArtistRecord, NewSpellingsWinOverOld) {
  ParsedRecord r = ParseOk(Minimal(
      R"("name":"Old","location":"Old place","locationDisplay":"New place","bio":"old",)"
      R"("biography":"new","studioName":"Old studio","studioInfo":{"studioName":"New studio"})"));
  EXPECT_EQ(r.artist.name(), "Ann");
  EXPECT_EQ(r.artist.location().display(), "New place");
  EXPECT_EQ(r.artist.biography(), "new");
  EXPECT_EQ(r.artist.studio().name(), "New studio");
}

TEST(ParseArtistRecord, HandleLosesAtSignAndCodesAreUppercased) {
  ParsedRecord r = ParseOk(
      Minimal(R"("instagramHandle":" @ink.ann ","locationCountry":"gb","locationCity":"London",)"
              R"("pricing":{"currency":"gbp"})"));
  EXPECT_EQ(r.artist.instagram_handle(), "ink.ann");
  EXPECT_EQ(r.artist.location().country(), "GB");
  EXPECT_EQ(r.artist.location().city(), "London");
  EXPECT_EQ(r.artist.pricing().currency(), "GBP");
}

// Canonical ids, each once, in the record's order (the first is often the
// artist's main style).
TEST(ParseArtistRecord, StylesAreCanonicalUniqueInTheRecordsOrder) {
  ParsedRecord r = ParseOk(Minimal(
      R"("styles":["Watercolor","neo-traditional","Neotraditional","fine line","watercolour",)"
      R"("micro"])"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_THAT(r.artist.styles(), ElementsAre("watercolour", "neo_traditional", "fineline"));
}

// A blank style name is most likely a writer's fault: it names no style,
// and the record says so once.
TEST(ParseArtistRecord, EmptyStyleNamesAreIgnoredAndSaidOnce) {
  ParsedRecord r = ParseOk(Minimal(R"("styles":["", "tribal", " "])"));
  EXPECT_THAT(r.artist.styles(), ElementsAre("tribal"));
  EXPECT_THAT(r.artist.unknown_styles(), IsEmpty());
  EXPECT_THAT(r.warnings, ElementsAre("styles: 2 empty style names ignored"));
  ParsedRecord listed = ParseOk(Minimal(R"("styles":"tribal,")"));
  EXPECT_THAT(listed.artist.styles(), ElementsAre("tribal"));
  EXPECT_THAT(listed.warnings, ElementsAre("styles: 1 empty style name ignored"));
}

TEST(ParseArtistRecord, UnknownStylesAreKeptAndWarned) {
  ParsedRecord r = ParseOk(Minimal(R"("styles":["dotwork","dragonz","Dragonz","dragonz"])"));
  EXPECT_THAT(r.artist.styles(), ElementsAre("dotwork"));
  EXPECT_THAT(r.artist.unknown_styles(), ElementsAre("dragonz", "Dragonz"));
  ASSERT_EQ(r.warnings.size(), 2u);
  const std::vector<std::string> closest = testing::DefaultTaxonomy().Closest("dragonz", 3);
  EXPECT_EQ(r.warnings[0], "styles: unknown style 'dragonz' (closest: " + closest[0] + ", " +
                               closest[1] + ", " + closest[2] + ")");
}

TEST(ParseArtistRecord, StylesAsCommaSeparatedString) {
  ParsedRecord r = ParseOk(Minimal(R"("styles":"blackwork, Dot Work")"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_THAT(r.artist.styles(), ElementsAre("blackwork", "dotwork"));
}

TEST(ParseArtistRecord, NonStringStyleElementsAreWarnings) {
  ParsedRecord r = ParseOk(Minimal(R"("styles":["tribal",7,null,{"x":1}],"specialties":[true])"));
  EXPECT_THAT(r.artist.styles(), ElementsAre("tribal"));
  EXPECT_THAT(r.warnings,
              ::testing::UnorderedElementsAre("styles[1]: must be a string, got 7",
                                              "styles[3]: must be a string, got an object",
                                              "specialties[0]: must be a string, got true"));
}

TEST(ParseArtistRecord, UnknownStylesFieldIsReresolved) {
  ParsedRecord r = ParseOk(Minimal(R"("styles":["tribal"],"unknownStyles":["Sketchy","zzz"])"));
  EXPECT_THAT(r.artist.styles(), ElementsAre("tribal", "sketch"));
  EXPECT_THAT(r.artist.unknown_styles(), ElementsAre("zzz"));
}

TEST(ParseArtistRecord, NumbersAsStringsAreAccepted) {
  ParsedRecord r = ParseOk(
      R"({"artistId":"a","artistName":"A","latitude":"51.5","longitude":"-0.25","rating":"4.5",)"
      R"("reviewCount":"12","experience":{"yearsActive":"3"},"pricing":{"hourlyRate":"99.5"},)"
      R"("availability":{"bookingOpen":"true"},"version":"17"})");
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(r.artist.location().latitude(), 51.5);
  EXPECT_EQ(r.artist.location().longitude(), -0.25);
  EXPECT_EQ(r.artist.rating(), 4.5);
  EXPECT_EQ(r.artist.review_count(), 12u);
  EXPECT_EQ(r.artist.years_active(), 3u);
  EXPECT_EQ(r.artist.pricing().hourly_rate(), 99.5);
  EXPECT_TRUE(r.artist.availability().booking_open());
  EXPECT_EQ(r.artist.version(), 17u);
}

TEST(ParseArtistRecord, IntegralDoublesCountAsIntegers) {
  ParsedRecord r = ParseOk(Minimal(R"("reviewCount":127.0,"version":18446744073709551615)"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(r.artist.review_count(), 127u);
  EXPECT_EQ(r.artist.version(), 18446744073709551615u);
}

TEST(ParseArtistRecord, PortfolioCountOptedOutAndInactive) {
  ParsedRecord r = ParseOk(Minimal(
      R"("portfolioImages":[{"url":"u1"},{"url":"u2"},{"url":"u3"}],"opted_out":true,)"
      R"("isActive":false,"createdAt":"2024-01-02T03:04:05Z","updatedAt":"2025-06-07T08:09:10Z",)"
      R"("contactInfo":{"email":"x@example.com"},"geohash":"gcpv")"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(r.artist.portfolio_image_count(), 3u);
  EXPECT_TRUE(r.artist.opted_out());
  EXPECT_FALSE(r.artist.is_active());
  EXPECT_EQ(r.artist.created_at(), "2024-01-02T03:04:05Z");
  EXPECT_EQ(r.artist.updated_at(), "2025-06-07T08:09:10Z");
}

TEST(ParseArtistRecord, NullOptionalFieldsAreAbsent) {
  ParsedRecord r = ParseOk(
      Minimal(R"("rating":null,"styles":null,"studioInfo":null,"biography":null,"isActive":null)"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_FALSE(r.artist.has_rating());
  EXPECT_FALSE(r.artist.has_studio());
  EXPECT_TRUE(r.artist.is_active());
}

TEST(ParseArtistRecord, UnicodeAndEscapes) {
  ParsedRecord r = ParseOk(
      R"({"artistId":"art-\u00e9","artistName":"Zo\u00eb \"Ink\" Ã˜sterg\u00e5rd \ud83d\udc09",)"
      R"("latitude":59.9,"longitude":10.7,"biography":"line1\nline2\ttab \\ slash \/",)"
      R"("locationDisplay":"東京, 日本"})");
  EXPECT_EQ(r.artist.id(), "art-\xc3\xa9");
  EXPECT_EQ(r.artist.name(),
            "Zo\xc3\xab \"Ink\" \xc3\x83\xcb\x9c"
            "sterg\xc3\xa5rd \xf0\x9f\x90\x89");
  EXPECT_EQ(r.artist.biography(), "line1\nline2\ttab \\ slash /");
  EXPECT_EQ(r.artist.location().display(), "東京, 日本");
}

// Required fields: each fault is an error naming the field.
struct RequiredCase {
  const char* name;
  std::string json;
  std::string message;
};

// Test names (and CTest's) show the case's name, not its bytes.
void PrintTo(const RequiredCase& c, std::ostream* os) { *os << c.name; }

class RequiredFieldTest : public ::testing::TestWithParam<RequiredCase> {};

TEST_P(RequiredFieldTest, IsAnError) { EXPECT_EQ(ParseError(GetParam().json), GetParam().message); }

INSTANTIATE_TEST_SUITE_P(
    Errors, RequiredFieldTest,
    ::testing::Values(
        RequiredCase{"IdMissing", R"({"artistName":"A","latitude":1,"longitude":2})",
                     "artistId: missing"},
        RequiredCase{"IdNull", R"({"artistId":null,"artistName":"A","latitude":1,"longitude":2})",
                     "artistId: missing"},
        RequiredCase{"IdNumber", R"({"artistId":42,"artistName":"A","latitude":1,"longitude":2})",
                     "artistId: must be a string, got 42"},
        RequiredCase{"IdEmpty", R"({"artistId":"","artistName":"A","latitude":1,"longitude":2})",
                     "artistId: must not be empty"},
        RequiredCase{"IdBlank",
                     R"({"artistId":" \t ","artistName":"A","latitude":1,"longitude":2})",
                     "artistId: must not be only whitespace"},
        RequiredCase{"IdTooLong",
                     R"({"artistId":")" + std::string(257, 'x') +
                         R"(","artistName":"A","latitude":1,"longitude":2})",
                     "artistId: must be at most 256 bytes, got 257"},
        RequiredCase{"IdControl",
                     R"({"artistId":"a\nb","artistName":"A","latitude":1,"longitude":2})",
                     "artistId: contains a control character at byte 1"},
        RequiredCase{"NameMissing", R"({"artistId":"a","latitude":1,"longitude":2})",
                     "artistName: missing"},
        RequiredCase{"NameBlank",
                     R"({"artistId":"a","artistName":"  ","latitude":1,"longitude":2})",
                     "artistName: must not be empty"},
        RequiredCase{"OldNameWrongType", R"({"artistId":"a","name":[],"latitude":1,"longitude":2})",
                     "name: must be a string, got an array"},
        RequiredCase{"LatMissing", R"({"artistId":"a","artistName":"A","longitude":2})",
                     "latitude: missing"},
        RequiredCase{"LatOutOfRange",
                     R"({"artistId":"a","artistName":"A","latitude":123.5,"longitude":2})",
                     "latitude: must be a number in [-90, 90], got 123.5"},
        RequiredCase{"LatBadString",
                     R"({"artistId":"a","artistName":"A","latitude":"51.5N","longitude":2})",
                     "latitude: must be a number in [-90, 90], got string \"51.5N\""},
        RequiredCase{"LatNaNString",
                     R"({"artistId":"a","artistName":"A","latitude":"NaN","longitude":2})",
                     "latitude: must be a number in [-90, 90], got NaN"},
        RequiredCase{"LatBool",
                     R"({"artistId":"a","artistName":"A","latitude":true,"longitude":2})",
                     "latitude: must be a number in [-90, 90], got true"},
        RequiredCase{"LonOutOfRange",
                     R"({"artistId":"a","artistName":"A","latitude":1,"longitude":-180.5})",
                     "longitude: must be a number in [-180, 180], got -180.5"},
        RequiredCase{"LonHuge",
                     R"({"artistId":"a","artistName":"A","latitude":1,"longitude":1e300})",
                     "longitude: must be a number in [-180, 180], got 1e+300"},
        RequiredCase{"NotAnObject", R"(["artistId","a"])",
                     "record: must be a JSON object, got an array"},
        RequiredCase{"Scalar", "17", "record: must be a JSON object, got 17"}),
    [](const ::testing::TestParamInfo<RequiredCase>& info) { return info.param.name; });

TEST(ParseArtistRecord, BoundaryCoordinatesAndIdLengthAreAccepted) {
  ParsedRecord r = ParseOk(R"({"artistId":")" + std::string(256, 'x') +
                           R"(","artistName":"A","latitude":-90,"longitude":180})");
  EXPECT_EQ(r.artist.id().size(), 256u);
  EXPECT_EQ(r.artist.location().latitude(), -90);
  EXPECT_EQ(r.artist.location().longitude(), 180);
}

// Optional fields: a fault is a warning, the field is left unset, the
// record still parses.
struct OptionalCase {
  const char* name;
  std::string extra;
  std::string warning;
};

// Test names (and CTest's) show the case's name, not its bytes.
void PrintTo(const OptionalCase& c, std::ostream* os) { *os << c.name; }

class OptionalFieldTest : public ::testing::TestWithParam<OptionalCase> {};

TEST_P(OptionalFieldTest, IsAWarning) {
  ParsedRecord r = ParseOk(Minimal(GetParam().extra));
  EXPECT_THAT(r.warnings, ElementsAre(GetParam().warning));
  EXPECT_EQ(r.artist.id(), "a1");
}

INSTANTIATE_TEST_SUITE_P(
    Warnings, OptionalFieldTest,
    ::testing::Values(
        OptionalCase{"RatingHigh", R"("rating":7)", "rating: must be a number in [0, 5], got 7"},
        OptionalCase{"RatingNegative", R"("rating":-0.5)",
                     "rating: must be a number in [0, 5], got -0.5"},
        OptionalCase{"RatingText", R"("rating":"great")",
                     "rating: must be a number in [0, 5], got string \"great\""},
        OptionalCase{"ReviewCountNegative", R"("reviewCount":-3)",
                     "reviewCount: must be an integer in [0, 4294967295], got -3"},
        OptionalCase{"ReviewCountFraction", R"("reviewCount":2.5)",
                     "reviewCount: must be an integer in [0, 4294967295], got 2.5"},
        OptionalCase{"ReviewCountHuge", R"("reviewCount":4294967296)",
                     "reviewCount: must be an integer in [0, 4294967295], got 4294967296"},
        OptionalCase{"YearsActive", R"("experience":{"yearsActive":500})",
                     "experience.yearsActive: must be an integer in [0, 100], got 500"},
        OptionalCase{"ExperienceNotObject", R"("experience":9)",
                     "experience: must be an object, got 9"},
        OptionalCase{"HandleNumber", R"("instagramHandle":12)",
                     "instagramHandle: must be a string, got 12"},
        OptionalCase{"StylesNumber", R"("styles":5)", "styles: must be a list of strings, got 5"},
        OptionalCase{"StudioString", R"("studioInfo":"Ink")",
                     "studioInfo: must be an object, got string \"Ink\""},
        OptionalCase{"StudioField", R"("studioInfo":{"postcode":1})",
                     "studioInfo.postcode: must be a string, got 1"},
        OptionalCase{"PriceNegative", R"("pricing":{"hourlyRate":-5})",
                     "pricing.hourlyRate: must be a number >= 0, got -5"},
        OptionalCase{"MinimumChargeText", R"("pricing":{"minimumCharge":"lots"})",
                     "pricing.minimumCharge: must be a number >= 0, got string \"lots\""},
        OptionalCase{"BookingOpenNumber", R"("availability":{"bookingOpen":1})",
                     "availability.bookingOpen: must be true or false, got 1"},
        OptionalCase{"NextAvailableBad", R"("availability":{"nextAvailable":"soon"})",
                     "availability.nextAvailable: must be a date YYYY-MM-DD, got \"soon\""},
        OptionalCase{"OptedOutString", R"("opted_out":"yes")",
                     "opted_out: must be true or false, got string \"yes\"; the artist is kept "
                     "out of search until it is corrected"},
        OptionalCase{"IsActiveNumber", R"("isActive":2)",
                     "isActive: must be true or false, got 2; the artist is kept out of search "
                     "until it is corrected"},
        OptionalCase{"GuestSpotUndated", R"("guestSpots":[{"latitude":40.4,"longitude":-3.7}])",
                     "guestSpots[0].from: a guest spot needs a from or a to date (without either "
                     "it would count on every day); guest spot ignored"},
        OptionalCase{"PortfolioObject", R"("portfolioImages":{})",
                     "portfolioImages: must be a list, got an object"},
        OptionalCase{"VersionNegative", R"("version":-1)",
                     "version: must be an integer in [0, 18446744073709551615], got -1"},
        OptionalCase{"GuestSpotsObject", R"("guestSpots":{})",
                     "guestSpots: must be a list of objects, got an object"},
        OptionalCase{"CurrencyWord", R"("pricing":{"hourlyRate":90,"currency":"pounds"})",
                     "pricing.currency: must be a three-letter ISO 4217 code such as GBP, got "
                     "'pounds'; the rates are kept without one"},
        OptionalCase{"CurrencyDigits", R"("pricing":{"currency":"826"})",
                     "pricing.currency: must be a three-letter ISO 4217 code such as GBP, got "
                     "'826'; the rates are kept without one"},
        OptionalCase{"UpdatedAtWord", R"("updatedAt":"yesterday")",
                     "updatedAt: must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z, "
                     "got \"yesterday\""},
        OptionalCase{"CreatedAtBadTime", R"("createdAt":"2026-11-29T25:00:00Z")",
                     "createdAt: must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z, "
                     "got \"2026-11-29T25:00:00Z\""},
        OptionalCase{"UpdatedAtNumber", R"("updatedAt":1764400000)",
                     "updatedAt: must be a string, got 1764400000"},
        OptionalCase{"LongStyleName", R"("styles":[")" + std::string(300, 's') + R"("])",
                     "styles: style name longer than 256 bytes ignored"}),
    [](const ::testing::TestParamInfo<OptionalCase>& info) { return info.param.name; });

TEST(ParseArtistRecord, WarnedFieldsAreUnset) {
  ParsedRecord r = ParseOk(
      Minimal(R"("rating":9,"reviewCount":-1,"pricing":{"hourlyRate":-1,"currency":"EUR"})"));
  EXPECT_EQ(r.warnings.size(), 3u);
  EXPECT_FALSE(r.artist.has_rating());
  EXPECT_EQ(r.artist.review_count(), 0u);
  EXPECT_FALSE(r.artist.pricing().has_hourly_rate());
  EXPECT_EQ(r.artist.pricing().currency(), "EUR");
}

// An unreadable opt-out or activity flag must never make an artist visible:
// the artist is kept, hidden, with a warning.
TEST(ParseArtistRecord, UnreadableVisibilityFlagsHideTheArtist) {
  for (const char* extra : {R"("opted_out":"yes")", R"("opted_out":2)", R"("optedOut":"Y")",
                            R"("opted_out":{"x":1})"}) {
    ParsedRecord r = ParseOk(Minimal(extra));
    EXPECT_TRUE(r.artist.opted_out()) << extra;
    EXPECT_THAT(r.warnings, SizeIs(1)) << extra;
  }
  for (const char* extra : {R"("isActive":"no")", R"("isActive":7)", R"("isActive":[])"}) {
    ParsedRecord r = ParseOk(Minimal(extra));
    EXPECT_FALSE(r.artist.is_active()) << extra;
    EXPECT_THAT(r.warnings, SizeIs(1)) << extra;
  }
}

// Either spelling of the opt-out saying true hides the artist, whatever the
// other says and in either order; a disagreement is reported.
TEST(ParseArtistRecord, EitherOptOutSpellingHidesTheArtist) {
  for (const char* extra :
       {R"("opted_out":false,"optedOut":true)", R"("optedOut":true,"opted_out":false)",
        R"("opted_out":true,"optedOut":0)"}) {
    ParsedRecord r = ParseOk(Minimal(extra));
    EXPECT_TRUE(r.artist.opted_out()) << extra;
    EXPECT_THAT(r.warnings, ElementsAre(HasSubstr("; the artist is kept out of search"))) << extra;
  }
  EXPECT_THAT(ParseOk(Minimal(R"("opted_out":false,"optedOut":true)")).warnings,
              ElementsAre("optedOut: is true but opted_out is false; the artist is kept out of "
                          "search"));
  for (const char* extra : {R"("opted_out":true,"optedOut":true)", R"("optedOut":true)"}) {
    ParsedRecord r = ParseOk(Minimal(extra));
    EXPECT_TRUE(r.artist.opted_out()) << extra;
    EXPECT_THAT(r.warnings, IsEmpty()) << extra;
  }
  ParsedRecord shown = ParseOk(Minimal(R"("opted_out":false,"optedOut":false)"));
  EXPECT_FALSE(shown.artist.opted_out());
  EXPECT_THAT(shown.warnings, IsEmpty());
  // DynamoDB JSON alike.
  ParsedRecord item =
      ParseOk(R"({"Item":{"artistId":{"S":"a1"},"artistName":{"S":"Ann"},"latitude":{"N":"51.5"},)"
              R"("longitude":{"N":"-0.1"},"opted_out":{"BOOL":false},"optedOut":{"BOOL":true}}})");
  EXPECT_TRUE(item.artist.opted_out());
}

// 0 and 1 (DynamoDB numbers) are read as the booleans they spell.
TEST(ParseArtistRecord, VisibilityFlagsAcceptZeroAndOne) {
  ParsedRecord hidden = ParseOk(Minimal(R"("opted_out":1,"isActive":0)"));
  EXPECT_THAT(hidden.warnings, IsEmpty());
  EXPECT_TRUE(hidden.artist.opted_out());
  EXPECT_FALSE(hidden.artist.is_active());
  ParsedRecord shown = ParseOk(Minimal(R"("opted_out":0,"isActive":1)"));
  EXPECT_THAT(shown.warnings, IsEmpty());
  EXPECT_FALSE(shown.artist.opted_out());
  EXPECT_TRUE(shown.artist.is_active());
}

TEST(ParseArtistRecord, NextAvailableTimestampKeepsDate) {
  ParsedRecord r = ParseOk(Minimal(R"("availability":{"nextAvailable":"2026-03-01T10:00:00Z"})"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_EQ(r.artist.availability().next_available(), "2026-03-01");
}

// A date followed by anything but a time is not taken for the date.
TEST(ParseArtistRecord, DatesFollowedByJunkAreNotDates) {
  for (const char* value :
       {"2026-12-10T09:30", "2026-12-10T09:30:00.5+01:00", "2026-12-10 09:30Z"}) {
    ParsedRecord r = ParseOk(Minimal(absl::StrCat(
        R"("availability":{"nextAvailable":")", value, R"("},"guestSpots":[{"latitude":53.8,)",
        R"("longitude":-1.5,"from":")", value, R"(","to":")", value, R"("}])")));
    EXPECT_THAT(r.warnings, IsEmpty()) << value;
    EXPECT_EQ(r.artist.availability().next_available(), "2026-12-10") << value;
    ASSERT_EQ(r.artist.guest_spots_size(), 1) << value;
    EXPECT_EQ(r.artist.guest_spots(0).from(), "2026-12-10") << value;
    EXPECT_EQ(r.artist.guest_spots(0).to(), "2026-12-10") << value;
  }
  for (const char* value : {"2026-12-10Tgarbage", "2026-12-10T", "2026-12-10T25:00",
                            "2026-12-10T09:30junk", "2026-12-10x"}) {
    ParsedRecord r = ParseOk(Minimal(absl::StrCat(
        R"("availability":{"nextAvailable":")", value, R"("},"guestSpots":[{"latitude":53.8,)",
        R"("longitude":-1.5,"from":")", value, R"("}])")));
    EXPECT_EQ(r.artist.availability().next_available(), "") << value;
    EXPECT_EQ(r.artist.guest_spots_size(), 0) << value;
    EXPECT_THAT(r.warnings,
                ElementsAre(absl::StrCat("availability.nextAvailable: must be a date YYYY-MM-DD, "
                                         "got \"",
                                         value, "\""),
                            absl::StrCat("guestSpots[0].from: must be a date YYYY-MM-DD, got '",
                                         value, "'; guest spot ignored")))
        << value;
  }
}

TEST(ParseArtistRecord, GuestSpotsValidOnesKept) {
  ParsedRecord r = ParseOk(Minimal(
      R"("guestSpots":[)"
      R"({"latitude":53.48,"longitude":-2.24,"locationDisplay":"Manchester","locationCity":"Manchester",)"
      R"("locationCountry":"gb","from":"2026-05-01","to":"2026-05-03"},)"
      R"({"latitude":"48.85","longitude":2.35,"from":"2026-06-01"},)"
      R"({"latitude":40.4,"longitude":-3.7,"to":"2026-07-01"}])"));
  EXPECT_THAT(r.warnings, IsEmpty());
  ASSERT_EQ(r.artist.guest_spots_size(), 3);
  const GuestSpot& g = r.artist.guest_spots(0);
  EXPECT_EQ(g.location().latitude(), 53.48);
  EXPECT_EQ(g.location().longitude(), -2.24);
  EXPECT_EQ(g.location().display(), "Manchester");
  EXPECT_EQ(g.location().city(), "Manchester");
  EXPECT_EQ(g.location().country(), "GB");
  EXPECT_EQ(g.from(), "2026-05-01");
  EXPECT_EQ(g.to(), "2026-05-03");
  EXPECT_EQ(r.artist.guest_spots(1).location().latitude(), 48.85);
  EXPECT_EQ(r.artist.guest_spots(1).from(), "2026-06-01");
  EXPECT_EQ(r.artist.guest_spots(1).to(), "");
  EXPECT_EQ(r.artist.guest_spots(2).from(), "");
}

TEST(ParseArtistRecord, BadGuestSpotsAreDroppedWithWarnings) {
  ParsedRecord r =
      ParseOk(Minimal(R"("guestSpots":[)"
                      R"({"latitude":95,"longitude":0},)"
                      R"({"latitude":1},)"
                      R"({"latitude":1,"longitude":2,"from":"2026-02-30"},)"
                      R"({"latitude":1,"longitude":2,"from":"2026-05-03","to":"2026-05-01"},)"
                      R"({"latitude":1,"longitude":2,"to":5},)"
                      R"("Leeds",)"
                      R"({"latitude":1,"longitude":2,"from":"2024-02-29","to":"2024-03-01"}])"));
  ASSERT_EQ(r.artist.guest_spots_size(), 1);
  EXPECT_EQ(r.artist.guest_spots(0).from(), "2024-02-29");
  EXPECT_THAT(
      r.warnings,
      ElementsAre(
          "guestSpots[0].latitude: must be a number in [-90, 90], got 95; guest spot ignored",
          "guestSpots[1].longitude: missing; guest spot ignored",
          "guestSpots[2].from: must be a date YYYY-MM-DD, got '2026-02-30'; guest spot ignored",
          "guestSpots[3].from: must not be after to, got 2026-05-03 > 2026-05-01; guest spot "
          "ignored",
          "guestSpots[4].to: must be a date YYYY-MM-DD, got 5; guest spot ignored",
          "guestSpots[5]: must be an object, got string \"Leeds\"; guest spot ignored"));
}

TEST(ParseArtistRecord, NotJsonNamesThePosition) {
  EXPECT_THAT(ParseError(R"({"artistId":"a",,})"), StartsWith("json: "));
  EXPECT_THAT(ParseError(R"({"artistId":"a",,})"), HasSubstr(" at byte 16"));
  EXPECT_THAT(ParseError("not json"), StartsWith("json: "));
  EXPECT_THAT(ParseError(R"({"artistId":"a")"), StartsWith("json: "));
  EXPECT_THAT(ParseError("{\"artistId\":\"\xff\xfe\"}"), StartsWith("json: "));
}

// JSON allows integers of any size; simdjson does not. One in an optional
// field is the usual out-of-range warning, one in a field inkdex does not
// read changes nothing, one in a required field names that field.
TEST(ParseArtistRecord, IntegersBeyond64BitsAreCheckedLikeOtherNumbers) {
  ParsedRecord optional = ParseOk(Minimal(R"("reviewCount":123456789012345678901234)"));
  EXPECT_THAT(optional.warnings,
              ElementsAre("reviewCount: must be an integer in [0, 4294967295], got "
                          "1.2345678901234569e+23"));
  EXPECT_EQ(optional.artist.review_count(), 0u);

  ParsedRecord unread = ParseOk(Minimal(
      R"("styles":["tribal"],"portfolioImages":[{"id":-99999999999999999999999}],"rating":4.5)"));
  EXPECT_THAT(unread.warnings, IsEmpty());
  EXPECT_EQ(unread.artist.portfolio_image_count(), 1u);
  EXPECT_EQ(unread.artist.rating(), 4.5);
  EXPECT_THAT(unread.artist.styles(), ElementsAre("tribal"));

  EXPECT_EQ(ParseError(R"({"artistId":"a1","artistName":"Ann","latitude":)"
                       R"(100000000000000000000000,"longitude":1})"),
            "latitude: must be a number in [-90, 90], got 1e+23");
}

TEST(ParseArtistRecord, NumbersBeyondADoubleNameTheirField) {
  EXPECT_EQ(ParseError(Minimal(R"("pricing":{"hourlyRate":1e400})")),
            "json: number overflow parsing '1e400' at byte 93 (in pricing.hourlyRate)");
}

TEST(ParseArtistRecord, SyntaxErrorsNameTheirField) {
  EXPECT_THAT(ParseError(Minimal(R"("styles":["tribal",])")), HasSubstr("(in styles[1])"));
  EXPECT_THAT(ParseError(Minimal(R"("guestSpots":[{"latitude":1},{"latitude":01}])")),
              HasSubstr("(in guestSpots[1].latitude)"));
  // A leading zero reads as two numbers; the error is the first one's field.
  EXPECT_THAT(ParseError(Minimal(R"("pricing":{"hourlyRate":01})")),
              HasSubstr("(in pricing.hourlyRate)"));
  EXPECT_THAT(ParseError(Minimal(R"("styles":["traditional",00])")), HasSubstr("(in styles[1])"));
  EXPECT_THAT(ParseError(Minimal(R"("rating":-01)")), HasSubstr("(in rating)"));
  EXPECT_THAT(ParseError(Minimal(R"("rating":4 5)")), HasSubstr("(in rating)"));
  EXPECT_THAT(ParseError(R"({"artistId":"a",,})"), Not(HasSubstr("(in ")));
}

// The path of a number followed by an error is the number's own, however
// deep it is and whatever came before it at that depth.
TEST(ParseArtistRecord, SyntaxErrorsAfterNestedNumbersNameTheNumber) {
  EXPECT_THAT(ParseError(Minimal(R"("junk":[[1,2,[3,01]]])")), HasSubstr("(in junk[0][2][1])"));
  EXPECT_THAT(ParseError(Minimal(R"("junk":[[1,2,{"a":[4],"b":5 6}]])")),
              HasSubstr("(in junk[0][2].b)"));
  EXPECT_THAT(ParseError(Minimal(R"("junk":[[1,2,{"a":[4],"b":5,}]])")),
              HasSubstr("(in junk[0][2])"));
  std::string deep = R"("junk":)" + std::string(1000, '[');
  for (int i = 0; i < 5000; ++i) deep += "1,";
  deep += "00" + std::string(1000, ']');
  std::string path = "junk";
  for (int i = 0; i < 999; ++i) path += "[0]";
  EXPECT_THAT(ParseError(Minimal(deep)), HasSubstr("(in " + path + "[5000])"));
  EXPECT_THAT(ParseError(Minimal(R"("studioInfo":{"studioName":"S",}})")),
              HasSubstr("(in studioInfo)"));
}

// createdAt and updatedAt take the ISO-8601 forms the directory writes.
TEST(ParseArtistRecord, TimestampsInIsoFormsAreKept) {
  for (const char* value :
       {"2026-12-10", "2026-12-10T09:30Z", "2026-12-10T09:30:00Z", "2026-12-10T09:30:00.123Z",
        "2026-12-10T09:30:00+01:00", "2026-12-10T09:30:00-0500", "2026-12-10T09:30:59",
        "2026-12-10 09:30:00", "2026-12-10t09:30:00z"}) {
    ParsedRecord r = ParseOk(Minimal(absl::StrCat(R"("updatedAt":")", value, R"(")")));
    EXPECT_THAT(r.warnings, IsEmpty()) << value;
    EXPECT_EQ(r.artist.updated_at(), value);
  }
  for (const char* value : {"2026-12-10T", "2026-12-10_09:30", "2026-12-10T9:30Z",
                            "2026-12-10T09:30:00.Z", "2026-12-10T09:30:00+1", "2026-02-30"}) {
    ParsedRecord r = ParseOk(Minimal(absl::StrCat(R"("updatedAt":")", value, R"(")")));
    EXPECT_THAT(r.warnings, SizeIs(1)) << value;
    EXPECT_EQ(r.artist.updated_at(), "") << value;
  }
}

TEST(ParseArtistRecord, EmptyLineIsAnError) {
  EXPECT_EQ(ParseError(""), "json: empty record");
  EXPECT_EQ(ParseError(" \t\r\n"), "json: empty record");
}

}  // namespace
}  // namespace inkdex
