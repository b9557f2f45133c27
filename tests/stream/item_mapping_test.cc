// ItemMapping: the data-model default, mapping files (every error names the
// file, the JSON path and the reason), and applying field renames.
#include "stream/item_mapping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"

namespace inkdex::stream {
namespace {

using nlohmann::json;

json Keys(const std::string& pk, const std::string& sk) {
  return json{{"PK", {{"S", pk}}}, {"SK", {{"S", sk}}}};
}

TEST(ItemMappingTest, DefaultRecognizesArtistItemsByPkAndSk) {
  const ItemMapping mapping = ItemMapping::Default();
  ItemKind kind = mapping.Classify(Keys("ARTIST#artist-001", "METADATA"));
  EXPECT_EQ(kind.kind, ItemKind::Kind::kArtist);
  EXPECT_EQ(kind.artist_id, "artist-001");
  kind = mapping.Classify(Keys("ARTIST#a2", "PROFILE"));  // older items
  EXPECT_EQ(kind.kind, ItemKind::Kind::kArtist);
  EXPECT_EQ(kind.artist_id, "a2");
}

TEST(ItemMappingTest, DefaultNamesOtherItemTypes) {
  const ItemMapping mapping = ItemMapping::Default();
  struct Case {
    json item;
    std::string type;
  } cases[] = {
      {Keys("STUDIO#s1", "PROFILE"), "STUDIO"},
      {Keys("STYLE#koi", "METADATA"), "STYLE"},
      {Keys("ARTIST#a1", "REVIEW#2026-01-01"), "ARTIST/REVIEW"},
      {Keys("", "METADATA"), "(empty partition key)"},
      {Keys("BOOKING", "x"), "BOOKING"},
  };
  for (const Case& c : cases) {
    ItemKind kind = mapping.Classify(c.item);
    EXPECT_EQ(kind.kind, ItemKind::Kind::kOther) << c.item.dump();
    EXPECT_EQ(kind.item_type, c.type) << c.item.dump();
  }
}

TEST(ItemMappingTest, ItemTypesAreBoundedInLength) {
  ItemKind kind = ItemMapping::Default().Classify(Keys(std::string(1000, 'X'), "METADATA"));
  EXPECT_EQ(kind.kind, ItemKind::Kind::kOther);
  EXPECT_EQ(kind.item_type.size(), 64u);
}

TEST(ItemMappingTest, PlainStringKeysAndMissingKeys) {
  const ItemMapping mapping = ItemMapping::Default();
  EXPECT_EQ(mapping.Classify(json{{"PK", "ARTIST#x"}, {"SK", "METADATA"}}).kind,
            ItemKind::Kind::kArtist);
  // Without its sort key (a hand-written line), the partition key decides.
  EXPECT_EQ(mapping.Classify(json{{"PK", "ARTIST#x"}}).kind, ItemKind::Kind::kArtist);
  EXPECT_EQ(mapping.Classify(json{{"artistId", {{"S", "x"}}}}).kind, ItemKind::Kind::kNoKey);
  EXPECT_EQ(mapping.Classify(json{{"PK", {{"N", "1"}}}}).kind, ItemKind::Kind::kNoKey);
  EXPECT_EQ(mapping.Classify(json::array()).kind, ItemKind::Kind::kNoKey);
  EXPECT_EQ(mapping.Classify(json("text")).kind, ItemKind::Kind::kNoKey);
}

TEST(ItemMappingTest, ArtistIdFromPartitionKey) {
  const ItemMapping mapping = ItemMapping::Default();
  absl::StatusOr<std::string> id =
      mapping.ArtistId(mapping.Classify(Keys("ARTIST#a9", "METADATA")), nullptr);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "a9");
  id = mapping.ArtistId(mapping.Classify(Keys("ARTIST#", "METADATA")), nullptr);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().message(), "PK: no artist id after 'ARTIST#'");
}

