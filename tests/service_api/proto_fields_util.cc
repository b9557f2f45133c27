#include "service_api/proto_fields_util.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"

namespace inkdex::api::proto_fields {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void CollectUnset(const Message& message, const std::string& prefix,
                  std::vector<std::string>* unset) {
  const Reflection* reflection = message.GetReflection();
  const auto* descriptor = message.GetDescriptor();
  for (int f = 0; f < descriptor->field_count(); ++f) {
    const FieldDescriptor* field = descriptor->field(f);
    const std::string path = absl::StrCat(prefix, field->name());
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(message, field);
      if (size == 0) unset->push_back(path);
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
      for (int i = 0; i < size; ++i) {
        CollectUnset(reflection->GetRepeatedMessage(message, field, i),
                     absl::StrCat(path, "[", i, "]."), unset);
      }
      continue;
    }
    if (!reflection->HasField(message, field)) {
      unset->push_back(path);
      continue;
    }
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      CollectUnset(reflection->GetMessage(message, field), absl::StrCat(path, "."), unset);
    }
  }
}

}  // namespace

std::vector<std::string> UnsetFields(const Message& message) {
  std::vector<std::string> unset;
  CollectUnset(message, "", &unset);
  return unset;
}

::testing::AssertionResult SameMessage(const Message& expected, const Message& actual) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  if (differencer.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "messages differ:\n" << differences;
}

}  // namespace inkdex::api::proto_fields
