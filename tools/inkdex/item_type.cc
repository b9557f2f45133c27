#include "item_type.h"

#include "nlohmann/json.hpp"

namespace inkdex::cli {

namespace {

using nlohmann::json;

// The string value of key `name` in a plain object or an attribute map.
std::optional<std::string> KeyString(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    auto s = it->find("S");
    if (s != it->end() && s->is_string()) return s->get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> NonArtistItemType(std::string_view line) {
  json root = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return std::nullopt;
  const json* item = &root;
  if (auto it = root.find("Item"); it != root.end() && it->is_object()) item = &*it;
  std::optional<std::string> pk = KeyString(*item, "PK");
  if (!pk) pk = KeyString(*item, "pk");
  if (!pk) return std::nullopt;
  std::string type = pk->substr(0, pk->find('#'));
  if (type != "ARTIST") return type.empty() ? std::string("(empty PK)") : type;
  std::optional<std::string> sk = KeyString(*item, "SK");
  if (!sk) sk = KeyString(*item, "sk");
  if (!sk || *sk == "METADATA" || *sk == "PROFILE") return std::nullopt;
  return "ARTIST/" + sk->substr(0, sk->find('#'));
}

}  // namespace inkdex::cli