TEST(ItemMappingTest, ArtistAttributesSetIdDropKeysAndWarnOnDisagreement) {
  const ItemMapping mapping = ItemMapping::Default();
  json image = Keys("ARTIST#a1", "METADATA");
  image["artistId"] = {{"S", "other"}};
  image["artistName"] = {{"S", "Ann"}};
  std::vector<std::string> warnings;
  json record = mapping.ArtistAttributes(image, "a1", &warnings);
  EXPECT_EQ(record, (json{{"artistId", {{"S", "a1"}}}, {"artistName", {{"S", "Ann"}}}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(absl::StrContains(warnings[0], "artistId: 'other' differs")) << warnings[0];
}

constexpr char kCustom[] = R"({
  "description": "a table keyed by tattooist",
  "partitionKey": "pk",
  "sortKey": "sk",
  "artistItems": {"partitionKey": "TATTOOIST#*", "sortKey": "PROFILE*"},
  "artistId": {"from": "attribute", "attribute": "tattooistId"},
  "fields": {
    "artistName": "displayName",
    "latitude": "geo.lat",
    "longitude": "geo.lng",
    "studioInfo.studioName": "studio",
    "opted_out": "hidden"
  }
})";

TEST(ItemMappingTest, ParsesACustomMapping) {
  absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse(kCustom, "custom.json");
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->partition_key(), "pk");
  EXPECT_EQ(mapping->sort_key(), "sk");
  EXPECT_EQ(mapping->id_source(), ItemMapping::IdSource::kAttribute);
  EXPECT_EQ(mapping->id_attribute(), "tattooistId");
  ASSERT_EQ(mapping->fields().size(), 5u);

  json item{{"pk", {{"S", "TATTOOIST#7"}}}, {"sk", {{"S", "PROFILE#v2"}}}};
  ItemKind kind = mapping->Classify(item);
  EXPECT_EQ(kind.kind, ItemKind::Kind::kArtist);
  EXPECT_EQ(mapping->Classify(json{{"pk", {{"S", "ARTIST#7"}}}, {"sk", {{"S", "PROFILE"}}}}).kind,
            ItemKind::Kind::kOther);
  absl::StatusOr<std::string> id = mapping->ArtistId(kind, &item);
  EXPECT_EQ(id.status().message(), "tattooistId: missing");
  item["tattooistId"] = {{"N", "7"}};
  EXPECT_EQ(mapping->ArtistId(kind, &item).status().message(),
            "tattooistId: must be a string attribute (S)");
  item["tattooistId"] = {{"S", "t-7"}};
  ASSERT_EQ(mapping->ArtistId(kind, &item).value_or(""), "t-7");

  item["displayName"] = {{"S", "Kai"}};
  item["artistName"] = {{"S", "stale name"}};  // the mapped field's own name is ignored
  item["geo"] = {{"M", {{"lat", {{"N", "51.5"}}}, {"lng", {{"N", "-0.1"}}}}}};
  item["studio"] = {{"S", "Ink Co"}};
  item["hidden"] = {{"BOOL", true}};
  item["latitude"] = {{"N", "10"}};
  std::vector<std::string> warnings;
  json record = mapping->ArtistAttributes(item, "t-7", &warnings);
  EXPECT_EQ(record["artistName"], (json{{"S", "Kai"}}));
  EXPECT_EQ(record["latitude"], (json{{"N", "51.5"}}));
  EXPECT_EQ(record["longitude"], (json{{"N", "-0.1"}}));
  EXPECT_EQ(record["studioInfo"], (json{{"M", {{"studioName", {{"S", "Ink Co"}}}}}}));
  EXPECT_EQ(record["opted_out"], (json{{"BOOL", true}}));
  EXPECT_EQ(record["artistId"], (json{{"S", "t-7"}}));
  EXPECT_FALSE(record.contains("pk"));
  EXPECT_FALSE(record.contains("sk"));
  EXPECT_TRUE(warnings.empty());

  // A path that leads nowhere leaves the field absent, and says so.
  item.erase("geo");
  record = mapping->ArtistAttributes(item, "t-7", &warnings);
  EXPECT_FALSE(record.contains("latitude"));
  EXPECT_EQ(mapping->ExplainReason("latitude: missing"), "latitude: missing (mapped from geo.lat)");
  EXPECT_EQ(mapping->ExplainReason("rating: bad"), "rating: bad");
}

TEST(ItemMappingTest, SwappedFieldsReadTheOriginalValues) {
  absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse(
      R"({"fields": {"latitude": "longitude", "longitude": "latitude"}})", "swap.json");
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  json image{{"latitude", {{"N", "1"}}}, {"longitude", {{"N", "2"}}}};
  json record = mapping->ArtistAttributes(image, "a", nullptr);
  EXPECT_EQ(record["latitude"], (json{{"N", "2"}}));
  EXPECT_EQ(record["longitude"], (json{{"N", "1"}}));
}

