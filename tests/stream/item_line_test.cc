// stream::ArtistItemLine: artist items written as `inkdex build
// --from-dynamodb`'s record lines straight from simdjson's DOM, checked
// against the lines made from nlohmann trees (ItemMapping::ArtistAttributes).
#include "stream/item_line.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "simdjson.h"
#include "stream/record_mapper.h"
#include "stream/stream_record_test_util.h"

namespace inkdex::stream {
namespace {

using nlohmann::json;
using testing::ArtistImage;
using testing::OtherMappers;
using testing::VariedItemTexts;

// The line of an artist item made from its tree, as the CLI's MapKeyedItem
// makes it for an item with DynamoDB-typed keys.
json LineFromTree(const ItemMapping& mapping, const ItemKind& kind, const json& item) {
  absl::StatusOr<std::string> id = mapping.ArtistId(kind, &item);
  json record = mapping.ArtistAttributes(item, id.ok() ? *id : "", nullptr);
  if (!id.ok()) record.erase("artistId");
  record["sourceRank"] = json{{"N", absl::StrCat(kind.sort_key_rank)}};
  return json{{"Item", std::move(record)}};
}

// Every artist item written from the DOM is the tree's line, value for
// value, under every mapping; the items it leaves are the ones it must.
TEST(ItemLineTest, LinesAreTheTreesLines) {
  const std::vector<std::unique_ptr<RecordMapper>> others = OtherMappers();
  const ItemMapping default_mapping = ItemMapping::Default();
  std::vector<const ItemMapping*> mappings = {&default_mapping};
  for (const auto& other : others) mappings.push_back(&other->mapping());
  int written = 0, left = 0;
  simdjson::dom::parser parser;
  for (const std::string& text : VariedItemTexts()) {
    simdjson::dom::element item;
    if (parser.parse(text).get(item) != simdjson::SUCCESS) continue;
    const absl::StatusOr<json> tree = dynamodb::ParseJson(text);
    ASSERT_TRUE(tree.ok()) << text;
    for (const ItemMapping* mapping : mappings) {
      const ItemKind kind = mapping->Classify(*tree);
      if (kind.kind != ItemKind::Kind::kArtist) continue;
      const std::optional<std::string> line = ArtistItemLine(*mapping, kind, item, 64);
      if (!line.has_value()) {
        ++left;
        continue;
      }
      ++written;
      EXPECT_FALSE(mapping->maps_fields()) << "a mapping the DOM's line does not serve";
      const absl::StatusOr<json> got = dynamodb::ParseJson(*line);
      ASSERT_TRUE(got.ok()) << *line;
      EXPECT_EQ(*got, LineFromTree(*mapping, kind, *tree)) << text;
      EXPECT_FALSE((*got)["Item"].contains(mapping->partition_key())) << "keys are dropped";
    }
  }
  EXPECT_GE(written, 10);
  EXPECT_GT(left, 0);
}

// What only the tree's reading can write.
TEST(ItemLineTest, ItemsTheDomCannotWriteAreLeft) {
  const ItemMapping mapping = ItemMapping::Default();
  simdjson::dom::parser parser;
  auto line_of = [&](const std::string& text) -> std::optional<std::string> {
    simdjson::dom::element item;
    EXPECT_EQ(parser.parse(text).get(item), simdjson::SUCCESS) << text;
    const absl::StatusOr<json> tree = dynamodb::ParseJson(text);
    EXPECT_TRUE(tree.ok()) << text;
    return ArtistItemLine(mapping, mapping.Classify(*tree), item, 64);
  };
  const json plain = ArtistImage("a1");
  EXPECT_TRUE(line_of(plain.dump()).has_value());
  json other_id = plain;
  other_id["artistId"] = {{"S", "b"}};
  EXPECT_FALSE(line_of(other_id.dump()).has_value()) << "the tree's warns and replaces it";
  json ranked = plain;
  ranked["sourceRank"] = {{"N", "9"}};
  EXPECT_FALSE(line_of(ranked.dump()).has_value());
  json number = plain;
  number["reviewCount"] = 12;
  EXPECT_FALSE(line_of(number.dump()).has_value()) << "a JSON number";
  json plain_key = plain;
  plain_key["PK"] = "ARTIST#a1";
  EXPECT_FALSE(line_of(plain_key.dump()).has_value()) << "an untyped key";
  std::string twice = plain.dump();
  twice.insert(1, R"("artistName":{"S":"Earlier"},)");
  EXPECT_FALSE(line_of(twice).has_value());
  json nested = plain;
  nested["pricing"] = {{"M", {{"hourlyRate", {{"S", "1"}}}}}};
  std::string nested_twice = nested.dump();
  const size_t at = nested_twice.find(R"("hourlyRate")");
  ASSERT_NE(at, std::string::npos);
  nested_twice.insert(at, R"("hourlyRate":{"S":"2"},)");
  EXPECT_FALSE(line_of(nested_twice).has_value()) << "a repeated key inside an attribute";
  // Nesting: the item is level 1 and max_depth is 64.
  auto nest = [&](int levels) {
    json value = {{"S", "x"}};
    for (int i = 0; i < levels; ++i) value = {{"L", json::array({value})}};
    json item = plain;
    item["deep"] = value;
    return item.dump();
  };
  EXPECT_TRUE(line_of(nest(31)).has_value()) << "64 levels";
  EXPECT_FALSE(line_of(nest(32)).has_value()) << "65 levels and more";
  // Strings that need escaping come back as they were.
  json escaped = plain;
  escaped["bio"] = {{"S", "quote \" backslash \\ tab \t newline \n bell \x07 é 東京"}};
  escaped["we\"ird\\key"] = {{"S", "x"}};
  const std::optional<std::string> line = line_of(escaped.dump());
  ASSERT_TRUE(line.has_value());
  const absl::StatusOr<json> back = dynamodb::ParseJson(*line);
  ASSERT_TRUE(back.ok()) << *line;
  EXPECT_EQ((*back)["Item"]["bio"], escaped["bio"]);
  EXPECT_EQ((*back)["Item"]["we\"ird\\key"], escaped["we\"ird\\key"]);
  EXPECT_EQ((*back)["Item"]["sourceRank"], (json{{"N", "1"}}));
}

}  // namespace
}  // namespace inkdex::stream
