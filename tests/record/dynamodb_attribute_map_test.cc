// MapDynamoDbAttributeMap: an attribute map held as an nlohmann::json (a
// stream image) must map exactly as ParseArtistRecord(kDynamoDbJson) maps its
// text: the same artist, warnings and errors, over hand-picked records and
// thousands of random ones (every attribute type, malformed values,
// non-finite numbers, strings that are not UTF-8), through an overlay.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inkdex/record.h"
#include "nlohmann/json.hpp"
#include "record_test_util.h"

namespace inkdex {
namespace {

using nlohmann::json;
using testing::DefaultTaxonomy;

const json kAbsent(json::value_t::discarded);

// The record's text: `image` with `replaced` applied, as dump() writes it.
std::string RecordText(const json& image, const json& replaced) {
  json record = image;
  if (replaced.is_object() && record.is_object()) {
    for (auto it = replaced.begin(); it != replaced.end(); ++it) {
      if (it->is_discarded()) {
        record.erase(it.key());
      } else {
        record[it.key()] = *it;
      }
    }
  }
  return record.dump(-1, ' ', false, json::error_handler_t::replace);
}

::testing::AssertionResult SameAsText(const json& image, const json& replaced = json::object()) {
  const std::string text = RecordText(image, replaced);
  absl::StatusOr<ParsedRecord> want =
      ParseArtistRecord(text, DefaultTaxonomy(), RecordFormat::kDynamoDbJson);
  absl::StatusOr<ParsedRecord> got = MapDynamoDbAttributeMap(image, replaced, DefaultTaxonomy());
  if (got.ok() != want.ok() || (!want.ok() && got.status() != want.status())) {
    return ::testing::AssertionFailure()
           << "text " << text << "\nwant " << want.status() << "\ngot  " << got.status();
  }
  if (!want.ok()) return ::testing::AssertionSuccess();
  if (::testing::AssertionResult same = testing::ArtistsEqual(want->artist, got->artist); !same) {
    return same << "\ntext " << text;
  }
  if (got->warnings != want->warnings) {
    return ::testing::AssertionFailure()
           << "text " << text << "\nwant warnings " << ::testing::PrintToString(want->warnings)
           << "\ngot warnings  " << ::testing::PrintToString(got->warnings);
  }
  return ::testing::AssertionSuccess();
}

json Valid() {
  return json{{"artistId", {{"S", "d1"}}},
              {"artistName", {{"S", "Dee"}}},
              {"latitude", {{"N", "10.5"}}},
              {"longitude", {{"N", "-20"}}}};
}

TEST(DynamoDbAttributeMap, TheExampleRecord) {
  const json line = json::parse(testing::kExampleDynamoDbLine);
  const json& item = line["Item"];
  ASSERT_TRUE(SameAsText(item));
  absl::StatusOr<ParsedRecord> r = MapDynamoDbAttributeMap(item, json(), DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(testing::ArtistsEqual(testing::ParseOk(testing::kExampleLine).artist, r->artist));
}

TEST(DynamoDbAttributeMap, MembersAreReadThroughTheOverlay) {
  json image = Valid();
  image["PK"] = {{"S", "ARTIST#d1"}};
  json replaced{{"artistName", {{"S", "Replaced"}}}, {"PK", kAbsent}, {"rating", {{"N", "4"}}}};
  absl::StatusOr<ParsedRecord> r = MapDynamoDbAttributeMap(image, replaced, DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->artist.name(), "Replaced");
  EXPECT_EQ(r->artist.rating(), 4);
  EXPECT_TRUE(SameAsText(image, replaced));

  // A discarded member is absent, even when the image has it.
  replaced = json{{"latitude", kAbsent}};
  r = MapDynamoDbAttributeMap(image, replaced, DefaultTaxonomy());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "latitude: missing");
  EXPECT_TRUE(SameAsText(image, replaced));

  // Only the top level is overlaid: a nested map is the replaced one, whole.
  image["pricing"] = {{"M", {{"hourlyRate", {{"N", "100"}}}, {"currency", {{"S", "GBP"}}}}}};
  replaced = json{{"pricing", {{"M", {{"hourlyRate", {{"N", "150"}}}}}}}};
  r = MapDynamoDbAttributeMap(image, replaced, DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->artist.pricing().hourly_rate(), 150);
  EXPECT_TRUE(SameAsText(image, replaced));
}

TEST(DynamoDbAttributeMap, StringsThatAreNotUtf8ReadAsTheTextWouldHoldThem) {
  json image = Valid();
  image["artistName"] = {{"S", "Dee \xff\xfe Ink \xc3"}};
  image["biography"] = {{"S", std::string("bio \x80 end")}};
  image["styles"] = {{"SS", {"koi\xff", "blackwork"}}};
  EXPECT_TRUE(SameAsText(image));
  absl::StatusOr<ParsedRecord> r = MapDynamoDbAttributeMap(image, json(), DefaultTaxonomy());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->artist.name(), ::testing::HasSubstr("\xef\xbf\xbd"));  // U+FFFD
  EXPECT_THAT(r->artist.name(), ::testing::Not(::testing::HasSubstr("\xff")));

