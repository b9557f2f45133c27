// DynamoDB JSON attribute values ({"S": "x"}, {"N": "51.5"}, {"BOOL": true},
// {"NULL": true}, {"M": {...}}, {"L": [...]}, {"SS": [...]}, {"NS": [...]})
// read through the value-view interface of record/value_view.h, so the same
// field mapper that reads plain JSON reads DynamoDB items: S3 export lines,
// Scan results and stream NewImage/OldImage maps alike.
//
// Decoding is lazy and copies nothing: a view wraps a JSON node (json_node.h:
// a simdjson element, or an nlohmann::json the stream reader parsed) and
// checks the one type descriptor when constructed. A malformed attribute
// value (two keys, unknown descriptor, payload of the wrong JSON type, an "N"
// that is not a number) is a value of kind kInvalid or a number() of nullopt,
// which the mapper reports like any wrongly typed field. Binary values (B, BS)
// are kInvalid: no artist field holds binary data.
//
// Lifetime and thread safety: as PlainJsonView (borrows the parsed document),
// and as the node type's.
#ifndef INKDEX_RECORD_DYNAMODB_VALUE_H_
#define INKDEX_RECORD_DYNAMODB_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "record/field_checks.h"
#include "record/json_node.h"
#include "record/value_view.h"

namespace inkdex::internal {

template <class Node>
class BasicDynamoDbValueView {
 public:
  // An attribute map: an Item, a stream image, or the body of an "M" value.
  // It reads as an object whose fields are attribute values.
  static BasicDynamoDbValueView AttributeMap(Node map) {
    return BasicDynamoDbValueView(map.type() == JsonType::kObject ? Type::kMap : Type::kInvalid,
                                  map);
  }
  // One attribute value, {"<type>": payload}.
  static BasicDynamoDbValueView AttributeValue(Node value) {
    std::string_view d;
    Node p;
    if (!value.single_member(&d, &p)) return BasicDynamoDbValueView(Type::kInvalid, value);
    const JsonType payload = p.type();
    const bool is_string = payload == JsonType::kString;
    const bool is_array = payload == JsonType::kArray;
    Type type = Type::kInvalid;
    if (d == "S" && is_string) {
      type = Type::kS;
    } else if (d == "N" && is_string) {
      type = Type::kN;
    } else if (d == "BOOL" && payload == JsonType::kBool) {
      type = Type::kBool;
    } else if (d == "NULL") {
      type = Type::kNull;
    } else if (d == "M" && payload == JsonType::kObject) {
      type = Type::kM;
    } else if (d == "L" && is_array) {
      type = Type::kL;
    } else if (d == "SS" && is_array) {
      type = Type::kSS;
    } else if (d == "NS" && is_array) {
      type = Type::kNS;
    } else if (d == "B" || d == "BS") {
      type = Type::kBinary;
    }
    return BasicDynamoDbValueView(type, type == Type::kInvalid ? value : p);
  }
  // True if `value` is shaped like an attribute value: an object with exactly
  // one key, which is a DynamoDB type descriptor. Used to detect the format.
  static bool IsAttributeValue(Node value) {
    std::string_view d;
    Node p;
    if (!value.single_member(&d, &p)) return false;
    return d == "S" || d == "N" || d == "BOOL" || d == "NULL" || d == "M" || d == "L" ||
           d == "SS" || d == "NS" || d == "B" || d == "BS";
  }

  ValueKind kind() const {
    switch (type_) {
      case Type::kMap:
      case Type::kM:
        return ValueKind::kObject;
      case Type::kS:
        return ValueKind::kString;
      case Type::kN:
        return ValueKind::kNumber;
      case Type::kBool:
        return ValueKind::kBool;
      case Type::kNull:
        return ValueKind::kNull;
      case Type::kL:
      case Type::kSS:
      case Type::kNS:
        return ValueKind::kArray;
      case Type::kBinary:
      case Type::kInvalid:
        return ValueKind::kInvalid;
    }
    return ValueKind::kInvalid;
  }
  absl::string_view string() const { return ToAbsl(payload_.string()); }
  bool boolean() const { return payload_.boolean(); }
  std::optional<double> number() const { return ParseCleanDouble(string()); }
  std::optional<uint64_t> unsigned_integer() const { return ParseCleanUint64(string()); }
  std::optional<BasicDynamoDbValueView> field(absl::string_view key) const {
    std::optional<Node> child = payload_.at_key(ToStd(key));
    if (!child) return std::nullopt;
    return AttributeValue(*child);
  }
  size_t size() const { return payload_.size(); }
  template <class F>
  void ForEachElement(F f) const {
    payload_.ForEachElement([&](Node child) { f(Element(child)); });
  }
  std::string Describe() const {
    switch (type_) {
      case Type::kMap:
      case Type::kM:
        return "an object";
      case Type::kS:
        return absl::StrCat("string ", QuoteForMessage(string()));
      case Type::kN:
        return absl::StrCat("N ", QuoteForMessage(string()));
      case Type::kBool:
        return boolean() ? "true" : "false";
      case Type::kNull:
        return "null";
      case Type::kL:
      case Type::kSS:
      case Type::kNS:
        return "an array";
      case Type::kBinary:
        return "a DynamoDB binary value";
      case Type::kInvalid:
        break;
    }
    if (payload_.type() != JsonType::kObject) {
      return absl::StrCat(DescribePlain(payload_), " (not a DynamoDB attribute value)");
    }
    return "an invalid DynamoDB attribute value (expected one of S, N, BOOL, NULL, M, L, SS, NS)";
  }

 private:
  enum class Type : uint8_t { kMap, kS, kN, kBool, kNull, kM, kL, kSS, kNS, kBinary, kInvalid };

  BasicDynamoDbValueView(Type type, Node payload) : type_(type), payload_(payload) {}
  // An element of this list or set: an attribute value for "L", a bare
  // string payload for the sets.
  BasicDynamoDbValueView Element(Node child) const {
    const bool is_string = child.type() == JsonType::kString;
    switch (type_) {
      case Type::kSS:
        return BasicDynamoDbValueView(is_string ? Type::kS : Type::kInvalid, child);
      case Type::kNS:
        return BasicDynamoDbValueView(is_string ? Type::kN : Type::kInvalid, child);
      default:
        return AttributeValue(child);
    }
  }

  Type type_;
  Node payload_;  // the value after the type descriptor (the map for kMap)
};

// Over record text parsed by simdjson (ParseArtistRecord).
using DynamoDbValueView = BasicDynamoDbValueView<SimdjsonNode>;
// Over an attribute map held as an nlohmann::json (MapDynamoDbAttributeMap).
using NlohmannDynamoDbValueView = BasicDynamoDbValueView<NlohmannNode>;

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_DYNAMODB_VALUE_H_
