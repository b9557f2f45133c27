#include "dynamodb/fast_json.h"

#include <cstdint>
#include <string>

#include "simdjson.h"

namespace inkdex::dynamodb {
namespace {

using nlohmann::json;

// The element as nlohmann's parser would have read its text; false for an
// element type this does not know (then nlohmann reads the text).
bool Convert(simdjson::dom::element element, json* out) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      *out = json::object();
      for (simdjson::dom::key_value_pair member : simdjson::dom::object(element)) {
        // operator[]: a repeated key keeps its last value, as in nlohmann.
        if (!Convert(member.value, &(*out)[std::string(member.key)])) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      *out = json::array();
      for (simdjson::dom::element child : simdjson::dom::array(element)) {
        out->push_back(json());
        if (!Convert(child, &out->back())) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::STRING:
      *out = std::string(std::string_view(element));
      return true;
    case simdjson::dom::element_type::INT64: {
      // nlohmann keeps a non-negative integer unsigned.
      const int64_t value = int64_t(element);
      if (value >= 0) {
        *out = static_cast<uint64_t>(value);
      } else {
        *out = value;
      }
      return true;
    }
    case simdjson::dom::element_type::UINT64:
      *out = uint64_t(element);
      return true;
    case simdjson::dom::element_type::DOUBLE:
      *out = double(element);
      return true;
    case simdjson::dom::element_type::BOOL:
      *out = bool(element);
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      *out = nullptr;
      return true;
  }
  return false;
}

}  // namespace

json ParseJson(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS) {
    json out;
    if (Convert(root, &out)) return out;
  }
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

}  // namespace inkdex::dynamodb
