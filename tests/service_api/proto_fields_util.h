// Test helpers for the inkdex.v1 conversion tests: which fields of a message
// are left unset, so a fixture can prove it sets every field (and a field
// added to the proto later makes the round-trip tests fail until it is
// mapped), and a readable message equality.
//
// Thread safety: pure functions.
#ifndef INKDEX_TESTS_SERVICE_API_PROTO_FIELDS_UTIL_H_
#define INKDEX_TESTS_SERVICE_API_PROTO_FIELDS_UTIL_H_

#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "gtest/gtest.h"

namespace inkdex::api::proto_fields {

// Paths ("hits[0].explanation.text") of the fields of `message` and of every
// set sub-message that are unset: a scalar or enum at its default value
// without explicit presence, an unset optional or message, an empty repeated
// field. Empty when every field is set.
std::vector<std::string> UnsetFields(const google::protobuf::Message& message);

// Success when the messages are equal field by field; otherwise a failure
// listing the differences.
::testing::AssertionResult SameMessage(const google::protobuf::Message& expected,
                                       const google::protobuf::Message& actual);

}  // namespace inkdex::api::proto_fields

#endif  // INKDEX_TESTS_SERVICE_API_PROTO_FIELDS_UTIL_H_