// The stream maps an image through its overlay without copying it; that must
// be the artist of the record ArtistAttributes builds, warnings included.
TEST(ItemMappingTest, TheImageThroughItsOverlayIsTheAttributesRecord) {
  struct Case {
    std::string mapping;  // mapping file text; "" for the default
    json image;
    std::string id;
  };
  json custom_item{{"pk", {{"S", "TATTOOIST#7"}}},
                   {"sk", {{"S", "PROFILE#v2"}}},
                   {"tattooistId", {{"S", "t-7"}}},
                   {"displayName", {{"S", "Kai \"K\" Lee\n\u00e9"}}},
                   {"artistName", {{"S", "stale name"}}},
                   {"geo", {{"M", {{"lat", {{"N", "51.5"}}}, {"lng", {{"N", "-0.1"}}}}}}},
                   {"studio", {{"S", "Ink Co"}}},
                   {"studioInfo", {{"M", {{"address", {{"S", "1 Road"}}}}}}},
                   {"hidden", {{"BOOL", true}}},
                   {"styles", {{"SS", {"koi", "blackwork"}}}}};
  json custom_without_geo = custom_item;
  custom_without_geo.erase("geo");
  custom_without_geo["studioInfo"] = {{"S", "not a map"}};
  json default_item = Keys("ARTIST#a1", "METADATA");
  default_item["artistId"] = {{"S", "other"}};
  default_item["artistName"] = {{"S", "Ann"}};
  default_item["rating"] = {{"N", "4.5"}};
  default_item["pricing"] = {{"M", {{"hourlyRate", {{"N", "120"}}}}}};
  default_item["nothing"] = {{"NULL", true}};
  const Case cases[] = {
      {"", default_item, "a1"},
      {"", default_item, "other"},
      {"", Keys("ARTIST#a2", "METADATA"), "a2"},
      {kCustom, custom_item, "t-7"},
      {kCustom, custom_without_geo, "t-7"},
      {R"({"fields": {"latitude": "longitude", "longitude": "latitude"}})",
       json{{"latitude", {{"N", "1"}}}, {"longitude", {{"N", "2"}}}, {"PK", {{"S", "ARTIST#a"}}}},
       "a"},
      {R"({"fields": {"latitude": "lat"}})", json{{"longitude", {{"N", "2"}}}}, "a"},
  };
  const absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status();
  for (const Case& c : cases) {
    absl::StatusOr<ItemMapping> mapping =
        c.mapping.empty() ? ItemMapping::Default() : ItemMapping::Parse(c.mapping, "m.json");
    ASSERT_TRUE(mapping.ok()) << mapping.status();
    std::vector<std::string> attribute_warnings;
    std::vector<std::string> overlay_warnings;
    const json record = mapping->ArtistAttributes(c.image, c.id, &attribute_warnings);
    const json overlay = mapping->ArtistOverlay(c.image, c.id, &overlay_warnings);
    EXPECT_EQ(overlay_warnings, attribute_warnings) << c.image.dump();
    absl::StatusOr<ParsedRecord> want =
        ParseArtistRecord(record.dump(), *taxonomy, RecordFormat::kDynamoDbJson);
    absl::StatusOr<ParsedRecord> got = MapDynamoDbAttributeMap(c.image, overlay, *taxonomy);
    ASSERT_EQ(got.ok(), want.ok()) << c.image.dump() << "\n"
                                   << got.status() << "\n"
                                   << want.status();
    if (!want.ok()) {
      EXPECT_EQ(got.status(), want.status());
      continue;
    }
    EXPECT_EQ(got->artist.SerializeAsString(), want->artist.SerializeAsString())
        << c.image.dump() << "\n"
        << got->artist.DebugString() << "\n"
        << want->artist.DebugString();
    EXPECT_EQ(got->warnings, want->warnings) << c.image.dump();
  }
}

