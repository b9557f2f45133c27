// ParseJson must give what nlohmann::json::parse gives: the same values with
// the same number types (but for -0), discarded for the same texts, over
// hand-picked edge cases and thousands of random documents.
#include "dynamodb/fast_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace inkdex::dynamodb {
namespace {

using nlohmann::json;

// Equal values of equal types all the way down (json's == calls 0u and 0
// equal; nlohmann's parser keeps a non-negative integer unsigned).
// The one exception: "-0", the unsigned 0 to ParseJson (fast_json.h).
bool Same(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer() && a == 0 && b == 0) return true;
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !Same(*it, *jt)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Same(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::signbit(x) == std::signbit(y) && (x == y || (std::isnan(x) && std::isnan(y)));
  }
  return a == b;
}

::testing::AssertionResult AsNlohmann(const std::string& text) {
  const json want = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const absl::StatusOr<json> got = ParseJson(text);
  if (want.is_discarded() == got.ok() || (got.ok() && !Same(want, *got))) {
    return ::testing::AssertionFailure()
           << "text " << text.substr(0, 300) << "\nwant "
           << (want.is_discarded() ? "an error" : want.dump().substr(0, 300)) << "\ngot  "
           << (got.ok() ? got->dump().substr(0, 300) : got.status().ToString());
  }
  return ::testing::AssertionSuccess();
}

TEST(FastJsonTest, EdgeCases) {
  const std::string cases[] = {
      R"({"Records":[{"eventName":"MODIFY","dynamodb":{"SequenceNumber":"42",)"
      R"("NewImage":{"rating":{"N":"4.5"}}}}],"NextShardIterator":"x"})",
      "0",
      "-0",
      "-0.0",
      "0.0",
      "1e2",
      "1E-2",
      "-1",
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "1e308",
      "1e400",
      "-1e400",
      "123456789012345678901234567890",
      "0.1",
      "2.2250738585072014e-308",
      "4.9e-324",
      R"({"a":1,"a":2})",
      R"({"a":{"b":1},"a":[2]})",
      R"("\u00e9\ud83d\ude00")",
      R"("\ud800")",
      "\"caf\xc3\xa9\"",
      "\"bad \xff\"",
      "\"tab\tinside\"",
      R"("\u0000")",
      "",
      " ",
      "nul",
      "[1,]",
      "{\"a\":1} x",
      "[1] [2]",
      "\xef\xbb\xbf{}",
      "{}",
      "[]",
      "true",
      "false",
      "null",
      " \n\t[ 1 , 2 ] \n",
      std::string(1024, '[') + std::string(1024, ']'),
      "[123456789012345678901234567890," + std::string(1023, '[') + std::string(1024, ']'),
  };
  for (const std::string& text : cases) EXPECT_TRUE(AsNlohmann(text));
}

TEST(FastJsonTest, TextThatIsNotJsonGetsNlohmannsReason) {
  const absl::StatusOr<json> got = ParseJson("{\"a\": }");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(got.status().message(),
            "parse error at line 1, column 7: syntax error while parsing value - unexpected "
            "'}'; expected '[', '{', or a literal");
}

// Deeper than simdjson reads is refused on both paths (simdjson's own
// refusal, and nlohmann's parser after simdjson refused a big integer):
// the caller would copy, compare or dump the value recursively.
TEST(FastJsonTest, NestingDeeperThan1024IsRefused) {
  const int depth = 200000;
  for (const std::string& text : {std::string(1025, '[') + std::string(1025, ']'),
                                  std::string(depth, '[') + std::string(depth, ']'),
                                  R"({"Items":[{"n":123456789012345678901234567890,"deep":)" +
                                      std::string(depth, '[') + std::string(depth, ']') + "}]}"}) {
    const absl::StatusOr<json> got = ParseJson(text);
    ASSERT_FALSE(got.ok()) << text.substr(0, 80);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), "arrays and objects nested deeper than 1024 levels");
  }
}

TEST(FastJsonTest, RandomDocuments) {
  std::mt19937 rng(20261202);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const char* const atoms[] = {"0",
                               "-0",
                               "7",
                               "-12",
                               "3.25",
                               "-0.0",
                               "1e5",
                               "2E-3",
                               "true",
                               "false",
                               "null",
                               "\"\"",
                               "\"S\"",
                               "\"N\"",
                               "\"é\"",
                               "1e999",
                               "99999999999999999999",
                               "\"\\n\\u0041\""};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    const int kind = depth > 4 ? 0 : pick(3);
    if (kind == 0) return atoms[pick(sizeof(atoms) / sizeof(atoms[0]))];
    std::string out = kind == 1 ? "{" : "[";
    const int n = pick(5);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += ",";
      if (kind == 1) out += "\"k" + std::to_string(pick(4)) + "\":";
      out += value(depth + 1);
    }
    return out + (kind == 1 ? "}" : "]");
  };
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = value(0);
    if (chance(0.1) && !text.empty()) text[pick(static_cast<int>(text.size()))] = ",]}\"x"[pick(5)];
    ASSERT_TRUE(AsNlohmann(text)) << "case " << i;
    parsed += ParseJson(text).ok();
  }
  EXPECT_GT(parsed, 2000);  // mostly documents, some broken ones
}

