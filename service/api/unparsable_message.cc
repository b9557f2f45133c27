#include "api/unparsable_message.h"

#include <vector>

#include <google/protobuf/stubs/common.h>
#include <google/protobuf/unknown_field_set.h>

#include "absl/strings/str_cat.h"

namespace inkdex::api {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// The check protobuf's parser applies to proto3 strings.
bool IsUtf8(std::string_view s) {
  return google::protobuf::internal::IsStructurallyValidUTF8(s.data(), static_cast<int>(s.size()));
}

// The path of the first string field in `bytes` (a `type` message) that is
// not UTF-8, below `prefix`; "" when there is none, or the bytes are not
// even wire format.
std::string FirstBadString(std::string_view bytes, const Descriptor& type,
                           const std::string& prefix, int depth) {
  if (depth > 32) return "";  // deeper than any inkdex.v1 message nests
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return "";
  std::vector<int> seen(static_cast<size_t>(type.field_count()), 0);  // repeated indices
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    const FieldDescriptor* fd = type.FindFieldByNumber(field.number());
    if (fd == nullptr || field.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    int& index = seen[static_cast<size_t>(fd->index())];
    std::string path = absl::StrCat(prefix, fd->name());
    if (fd->is_repeated()) absl::StrAppend(&path, "[", index, "]");
    ++index;
    if (fd->type() == FieldDescriptor::TYPE_STRING) {
      if (!IsUtf8(field.length_delimited())) return path;
    } else if (fd->type() == FieldDescriptor::TYPE_MESSAGE && !fd->is_map()) {
      std::string inner =
          FirstBadString(field.length_delimited(), *fd->message_type(), path + ".", depth + 1);
      if (!inner.empty()) return inner;
    }
  }
  return "";
}

}  // namespace

std::string WhyUnparsable(std::string_view bytes, const Descriptor& type) {
  const std::string path = FirstBadString(bytes, type, "", 0);
  if (!path.empty()) return absl::StrCat(path, ": is not valid UTF-8");
  return absl::StrCat("request: is not a valid ", type.full_name(),
                      " message (malformed protobuf wire format)");
}

}  // namespace inkdex::api