  // In a required field's error message too.
  image["artistId"] = {{"S", std::string("\x01\xff")}};
  EXPECT_TRUE(SameAsText(image));
}

TEST(DynamoDbAttributeMap, NonFiniteNumbersReadAsNull) {
  json image = Valid();
  image["rating"] = std::numeric_limits<double>::quiet_NaN();
  image["reviewCount"] = std::numeric_limits<double>::infinity();
  image["styles"] = {{"L", {-std::numeric_limits<double>::infinity(), {{"S", "koi"}}}}};
  EXPECT_TRUE(SameAsText(image));
  image["latitude"] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(SameAsText(image));
}

TEST(DynamoDbAttributeMap, NotAnObject) {
  for (const json& image : {json::array({1}), json("text"), json(), json(3.5)}) {
    EXPECT_TRUE(SameAsText(image, json())) << image.dump();
  }
}

// Random attribute maps: the fields the mapper reads (and others), holding
// values of every attribute type, malformed ones and plain JSON values.
class RandomImages {
 public:
  explicit RandomImages(uint32_t seed) : rng_(seed) {}

  json Image() {
    json image = json::object();
    if (Chance(0.8)) image = Valid();
    const int members = Int(0, 12);
    for (int i = 0; i < members; ++i) image[Pick(kTopNames)] = Value(0);
    return image;
  }

  // Members replaced or dropped, for the overlay.
  json Overlay() {
    json replaced = json::object();
    const int members = Int(0, 3);
    for (int i = 0; i < members; ++i) replaced[Pick(kTopNames)] = Chance(0.3) ? kAbsent : Value(0);
    return replaced;
  }

 private:
  static constexpr const char* kTopNames[] = {"artistId",
                                              "artistName",
                                              "name",
                                              "latitude",
                                              "longitude",
                                              "locationDisplay",
                                              "location",
                                              "locationCity",
                                              "locationCountry",
                                              "instagramHandle",
                                              "styles",
                                              "unknownStyles",
                                              "specialties",
                                              "biography",
                                              "bio",
                                              "rating",
                                              "reviewCount",
                                              "studioInfo",
                                              "studioName",
                                              "pricing",
                                              "availability",
                                              "experience",
                                              "portfolioImages",
                                              "portfolioImageCount",
                                              "guestSpots",
                                              "opted_out",
                                              "optedOut",
                                              "isActive",
                                              "createdAt",
                                              "updatedAt",
                                              "version",
                                              "sourceRank",
                                              "streamSequence",
                                              "PK",
                                              "SK",
                                              "geohash"};
  static constexpr const char* kInnerNames[] = {
      "studioId",        "studioName", "address",     "postcode",      "hourlyRate",
      "minimumCharge",   "currency",   "bookingOpen", "nextAvailable", "waitingList",
      "yearsActive",     "latitude",   "longitude",   "from",          "to",
      "locationDisplay", "url",        "city"};
  static constexpr const char* kStrings[] = {"",
                                             "koi",
                                             "Neo Trad",
                                             "blackwork",
                                             "fine-line",
                                             "mystery style",
                                             "2026-01-01",
                                             "2026-13-40",
                                             "4.5",
                                             "-3",
                                             "1e400",
                                             "127",
                                             "true",
                                             "false",
                                             "GBP",
                                             "usd",
                                             "Shoreditch, London",
                                             "caf\xc3\xa9",
                                             "bad \xff utf8",
                                             "\xc3",
                                             "tab\tand\nnewline",
                                             "quote \" and \\",
                                             "koi, dotwork, tribal",
                                             "0",
                                             "18446744073709551616",
                                             "NaN"};

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <size_t N>
  const char* Pick(const char* const (&names)[N]) {
    return names[Int(0, N - 1)];
  }
  json String() { return json(Pick(kStrings)); }
  json Strings() {
    json list = json::array();
    const int n = Int(0, 4);
    for (int i = 0; i < n; ++i) list.push_back(Chance(0.9) ? String() : Plain());
    return list;
  }
  json Map(int depth) {
    json map = json::object();
    const int n = Int(0, 5);
    for (int i = 0; i < n; ++i) map[Pick(kInnerNames)] = Value(depth + 1);
    return map;
  }
  // A plain JSON value where an attribute value belongs.
  json Plain() {
    switch (Int(0, 8)) {
      case 0:
        return json(Int(-5, 5));
      case 1:
        return json(static_cast<uint64_t>(1) << 63);
      case 2:
        return json(Int(0, 100) / 8.0);
      case 3:
        return json(std::numeric_limits<double>::quiet_NaN());
      case 4:
        return String();
      case 5:
        return json(Chance(0.5));
      case 6:
        return json();
      case 7:
        return json::array({1, "a"});
      default:
        return json::object();
    }
  }
  json Value(int depth) {
    const bool deep = depth < 3;
    switch (Int(0, 14)) {
      case 0:
      case 1:
        return json{{"S", String()}};
      case 2:
      case 3:
        return json{{"N", String()}};
      case 4:
        return json{{"BOOL", Chance(0.5)}};
      case 5:
        return json{{"NULL", true}};
      case 6:
        return deep ? json{{"M", Map(depth)}} : json{{"M", json::object()}};
      case 7: {
        json list = json::array();
        const int n = deep ? Int(0, 3) : 0;
        for (int i = 0; i < n; ++i)
          list.push_back(Chance(0.5) ? json{{"M", Map(depth)}} : Value(depth + 1));
        return json{{"L", list}};
      }
      case 8:
        return json{{"SS", Strings()}};
      case 9:
        return json{{"NS", Strings()}};
      case 10:
        return json{{"B", "AAEC"}};
      case 11:
        return json{{"S", String()}, {"N", "1"}};  // two descriptors
      case 12:
        return json{{Chance(0.5) ? "S" : "X", Plain()}};  // wrong payload or descriptor
      default:
        return Plain();
    }
  }

