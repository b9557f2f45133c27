// JsonFields: lenient reading of the fields of one JSON object in an AWS
// answer. AWS adds fields freely and omits empty ones, so absent or
// mistyped optional fields read as empty values; only a missing object that
// the caller requires is an error (DataLoss naming `context` and the field).
//
// Ownership: borrows the object, which must outlive the JsonFields.
// Thread safety: a read-only view; safe to share.
#ifndef INKDEX_SERVICE_DYNAMODB_JSON_FIELDS_H_
#define INKDEX_SERVICE_DYNAMODB_JSON_FIELDS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace inkdex::dynamodb {

class JsonFields {
 public:
  // `context` names the object in errors, e.g. "DescribeTable".
  JsonFields(const nlohmann::json& object, std::string context)
      : object_(object), context_(std::move(context)) {}

  // The field, or nullptr when absent (or when this is not an object).
  const nlohmann::json* Find(const char* name) const;
  std::string String(const char* name) const;  // "" unless a string
  int64_t Int(const char* name) const;         // 0 unless an integral number
  double Double(const char* name) const;       // 0 unless a number
  bool Bool(const char* name) const;           // false unless a boolean
  // The field as an object; DataLoss "<context>: <name>: missing or not an
  // object" otherwise.
  absl::StatusOr<JsonFields> Object(const char* name) const;

 private:
  const nlohmann::json& object_;
  std::string context_;
};

}  // namespace inkdex::dynamodb

#endif  // INKDEX_SERVICE_DYNAMODB_JSON_FIELDS_H_
