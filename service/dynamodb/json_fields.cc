#include "dynamodb/json_fields.h"

#include "absl/strings/str_cat.h"

namespace inkdex::dynamodb {

const nlohmann::json* JsonFields::Find(const char* name) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

std::string JsonFields::String(const char* name) const {
  const nlohmann::json* field = Find(name);
  return field != nullptr && field->is_string() ? field->get<std::string>() : std::string();
}

int64_t JsonFields::Int(const char* name) const {
  const nlohmann::json* field = Find(name);
  return field != nullptr && field->is_number_integer() ? field->get<int64_t>() : 0;
}

double JsonFields::Double(const char* name) const {
  const nlohmann::json* field = Find(name);
  return field != nullptr && field->is_number() ? field->get<double>() : 0;
}

bool JsonFields::Bool(const char* name) const {
  const nlohmann::json* field = Find(name);
  return field != nullptr && field->is_boolean() && field->get<bool>();
}

absl::StatusOr<JsonFields> JsonFields::Object(const char* name) const {
  const nlohmann::json* field = Find(name);
  if (field == nullptr || !field->is_object()) {
    return absl::DataLossError(absl::StrCat(context_, ": ", name, ": missing or not an object"));
  }
  return JsonFields(*field, absl::StrCat(context_, ".", name));
}

}  // namespace inkdex::dynamodb