  std::mt19937 rng_;
};

// DynamoDbAttributeMapHiddenBy hides exactly the artists that the mapping
// of the same map (were it valid) keeps out of search, for every spelling
// of each flag, valid or not; and says why.
TEST(DynamoDbAttributeMap, HiddenByAgreesWithTheMappedVisibility) {
  const json values[] = {
      {{"BOOL", true}},       {{"BOOL", false}},
      {{"S", "true"}},        {{"S", "false"}},
      {{"S", "yes"}},         {{"S", ""}},
      {{"N", "0"}},           {{"N", "1"}},
      {{"N", "2"}},           {{"N", "1.0"}},
      {{"N", "-1"}},          {{"NULL", true}},
      {{"L", json::array()}}, {{"M", json::object()}},
      {{"SS", {"true"}}},
  };
  int checked = 0;
  for (const char* name : {"opted_out", "optedOut", "isActive"}) {
    for (const json& value : values) {
      json image = Valid();
      image[name] = value;
      absl::StatusOr<ParsedRecord> parsed =
          MapDynamoDbAttributeMap(image, json(), DefaultTaxonomy());
      ASSERT_TRUE(parsed.ok()) << name << " " << value.dump() << ": " << parsed.status();
      const bool hidden = parsed->artist.opted_out() || !parsed->artist.is_active();
      const std::optional<std::string> why = DynamoDbAttributeMapHiddenBy(image);
      EXPECT_EQ(why.has_value(), hidden) << name << " " << value.dump() << ": " << why.value_or("");
      if (why) {
        EXPECT_THAT(*why, ::testing::StartsWith(name));
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 45);
  json image = Valid();
  EXPECT_EQ(DynamoDbAttributeMapHiddenBy(image), std::nullopt);
  image["isActive"] = {{"N", "0"}};
  EXPECT_EQ(DynamoDbAttributeMapHiddenBy(image), "isActive is false");
  image["optedOut"] = {{"S", "yes"}};
  EXPECT_EQ(DynamoDbAttributeMapHiddenBy(image), "optedOut is not true or false (string \"yes\")")
      << "the first flag that hides, in the order opted_out, optedOut, isActive";
  EXPECT_EQ(DynamoDbAttributeMapHiddenBy(json("not a map")), std::nullopt);
}

TEST(DynamoDbAttributeMap, RandomRecordsMapAsTheirText) {
  RandomImages random(20261202);
  int mapped = 0;
  for (int i = 0; i < 4000; ++i) {
    const json image = random.Image();
    const json replaced = i % 2 == 0 ? json::object() : random.Overlay();
    ASSERT_TRUE(SameAsText(image, replaced)) << "case " << i << ", overlay " << replaced.dump();
    if (MapDynamoDbAttributeMap(image, replaced, DefaultTaxonomy()).ok()) ++mapped;
  }
  // Both outcomes are exercised.
  EXPECT_GT(mapped, 400);
  EXPECT_LT(mapped, 3600);
}

}  // namespace
}  // namespace inkdex
