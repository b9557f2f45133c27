#include "record/dynamodb_value.h"

#include "absl/strings/str_cat.h"
#include "record/field_checks.h"

namespace inkdex::internal {
namespace {

using simdjson::dom::element_type;

// The single (descriptor, payload) pair of an attribute value, or false.
bool SinglePair(simdjson::dom::element value, std::string_view* descriptor,
                simdjson::dom::element* payload) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS || object.size() != 1) return false;
  for (simdjson::dom::key_value_pair kv : object) {
    *descriptor = kv.key;
    *payload = kv.value;
  }
  return true;
}

bool IsType(simdjson::dom::element e, element_type type) { return e.type() == type; }

}  // namespace

DynamoDbValueView DynamoDbValueView::AttributeMap(simdjson::dom::element map) {
  return DynamoDbValueView(IsType(map, element_type::OBJECT) ? Type::kMap : Type::kInvalid, map);
}

DynamoDbValueView DynamoDbValueView::AttributeValue(simdjson::dom::element value) {
  std::string_view d;
  simdjson::dom::element p;
  if (!SinglePair(value, &d, &p)) return DynamoDbValueView(Type::kInvalid, value);
  const bool is_string = IsType(p, element_type::STRING);
  const bool is_array = IsType(p, element_type::ARRAY);
  Type type = Type::kInvalid;
  if (d == "S" && is_string) {
    type = Type::kS;
  } else if (d == "N" && is_string) {
    type = Type::kN;
  } else if (d == "BOOL" && IsType(p, element_type::BOOL)) {
    type = Type::kBool;
  } else if (d == "NULL") {
    type = Type::kNull;
  } else if (d == "M" && IsType(p, element_type::OBJECT)) {
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
  return DynamoDbValueView(type, type == Type::kInvalid ? value : p);
}

bool DynamoDbValueView::IsAttributeValue(simdjson::dom::element value) {
  std::string_view d;
  simdjson::dom::element p;
  if (!SinglePair(value, &d, &p)) return false;
  return d == "S" || d == "N" || d == "BOOL" || d == "NULL" || d == "M" || d == "L" || d == "SS" ||
         d == "NS" || d == "B" || d == "BS";
}

DynamoDbValueView DynamoDbValueView::Element(simdjson::dom::element child) const {
  switch (type_) {
    case Type::kSS:
      return DynamoDbValueView(IsType(child, element_type::STRING) ? Type::kS : Type::kInvalid,
                               child);
    case Type::kNS:
      return DynamoDbValueView(IsType(child, element_type::STRING) ? Type::kN : Type::kInvalid,
                               child);
    default:
      return AttributeValue(child);
  }
}

ValueKind DynamoDbValueView::kind() const {
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

std::optional<double> DynamoDbValueView::number() const { return ParseCleanDouble(string()); }

std::optional<uint64_t> DynamoDbValueView::unsigned_integer() const {
  return ParseCleanUint64(string());
}

std::optional<DynamoDbValueView> DynamoDbValueView::field(absl::string_view key) const {
  simdjson::dom::element child;
  if (payload_.get_object().at_key(ToStd(key)).get(child) != simdjson::SUCCESS) return std::nullopt;
  return AttributeValue(child);
}

std::string DynamoDbValueView::Describe() const {
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
  if (payload_.type() != element_type::OBJECT) {
    return absl::StrCat(PlainJsonView(payload_).Describe(), " (not a DynamoDB attribute value)");
  }
  return "an invalid DynamoDB attribute value (expected one of S, N, BOOL, NULL, M, L, SS, NS)";
}

}  // namespace inkdex::internal
