// ParseJson: JSON text to an nlohmann::json, about three times faster than
// nlohmann's own parser on DynamoDB's large answers (a GetRecords or Scan
// page of up to 1 MB: 42 -> 13 ms for a page of 1,000 stream records).
// simdjson parses the text and its DOM is copied into an nlohmann::json.
//
// The result is nlohmann::json::parse(text)'s, number types included: text
// simdjson refuses (not JSON, integers beyond 64 bits, numbers beyond a
// double's range, invalid UTF-8) goes to nlohmann's parser, whose value or
// error is returned. Arrays and objects nested deeper than 1,024 levels are
// refused either way (InvalidArgument "arrays and objects nested deeper than
// 1024 levels"): copying, comparing or dumping such a value recurses once per
// level and would overflow the stack (DynamoDB itself nests at most 32).
// Duplicate keys keep the last value, as nlohmann's parser does. One
// difference: "-0" is the unsigned 0 here (simdjson reads it as the integer
// 0), a signed 0 to nlohmann; the two compare equal and read alike.
//
// Thread safety: safe to call concurrently (each thread keeps its own
// simdjson parser, whose buffers grow to the largest text it has read).
#ifndef INKDEX_SERVICE_DYNAMODB_FAST_JSON_H_
#define INKDEX_SERVICE_DYNAMODB_FAST_JSON_H_

#include <optional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "nlohmann/json.hpp"

namespace simdjson::dom {
class element;
class object;
class parser;
}  // namespace simdjson::dom

namespace inkdex::dynamodb {

// InvalidArgument with nlohmann's reason ("parse error at line 1, column
// 3: syntax error ...") when `text` is not JSON.
absl::StatusOr<nlohmann::json> ParseJson(std::string_view text);

// ParseJson, except that the member at `path` (object keys from the root,
// such as {"dynamodb", "OldImage"}) is copied only when `wanted`, called
// with the rest of the value, says so; otherwise the value has no such
// member. One "*" in `path` stands for every element of an array: the
// member is then decided per element, `wanted` called with that element
// ({"Records", "*", "dynamodb", "OldImage"}: each record of a GetRecords
// answer). For a member read only sometimes: a stream record's OldImage is
// half of a NEW_AND_OLD_IMAGES record and read only for a REMOVE, and
// copying it into the tree and freeing it cost more than parsing it. With
// repeated keys (the member's or a parent's) the member nlohmann's reading
// keeps is the one left out or copied. Text that only nlohmann's parser takes
// comes back whole. REQUIRES: `path` is not empty, holds at most one "*",
// and does not end with it; `wanted` parses nothing with this thread's
// parser (ThreadJsonParser: the left-out member lives in it).
absl::StatusOr<nlohmann::json> ParseJsonOmitting(
    std::string_view text, absl::Span<const std::string_view> path,
    absl::FunctionRef<bool(const nlohmann::json& scope)> wanted);

// The simdjson parser ParseJson and ParseJsonOmitting use on this thread,
// for a caller that parses a document of its own with it (one parser's
// buffers a thread, grown to the largest text read): a document it parsed
// lives until the thread's next parse.
simdjson::dom::parser& ThreadJsonParser();

// `element` (of a document simdjson parsed) as ParseJson reads its text:
// for a caller that reads most of a document from simdjson's DOM and needs
// a part of it as an nlohmann::json.
void CopyToNlohmann(const simdjson::dom::element& element, nlohmann::json* out);

// CopyToNlohmann less the member at `path` (object keys from `element`, no
// "*"), which is copied back only when `wanted`, called with the rest of
// the value, says so: ParseJsonOmitting's reading of one scope, for a caller
// that walks the rest of a document itself (a GetRecords page whose records
// it maps straight from the DOM when it can).
void CopyToNlohmannOmitting(const simdjson::dom::element& element, nlohmann::json* out,
                            absl::Span<const std::string_view> path,
                            absl::FunctionRef<bool(const nlohmann::json& scope)> wanted);

// A page's text (a GetRecords or Scan answer) read as ParseJson reads it,
// except that each element of the top-level array member `array_key`
// becomes whatever `read(element, &entry)` makes of it (a caller that maps
// the elements straight from the DOM leaves a stand-in); nullopt when the
// page must be read whole by ParseJson: text simdjson refuses, a repeated
// key at the top (nlohmann keeps the last), no such array. Uses this
// thread's parser: `read` must parse nothing with it.
std::optional<nlohmann::json> ParseJsonReadingArray(
    std::string_view text, std::string_view array_key,
    absl::FunctionRef<void(const simdjson::dom::element&, nlohmann::json*)> read);

// Whether an object of simdjson's DOM names a key twice: the DOM reads the
// first of repeated keys, nlohmann (and ParseJson) the last, so a caller
// that reads a document straight from the DOM must leave such a one to
// ParseJson. Compared pairwise up to 16 members, sorted up to 128 (an item's
// attributes), hashed beyond: no allocation but for the largest.
bool HasRepeatedKey(const simdjson::dom::object& object);

// Whether `element`, at `depth` (the outermost counted 1), reads from
// simdjson's DOM as ParseJson reads it: no object repeats a key, and arrays
// and objects nest at most `max_depth` levels. Cost: one walk.
bool PlainJson(const simdjson::dom::element& element, size_t depth, size_t max_depth);

// Whether `value` nests arrays and objects deeper than `limit` levels (the
// outermost counted), walked without recursion. Callers check it before
// anything recursive (nlohmann's dump() and copies recurse once per level,
// and hostile input overflows the stack). Cost: O(size of `value`).
bool NestedDeeperThan(const nlohmann::json& value, size_t limit);

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_FAST_JSON_H_