TEST(ItemMappingTest, EmptyObjectIsTheDefaultAndTableWithoutSortKey) {
  absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse("{}", "empty.json");
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->Classify(Keys("ARTIST#a", "PROFILE")).kind, ItemKind::Kind::kArtist);
  EXPECT_EQ(mapping->Classify(Keys("ARTIST#a", "REVIEW#1")).kind, ItemKind::Kind::kOther);

  mapping = ItemMapping::Parse(R"({"partitionKey": "id", "sortKey": null,
                                   "artistItems": {"partitionKey": "*"}})",
                               "nosk.json");
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  ItemKind kind = mapping->Classify(json{{"id", {{"S", "artist-1"}}}});
  EXPECT_EQ(kind.kind, ItemKind::Kind::kArtist);
  EXPECT_EQ(kind.artist_id, "artist-1");
}

TEST(ItemMappingTest, EveryErrorNamesTheFileThePathAndTheReason) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"{", "m.json: not valid JSON: parse error at line 1, column 2"},
      {"[]", "m.json: $: must be an object, got array"},
      {R"({"fileds": {}})",
       "m.json: $.fileds: unknown member (known: description, partitionKey, "
       "sortKey, artistItems, artistId, fields)"},
      {R"({"description": 1})", "m.json: $.description: must be a string, got number"},
      {R"({"partitionKey": 5})",
       "m.json: $.partitionKey: must be a string (an attribute name), got number"},
      {R"({"partitionKey": ""})", "m.json: $.partitionKey: must not be empty"},
      {R"({"sortKey": true})",
       "m.json: $.sortKey: must be a string (an attribute name), got "
       "boolean"},
      {R"({"artistItems": []})", "m.json: $.artistItems: must be an object, got array"},
      {R"({"artistItems": {"pk": "A*"}})",
       "m.json: $.artistItems.pk: unknown member (known: partitionKey, sortKey)"},
      {R"({"artistItems": {"partitionKey": "A*B*"}})",
       "m.json: $.artistItems.partitionKey: '*' may only end a pattern (a prefix)"},
      {R"({"artistItems": {"partitionKey": ""}})",
       "m.json: $.artistItems.partitionKey: must not be empty"},
      {R"({"artistItems": {"partitionKey": 3}})",
       "m.json: $.artistItems.partitionKey: must be a string (exact text, or a prefix ending in "
       "'*'), got number"},
      {R"({"artistItems": {"partitionKey": "ARTIST"}})",
       "m.json: $.artistItems.partitionKey: the artist id comes from the partition key "
       "($.artistId), so the pattern must end in '*'"},
      {R"({"artistItems": {"sortKey": []}})",
       "m.json: $.artistItems.sortKey: must hold at least one pattern"},
      {R"({"artistItems": {"sortKey": ["METADATA", 4]}})",
       "m.json: $.artistItems.sortKey[1]: must be a string"},
      {R"({"sortKey": "", "artistItems": {"sortKey": "X"}})",
       "m.json: $.artistItems.sortKey: the table has no sort key"},
      {R"({"artistId": "partitionKey"})", "m.json: $.artistId: must be an object"},
      {R"({"artistId": {"from": "sk"}})",
       "m.json: $.artistId.from: must be \"partitionKey\" or \"attribute\""},
      {R"({"artistId": {}})", "m.json: $.artistId.from: must be \"partitionKey\" or"},
      {R"({"artistId": {"from": "attribute"}})", "m.json: $.artistId.attribute: missing"},
      {R"({"artistId": {"from": "attribute", "attribute": 1}})",
       "m.json: $.artistId.attribute: must be a string"},
      {R"({"artistId": {"from": "partitionKey", "attribute": "x"}})",
       "m.json: $.artistId.attribute: only with \"from\": \"attribute\""},
      {R"({"artistId": {"from": "attribute", "attribute": "id", "x": 1}})",
       "m.json: $.artistId.x: unknown member (known: from, attribute)"},
      {R"({"fields": []})", "m.json: $.fields: must be an object"},
      {R"({"fields": {"latitude": 1}})",
       "m.json: $.fields.latitude: must be a string (an attribute path such as \"geo.lat\"), got "
       "number"},
      {R"({"fields": {"latitude": ""}})", "m.json: $.fields.latitude: must not be empty"},
      {R"({"fields": {"latitude": "geo..lat"}})",
       "m.json: $.fields.latitude: attribute path 'geo..lat': empty name between dots"},
      {R"({"fields": {"artistNme": "n"}})",
       "m.json: $.fields.artistNme: unknown record field 'artistNme'"},
      {R"({"fields": {"artistId": "id"}})",
       "m.json: $.fields.artistId: the artist id is set by $.artistId"},
      {R"({"fields": {"rating.value": "r"}})",
       "m.json: $.fields.rating.value: a dotted field must be <map field>.<member>"},
      {R"({"fields": {"pricing.a.b": "r"}})",
       "m.json: $.fields.pricing.a.b: a dotted field must be <map field>.<member>"},
      {R"({"fields": {".x": "r"}})", "m.json: $.fields..x: field '.x': empty name between dots"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse(c.text, "m.json");
    ASSERT_FALSE(mapping.ok()) << c.text;
    EXPECT_EQ(mapping.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_TRUE(absl::StartsWith(mapping.status().message(), c.message))
        << c.text << "\n  got: " << mapping.status().message() << "\n  want: " << c.message;
  }
}

