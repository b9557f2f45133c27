// DynamoDB JSON attribute values ({"S": "x"}, {"N": "51.5"}, {"BOOL": true},
// {"NULL": true}, {"M": {...}}, {"L": [...]}, {"SS": [...]}, {"NS": [...]})
// read through the value-view interface of record/value_view.h, so the same
// field mapper that reads plain JSON reads DynamoDB items: S3 export lines,
// Scan results and stream NewImage/OldImage maps alike.
//
// Decoding is lazy and copies nothing: a view wraps the simdjson element and
// checks the one type descriptor when constructed. A malformed attribute
// value (two keys, unknown descriptor, payload of the wrong JSON type, an "N"
// that is not a number) is a value of kind kInvalid or a number() of nullopt,
// which the mapper reports like any wrongly typed field. Binary values (B, BS)
// are kInvalid: no artist field holds binary data.
//
// Lifetime and thread safety: as PlainJsonView (borrows the parsed document).
#ifndef INKDEX_RECORD_DYNAMODB_VALUE_H_
#define INKDEX_RECORD_DYNAMODB_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "record/value_view.h"
#include "simdjson.h"

namespace inkdex::internal {

class DynamoDbValueView {
 public:
  // An attribute map: an Item, a stream image, or the body of an "M" value.
  // It reads as an object whose fields are attribute values.
  static DynamoDbValueView AttributeMap(simdjson::dom::element map);
  // One attribute value, {"<type>": payload}.
  static DynamoDbValueView AttributeValue(simdjson::dom::element value);
  // True if `value` is shaped like an attribute value: an object with exactly
  // one key, which is a DynamoDB type descriptor. Used to detect the format.
  static bool IsAttributeValue(simdjson::dom::element value);

  ValueKind kind() const;
  absl::string_view string() const { return ToAbsl(Known(payload_.get_string())); }
  bool boolean() const { return Known(payload_.get_bool()); }
  std::optional<double> number() const;
  std::optional<uint64_t> unsigned_integer() const;
  std::optional<DynamoDbValueView> field(absl::string_view key) const;
  size_t size() const { return Known(payload_.get_array()).size(); }
  template <class F>
  void ForEachElement(F f) const {
    for (simdjson::dom::element child : Known(payload_.get_array())) f(Element(child));
  }
  std::string Describe() const;

 private:
  enum class Type : uint8_t { kMap, kS, kN, kBool, kNull, kM, kL, kSS, kNS, kBinary, kInvalid };

  DynamoDbValueView(Type type, simdjson::dom::element payload) : type_(type), payload_(payload) {}
  // An element of this list or set: an attribute value for "L", a bare
  // string payload for the sets.
  DynamoDbValueView Element(simdjson::dom::element child) const;

  Type type_;
  simdjson::dom::element payload_;  // the value after the type descriptor (the map for kMap)
};

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_DYNAMODB_VALUE_H_
