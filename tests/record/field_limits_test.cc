// Field size limits: parsed input is cut to fit with a warning per field;
// ValidateArtist (the API's check) refuses what does not fit.
#include "record/field_limits.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"
#include "record_test_util.h"

namespace inkdex {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ParseOk;

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

std::string Record(const std::string& extra) {
  return R"({"artistId":"a1","artistName":"Ann","latitude":51.5,"longitude":-0.1,)" + extra + "}";
}

TEST(FieldLimits, LongTextIsCutAtACharacterBoundaryWithAWarning) {
  // "é" is two bytes: a cut at an odd byte count must not split one.
  std::string bio;
  while (bio.size() < internal::kMaxBiographyBytes + 10) bio += "é";
  ParsedRecord r = ParseOk(Record(R"("biography":)" + Quoted(bio)));
  EXPECT_LE(r.artist.biography().size(), internal::kMaxBiographyBytes);
  EXPECT_GE(r.artist.biography().size(), internal::kMaxBiographyBytes - 1);
  EXPECT_EQ(r.artist.biography().size() % 2, 0u);
  EXPECT_THAT(r.warnings, Contains(HasSubstr("biography: ")));
  EXPECT_TRUE(ValidateArtist(r.artist).ok());
}

TEST(FieldLimits, LongListsKeepTheirFirstEntries) {
  std::string specialties = "[";
  std::string styles = "[";
  for (int i = 0; i < 100; ++i) {
    specialties += (i ? "," : "") + Quoted("motif" + std::to_string(i));
    styles += (i ? "," : "") + Quoted("nostyle" + std::to_string(i));
  }
  ParsedRecord r =
      ParseOk(Record(R"("specialties":)" + specialties + R"(],"styles":)" + styles + "]"));
  ASSERT_EQ(r.artist.specialties_size(), internal::kMaxListEntries);
  EXPECT_EQ(r.artist.specialties(0), "motif0");
  EXPECT_EQ(r.artist.unknown_styles_size(), internal::kMaxListEntries);
  EXPECT_THAT(r.warnings, Contains(HasSubstr("specialties: 100 entries; kept the first 64")));
  EXPECT_THAT(r.warnings, Contains(HasSubstr("36 more unknown style names ignored")));
  // One warning per dropped style would be thousands of lines for a broken
  // record: 64 named, one for the rest, one for the specialties.
  EXPECT_EQ(r.warnings.size(), 66u);
}

TEST(FieldLimits, ValidateArtistRefusesWhatDoesNotFit) {
  Artist a = ParseOk(Record(R"("styles":["blackwork"])")).artist;
  ASSERT_TRUE(ValidateArtist(a).ok());
  Artist long_name = a;
  long_name.set_name(std::string(internal::kMaxShortTextBytes + 1, 'n'));
  EXPECT_THAT(ValidateArtist(long_name).message(), HasSubstr("artistName: is 1025 bytes"));
  Artist long_bio = a;
  long_bio.set_biography(std::string(2'000'000, 'b'));
  EXPECT_THAT(ValidateArtist(long_bio).message(),
              HasSubstr("biography: is 2000000 bytes; at most 65536"));
  Artist many = a;
  for (int i = 0; i < 65; ++i) many.add_specialties("x");
  EXPECT_THAT(ValidateArtist(many).message(), HasSubstr("specialties: has 65 entries"));
  Artist veteran = a;
  veteran.set_years_active(100000);
  EXPECT_THAT(ValidateArtist(veteran).message(), HasSubstr("experience.yearsActive"));
  Artist studio = a;
  studio.mutable_studio()->set_address(std::string(5000, 'a'));
  EXPECT_THAT(ValidateArtist(studio).message(), HasSubstr("studioInfo.address"));
}

// A country is an ISO code, but any other text is kept as written: the
// limit of the other location fields holds for it too.
TEST(FieldLimits, LongCountriesAreCutAndRefused) {
  const std::string country(5000, 'c');
  ParsedRecord r = ParseOk(Record(
      R"("locationCountry":)" + Quoted(country) +
      R"(,"guestSpots":[{"latitude":53.8,"longitude":-1.5,"from":"2026-06-01","locationCountry":)" +
      Quoted(country) + "}]"));
  EXPECT_EQ(r.artist.location().country(), std::string(internal::kMaxShortTextBytes, 'c'));
  ASSERT_EQ(r.artist.guest_spots_size(), 1);
  EXPECT_EQ(r.artist.guest_spots(0).location().country(),
            std::string(internal::kMaxShortTextBytes, 'c'));
  EXPECT_THAT(r.warnings, Contains("locationCountry: 5000 bytes; cut to the first 1024"));
  EXPECT_THAT(r.warnings,
              Contains("guestSpots[0].locationCountry: 5000 bytes; cut to the first 1024"));
  EXPECT_TRUE(ValidateArtist(r.artist).ok());

  Artist home = r.artist;
  home.mutable_location()->set_country(country);
  EXPECT_EQ(ValidateArtist(home).message(), "locationCountry: is 5000 bytes; at most 1024");
  Artist spot = r.artist;
  spot.mutable_guest_spots(0)->mutable_location()->set_country(country);
  EXPECT_EQ(ValidateArtist(spot).message(),
            "guestSpots[0].locationCountry: is 5000 bytes; at most 1024");
}

TEST(FieldLimits, FittingCreatesNoAbsentSubmessage) {
  ParsedRecord r = ParseOk(Record(R"("styles":["blackwork"])"));
  EXPECT_THAT(r.warnings, IsEmpty());
  EXPECT_FALSE(r.artist.has_studio());
}

}  // namespace
}  // namespace inkdex
