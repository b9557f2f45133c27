// The CLI's table items read straight from simdjson's DOM (MapKeyedItemFromDom,
// and MapKeyedLine through it) give what MapKeyedItem gives from the item's
// nlohmann tree: the same other-item types, the same record lines (as JSON
// values) and warnings, under the default mapping, lower-case keys and
// mappings the DOM reading leaves to the trees.
#include "inkdex/item_type.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "simdjson.h"
#include "stream/record_mapper.h"
#include "stream/stream_record_test_util.h"

namespace inkdex::cli {
namespace {

using nlohmann::json;
using stream::ItemKind;
using stream::ItemMapping;

// Two KeyedItems alike: lines compared as JSON values.
void ExpectSame(const KeyedItem& got, const KeyedItem& want, const std::string& text) {
  EXPECT_EQ(got.other_type, want.other_type) << text;
  EXPECT_EQ(got.warnings, want.warnings) << text;
  if (got.line.empty() || want.line.empty()) {
    EXPECT_EQ(got.line, want.line) << text;
    return;
  }
  const absl::StatusOr<json> a = dynamodb::ParseJson(got.line);
  const absl::StatusOr<json> b = dynamodb::ParseJson(want.line);
  ASSERT_TRUE(a.ok() && b.ok()) << got.line << " / " << want.line;
  EXPECT_EQ(*a, *b) << text;
}

std::vector<std::unique_ptr<ItemMapping>> Mappings() {
  std::vector<std::unique_ptr<ItemMapping>> out;
  out.push_back(std::make_unique<ItemMapping>(ItemMapping::Default()));
  out.push_back(std::make_unique<ItemMapping>(
      ItemMapping::Parse(R"({"partitionKey": "pk", "sortKey": "sk"})", "lower").value()));
  for (const auto& mapper : stream::testing::OtherMappers()) {
    out.push_back(std::make_unique<ItemMapping>(mapper->mapping()));
  }
  return out;
}

TEST(ItemTypeTest, DomReadingIsTheTreesReading) {
  const std::vector<std::unique_ptr<ItemMapping>> mappings = Mappings();
  simdjson::dom::parser& parser = dynamodb::ThreadJsonParser();
  int keyed = 0, lines = 0, trees = 0;
  for (const std::string& text : stream::testing::VariedItemTexts()) {
    const absl::StatusOr<json> tree = dynamodb::ParseJson(text);
    ASSERT_TRUE(tree.ok()) << text;
    for (const auto& mapping : mappings) {
      simdjson::dom::element item;
      ASSERT_EQ(parser.parse(text).get(item), simdjson::SUCCESS) << text;
      KeyedItem got;
      json keys;
      switch (MapKeyedItemFromDom(item, *mapping, &got, &keys)) {
        case DomItemReading::kTrees:
          ++trees;
          break;
        case DomItemReading::kNotKeyed:
          EXPECT_EQ(mapping->Classify(*tree).kind, ItemKind::Kind::kNoKey) << text;
          break;
        case DomItemReading::kKeyed:
          ++keyed;
          lines += !got.line.empty();
          ExpectSame(got, MapKeyedItem(*tree, *mapping), text);
          EXPECT_TRUE(keys.contains(mapping->partition_key())) << text;
          break;
      }
    }
  }
  EXPECT_GE(lines, 10);
  EXPECT_GT(keyed, lines) << "other items too";
  EXPECT_GT(trees, 0);
}

// MapKeyedLine, of export lines ({"Item": ...}) and bare items, as the tree
// reading it used before: the first mapping (PK, then pk) that finds a
// partition key reads the item.
TEST(ItemTypeTest, KeyedLinesReadAsTheTreesReadThem) {
  const std::vector<std::unique_ptr<ItemMapping>> mappings = Mappings();
  int keyed = 0;
  for (const std::string& text : stream::testing::VariedItemTexts()) {
    for (const std::string& line : {absl::StrCat(R"({"Item":)", text, "}"), text}) {
      const std::optional<KeyedItem> got = MapKeyedLine(line);
      const absl::StatusOr<json> root = dynamodb::ParseJson(line);
      ASSERT_TRUE(root.ok()) << line;
      const json* item = &*root;
      if (auto it = root->find("Item"); it != root->end() && it->is_object()) item = &*it;
      std::optional<KeyedItem> want;
      for (size_t m = 0; m < 2 && !want; ++m) {
        if (mappings[m]->Classify(*item).kind != ItemKind::Kind::kNoKey) {
          want = MapKeyedItem(*item, *mappings[m]);
        }
      }
      ASSERT_EQ(got.has_value(), want.has_value()) << line;
      if (!got) continue;
      ++keyed;
      ExpectSame(*got, *want, line);
    }
  }
  EXPECT_GE(keyed, 20);
}

}  // namespace
}  // namespace inkdex::cli
