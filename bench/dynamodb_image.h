// A plain data-model record as a DynamoDB item image, the shape a stream
// record's NewImage carries (numbers as N strings, lists as L, objects as M,
// null as NULL), for the benchmarks of the stream's mapping.
//
// Thread safety: pure functions.
#ifndef INKDEX_BENCH_DYNAMODB_IMAGE_H_
#define INKDEX_BENCH_DYNAMODB_IMAGE_H_

#include <string>

#include "nlohmann/json.hpp"

namespace inkdex::bench {

// A plain JSON value -> its DynamoDB attribute value.
inline nlohmann::json ToAttributeValue(const nlohmann::json& v) {
  using nlohmann::json;
  switch (v.type()) {
    case json::value_t::null:
      return json{{"NULL", true}};
    case json::value_t::boolean:
      return json{{"BOOL", v.get<bool>()}};
    case json::value_t::string:
      return json{{"S", v}};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return json{{"N", v.dump()}};
    case json::value_t::array: {
      json list = json::array();
      for (const json& e : v) list.push_back(ToAttributeValue(e));
      return json{{"L", std::move(list)}};
    }
    case json::value_t::object: {
      json map = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) map[it.key()] = ToAttributeValue(*it);
      return json{{"M", std::move(map)}};
    }
    default:
      return json{{"NULL", true}};
  }
}

// The table's keys of artist `id` (data-model.md): PK ARTIST#<id>, SK METADATA.
inline nlohmann::json ArtistKeys(const std::string& id) {
  return nlohmann::json{{"PK", {{"S", "ARTIST#" + id}}}, {"SK", {{"S", "METADATA"}}}};
}

// A plain record (an object with data-model field names) as the item image,
// its keys included.
inline nlohmann::json ToItemImage(const nlohmann::json& plain) {
  nlohmann::json image = nlohmann::json::object();
  for (auto it = plain.begin(); it != plain.end(); ++it) image[it.key()] = ToAttributeValue(*it);
  const nlohmann::json keys = ArtistKeys(plain["artistId"].get<std::string>());
  image["PK"] = keys["PK"];
  image["SK"] = keys["SK"];
  return image;
}

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_DYNAMODB_IMAGE_H_
