#include "stream/item_line.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "simdjson.h"

namespace inkdex::stream {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// `s` as a JSON string: quotes, backslashes and control characters escaped,
// the rest (UTF-8, which simdjson has validated) as it is.
void AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// `e`, at `depth` (the item counted 1), as JSON text; false for what the
// trees would read otherwise (see the header): a number, an object that
// repeats a key, nesting past `max_depth`. Checked as it writes, so the item
// is walked once (dynamodb::PlainJson's check, in the same pass).
bool AppendJson(const element& e, size_t depth, size_t max_depth, std::string* out) {
  switch (e.type()) {
    case element_type::OBJECT: {
      const simdjson::dom::object object(e);
      if (depth > max_depth || dynamodb::HasRepeatedKey(object)) return false;
      out->push_back('{');
      bool first = true;
      for (simdjson::dom::key_value_pair member : object) {
        if (!first) out->push_back(',');
        first = false;
        AppendQuoted(member.key, out);
        out->push_back(':');
        if (!AppendJson(member.value, depth + 1, max_depth, out)) return false;
      }
      out->push_back('}');
      return true;
    }
    case element_type::ARRAY: {
      if (depth > max_depth) return false;
      out->push_back('[');
      bool first = true;
      for (element child : simdjson::dom::array(e)) {
        if (!first) out->push_back(',');
        first = false;
        if (!AppendJson(child, depth + 1, max_depth, out)) return false;
      }
      out->push_back(']');
      return true;
    }
    case element_type::STRING:
      AppendQuoted(std::string_view(e), out);
      return true;
    case element_type::BOOL:
      out->append(bool(e) ? "true" : "false");
      return true;
    case element_type::NULL_VALUE:
      out->append("null");
      return true;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return false;
  }
  return false;
}

}  // namespace

nlohmann::json KeyAttributes(const ItemMapping& mapping, const simdjson::dom::object& item) {
  nlohmann::json keys = nlohmann::json::object();
  for (const std::string& name : {mapping.partition_key(), mapping.sort_key()}) {
    if (element value; !name.empty() && item.at_key(name).get(value) == simdjson::SUCCESS) {
      dynamodb::CopyToNlohmann(value, &keys[name]);
    }
  }
  return keys;
}

std::optional<std::string_view> StringAttribute(const simdjson::dom::object& item,
                                                std::string_view name) {
  simdjson::dom::object value;
  std::string_view s;
  if (item.at_key(name).get_object().get(value) != simdjson::SUCCESS || value.size() != 1 ||
      value.at_key("S").get_string().get(s) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> ArtistItemLine(const ItemMapping& mapping, const ItemKind& kind,
                                          const element& item, size_t max_depth) {
  simdjson::dom::object object;
  element unused;
  if (kind.kind != ItemKind::Kind::kArtist || mapping.maps_fields() ||
      mapping.id_source() != ItemMapping::IdSource::kPartitionKey || kind.artist_id.empty() ||
      item.get_object().get(object) != simdjson::SUCCESS ||
      !StringAttribute(object, mapping.partition_key()).has_value() ||
      (!mapping.sort_key().empty() &&
       object.at_key(mapping.sort_key()).get(unused) == simdjson::SUCCESS &&
       !StringAttribute(object, mapping.sort_key()).has_value()) ||
      StringAttribute(object, "artistId") != std::optional<std::string_view>(kind.artist_id) ||
      object.at_key("sourceRank").get(unused) == simdjson::SUCCESS || max_depth < 1 ||
      dynamodb::HasRepeatedKey(object)) {
    return std::nullopt;
  }
  std::string line = "{\"Item\":{";
  for (simdjson::dom::key_value_pair member : object) {
    if (member.key == mapping.partition_key() ||
        (!mapping.sort_key().empty() && member.key == mapping.sort_key())) {
      continue;
    }
    AppendQuoted(member.key, &line);
    line.push_back(':');
    if (!AppendJson(member.value, 2, max_depth, &line)) return std::nullopt;
    line.push_back(',');
  }
  absl::StrAppend(&line, "\"sourceRank\":{\"N\":\"", kind.sort_key_rank, "\"}}}");
  return line;
}

}  // namespace inkdex::stream