TEST(FastJsonTest, OmittingLeavesOutTheMemberUnlessWanted) {
  constexpr std::string_view kPath[] = {"dynamodb", "OldImage"};
  const std::string text =
      R"({"eventName":"MODIFY","dynamodb":{"Keys":{"PK":{"S":"A"}},"OldImage":{"x":[1,2.5]},)"
      R"("NewImage":{"y":true}},"z":null})";
  std::vector<json> rests;
  const auto keep_if_remove = [&](const json& rest) {
    rests.push_back(rest);
    return rest["eventName"] == "REMOVE";
  };
  absl::StatusOr<json> got = ParseJsonOmitting(text, kPath, keep_if_remove);
  ASSERT_TRUE(got.ok()) << got.status();
  json expected = json::parse(text);
  expected["dynamodb"].erase("OldImage");
  EXPECT_TRUE(Same(*got, expected)) << got->dump();
  ASSERT_EQ(rests.size(), 1u);
  EXPECT_TRUE(Same(rests[0], expected));

  // Wanted: the same value ParseJson gives, member order and types included.
  std::string remove = text;
  remove.replace(remove.find("MODIFY"), 6, "REMOVE");
  got = ParseJsonOmitting(remove, kPath, keep_if_remove);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(Same(*got, json::parse(remove))) << got->dump();

  // A repeated key: the last member is the one kept (or left out).
  const std::string twice = R"({"dynamodb":{"OldImage":{"a":1},"OldImage":{"b":2}}})";
  got = ParseJsonOmitting(twice, kPath, [](const json&) { return true; });
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(Same(*got, json::parse(twice))) << got->dump();
  got = ParseJsonOmitting(twice, kPath, [](const json&) { return false; });
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(Same(*got, json::parse(R"({"dynamodb":{}})"))) << got->dump();

  // A repeated parent replaces the earlier one whole: what was left out of
  // that one is gone, and a later parent that is no object holds nothing.
  for (const char* repeated : {R"({"dynamodb":{"OldImage":{"a":1}},"dynamodb":1})",
                               R"({"dynamodb":{"OldImage":{"a":1}},"dynamodb":{"S":"5"}})",
                               R"({"dynamodb":{"OldImage":{"a":1}},"dynamodb":null})",
                               R"({"dynamodb":{"x":1},"dynamodb":{"OldImage":{"b":2}}})"}) {
    for (bool want : {true, false}) {
      got = ParseJsonOmitting(repeated, kPath, [&](const json&) { return want; });
      ASSERT_TRUE(got.ok()) << repeated;
      json expected = json::parse(repeated);
      if (!want && expected["dynamodb"].is_object()) expected["dynamodb"].erase("OldImage");
      EXPECT_TRUE(Same(*got, expected)) << repeated << " wanted " << want << ": " << got->dump();
    }
  }

  // A "*": decided per element of the array, `wanted` given the element.
  {
    constexpr std::string_view kPagePath[] = {"Records", "*", "dynamodb", "OldImage"};
    const std::string page =
        R"({"Records":[{"eventName":"MODIFY","dynamodb":{"OldImage":{"a":1},"NewImage":{}}},)"
        R"({"eventName":"REMOVE","dynamodb":{"OldImage":{"b":2}}},7,{"dynamodb":[1]},)"
        R"({"*":{"dynamodb":{"OldImage":{}}}}],"NextShardIterator":"it"})";
    std::vector<json> scopes;
    got = ParseJsonOmitting(page, kPagePath, [&](const json& scope) {
      scopes.push_back(scope);
      return scope["eventName"] == "REMOVE";
    });
    ASSERT_TRUE(got.ok()) << got.status();
    json expected = json::parse(page);
    expected["Records"][0]["dynamodb"].erase("OldImage");
    EXPECT_TRUE(Same(*got, expected)) << got->dump();
    ASSERT_EQ(scopes.size(), 2u);  // only the records that had one
    EXPECT_EQ(scopes[0]["eventName"], "MODIFY");
    EXPECT_FALSE(scopes[0]["dynamodb"].contains("OldImage"));
    EXPECT_EQ(scopes[1]["eventName"], "REMOVE");
    // A repeated "Records": the last array counts.
    const std::string twice =
        R"({"Records":[{"dynamodb":{"OldImage":{"a":1}}}],"Records":[{"dynamodb":{"OldImage":{"b":2}}}]})";
    got = ParseJsonOmitting(twice, kPagePath, [](const json&) { return false; });
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE(Same(*got, json::parse(R"({"Records":[{"dynamodb":{}}]})"))) << got->dump();
  }

  // Not there, or not under an object on the path: nothing to ask about.
  int asked = 0;
  const auto count = [&](const json&) { return ++asked, false; };
  for (const char* other : {R"({"dynamodb":{"NewImage":{}}})", R"({"dynamodb":[{"OldImage":1}]})",
                            R"({"OldImage":{"a":1}})", "[1,2]", "7"}) {
    got = ParseJsonOmitting(other, kPath, count);
    ASSERT_TRUE(got.ok()) << other;
    EXPECT_TRUE(Same(*got, json::parse(other))) << other;
  }
  EXPECT_EQ(asked, 0);

  // Text only nlohmann's parser takes comes back whole; bad text fails as
  // ParseJson does.
  const std::string big = R"({"dynamodb":{"OldImage":{"n":123456789012345678901234567890}}})";
  got = ParseJsonOmitting(big, kPath, [](const json&) { return false; });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(Same(*got, json::parse(big)));
  got = ParseJsonOmitting("{\"dynamodb\":", kPath, [](const json&) { return false; });
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), ParseJson("{\"dynamodb\":").status().message());
}

}  // namespace
}  // namespace inkdex::dynamodb