TEST(ItemMappingTest, LoadItemMappingReadsAFileAndNamesIt) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/item_mapping_test_" + std::to_string(getpid()) + ".json";
  {
    std::ofstream out(path);
    out << R"({"fields": {"artistName": "displayName"}})";
  }
  absl::StatusOr<ItemMapping> mapping = LoadItemMapping(path);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->fields().at(0).source_name, "displayName");
  {
    std::ofstream out(path);
    out << R"({"fields": {"artistName": 7}})";
  }
  mapping = LoadItemMapping(path);
  EXPECT_EQ(mapping.status().message(),
            path +
                ": $.fields.artistName: must be a string (an attribute path such as "
                "\"geo.lat\"), got number");
  std::filesystem::remove(path);
  mapping = LoadItemMapping(path);
  EXPECT_EQ(mapping.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mapping.status().message(),
            path + ": cannot read the mapping file: No such file or directory");
}

// The shipped example is the default, written out.
TEST(ItemMappingTest, ShippedExampleEqualsTheDefault) {
  const std::string path = std::string(INKDEX_SOURCE_DIR) + "/data/dynamodb-mapping.example.json";
  absl::StatusOr<ItemMapping> example = LoadItemMapping(path);
  ASSERT_TRUE(example.ok()) << example.status();
  const ItemMapping def = ItemMapping::Default();
  EXPECT_EQ(example->partition_key(), def.partition_key());
  EXPECT_EQ(example->sort_key(), def.sort_key());
  EXPECT_EQ(example->artist_partition_key().ToString(), def.artist_partition_key().ToString());
  ASSERT_EQ(example->artist_sort_keys().size(), def.artist_sort_keys().size());
  for (size_t i = 0; i < def.artist_sort_keys().size(); ++i) {
    EXPECT_EQ(example->artist_sort_keys()[i].ToString(), def.artist_sort_keys()[i].ToString());
  }
  EXPECT_EQ(example->id_source(), def.id_source());
  EXPECT_TRUE(example->fields().empty());
}

TEST(ItemMappingTest, TheFingerprintFollowsWhatTheMappingDoesNotHowItIsWritten) {
  auto fingerprint = [](const char* text) {
    absl::StatusOr<ItemMapping> mapping = ItemMapping::Parse(text, "m.json");
    EXPECT_TRUE(mapping.ok()) << mapping.status();
    return mapping.ok() ? mapping->Fingerprint() : std::string();
  };
  const std::string def = ItemMapping::Default().Fingerprint();
  EXPECT_EQ(def.size(), 16u);
  EXPECT_EQ(fingerprint("{}"), def);
  EXPECT_EQ(fingerprint(R"({"description": "same thing", "partitionKey": "PK",
                            "artistItems": {"sortKey": ["PROFILE", "METADATA"]}})"),
            def);
  EXPECT_EQ(fingerprint(R"({"fields": {"artistName": "displayName", "latitude": "geo.lat"}})"),
            fingerprint(R"({"fields": {"latitude": "geo.lat", "artistName": "displayName"}})"));
  for (const char* changed :
       {R"({"artistItems": {"sortKey": ["METADATA"]}})", R"({"partitionKey": "pk"})",
        R"({"fields": {"artistName": "displayName"}})",
        R"({"artistId": {"from": "attribute", "attribute": "artistId"}})"}) {
    EXPECT_NE(fingerprint(changed), def) << changed;
  }
}

}  // namespace
}  // namespace inkdex::stream
