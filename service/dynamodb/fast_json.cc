#include "dynamodb/fast_json.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#include "simdjson.h"

namespace inkdex::dynamodb {
namespace {

using nlohmann::json;

// ParseJsonOmitting's question: whether to copy back the member it left out
// of a scope (the root, or an element of the array at a "*").
using Wanted = absl::FunctionRef<bool(const json& scope)>;

void ConvertScope(simdjson::dom::element element, json* out,
                  absl::Span<const std::string_view> path, Wanted wanted);

// The element as nlohmann's parser would have read its text, less the
// member at `skip` (keys from `element`, "*" for every element of an array;
// empty: none). Below the last "*" (or the root) the member is left out and
// stored in *skipped: the one nlohmann's reading would keep, the last of a
// repeated key under the last of each repeated parent, or none.
void Convert(simdjson::dom::element element, json* out,
             absl::Span<const std::string_view> skip = {},
             std::optional<simdjson::dom::element>* skipped = nullptr,
             const Wanted* wanted = nullptr) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT:
      *out = json::object();
      for (simdjson::dom::key_value_pair member : simdjson::dom::object(element)) {
        if (!skip.empty() && member.key == skip.front() && skip.front() != "*") {
          if (skip.size() == 1) {
            *skipped = member.value;
            continue;
          }
          // A repeated parent replaces the earlier one whole, and with it
          // whatever was left out of that one.
          if (skipped != nullptr) skipped->reset();
          Convert(member.value, &(*out)[std::string(member.key)], skip.subspan(1), skipped, wanted);
          continue;
        }
        // operator[]: a repeated key keeps its last value, as in nlohmann.
        Convert(member.value, &(*out)[std::string(member.key)]);
      }
      return;
    case simdjson::dom::element_type::ARRAY:
      *out = json::array();
      if (!skip.empty() && skip.front() == "*") {
        for (simdjson::dom::element child : simdjson::dom::array(element)) {
          ConvertScope(child, &out->emplace_back(), skip.subspan(1), *wanted);
        }
        return;
      }
      for (simdjson::dom::element child : simdjson::dom::array(element)) {
        Convert(child, &out->emplace_back());
      }
      return;
    case simdjson::dom::element_type::STRING:
      *out = std::string(std::string_view(element));
      return;
    case simdjson::dom::element_type::INT64: {
      // nlohmann keeps a non-negative integer unsigned.
      const int64_t value = int64_t(element);
      if (value >= 0) {
        *out = static_cast<uint64_t>(value);
      } else {
        *out = value;
      }
      return;
    }
    case simdjson::dom::element_type::UINT64:
      *out = uint64_t(element);
      return;
    case simdjson::dom::element_type::DOUBLE:
      *out = double(element);
      return;
    case simdjson::dom::element_type::BOOL:
      *out = bool(element);
      return;
    case simdjson::dom::element_type::NULL_VALUE:
      *out = nullptr;
      return;
  }
}

// `element` into `out` less the member at `path` (no "*"), which is copied
// back when wanted(*out) says so.
void ConvertScope(simdjson::dom::element element, json* out,
                  absl::Span<const std::string_view> path, Wanted wanted) {
  std::optional<simdjson::dom::element> skipped;
  Convert(element, out, path, &skipped, &wanted);
  if (!skipped.has_value() || !wanted(*out)) return;
  // The skipped member's parents are the objects Convert copied last.
  json* parent = out;
  for (std::string_view key : path.first(path.size() - 1)) {
    auto it = parent->find(key);
    if (it == parent->end() || !it->is_object()) return;
    parent = &*it;
  }
  Convert(*skipped, &(*parent)[std::string(path.back())]);
}

// nlohmann's reading of `text`, for what simdjson refuses (see ParseJson).
absl::StatusOr<json> ParseWithNlohmann(std::string_view text) {
  try {
    json out = json::parse(text.begin(), text.end());
    // Refused as simdjson would: a copy, dump() or comparison of the value
    // recurses once per level, and would overflow the stack.
    if (NestedDeeperThan(out, simdjson::DEFAULT_MAX_DEPTH)) {
      return absl::InvalidArgumentError(absl::StrCat("arrays and objects nested deeper than ",
                                                     simdjson::DEFAULT_MAX_DEPTH, " levels"));
    }
    return out;
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ...": the
    // bracketed id says nothing to a reader.
    std::string message = e.what();
    if (size_t close = message.find("] "); close != std::string::npos) {
      message = message.substr(close + 2);
    }
    return absl::InvalidArgumentError(message);
  }
}

}  // namespace

simdjson::dom::parser& ThreadJsonParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool NestedDeeperThan(const json& value, size_t limit) {
  std::vector<std::pair<const json*, size_t>> stack{{&value, 1}};
  while (!stack.empty()) {
    auto [at, depth] = stack.back();
    stack.pop_back();
    if (!at->is_structured()) continue;
    if (depth > limit) return true;
    for (const json& child : *at) stack.emplace_back(&child, depth + 1);
  }
  return false;
}

std::optional<json> ParseJsonReadingArray(
    std::string_view text, std::string_view array_key,
    absl::FunctionRef<void(const simdjson::dom::element&, json*)> read) {
  simdjson::dom::element root;
  simdjson::dom::object page;
  simdjson::dom::array elements;
  if (ThreadJsonParser().parse(text.data(), text.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(page) != simdjson::SUCCESS || HasRepeatedKey(page) ||
      page.at_key(array_key).get_array().get(elements) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  json out = json::object();
  for (simdjson::dom::key_value_pair member : page) {
    json& value = out[std::string(member.key)];
    if (member.key != array_key) {
      Convert(member.value, &value);
      continue;
    }
    value = json::array();
    value.get_ref<json::array_t&>().reserve(elements.size());
    for (simdjson::dom::element e : elements) read(e, &value.emplace_back());
  }
  return out;
}

bool HasRepeatedKey(const simdjson::dom::object& object) {
  const size_t size = object.size();
  if (size <= 1) return false;
  if (size <= 16) {
    std::string_view keys[16];
    size_t n = 0;
    for (simdjson::dom::key_value_pair member : object) {
      for (size_t k = 0; k < n; ++k) {
        if (keys[k] == member.key) return true;
      }
      keys[n++] = member.key;
    }
    return false;
  }
  if (size <= 128) {
    std::string_view keys[128];
    size_t n = 0;
    for (simdjson::dom::key_value_pair member : object) keys[n++] = member.key;
    std::sort(keys, keys + n);
    return std::adjacent_find(keys, keys + n) != keys + n;
  }
  absl::flat_hash_set<std::string_view> keys;
  keys.reserve(size);
  for (simdjson::dom::key_value_pair member : object) {
    if (!keys.insert(member.key).second) return true;
  }
  return false;
}

bool PlainJson(const simdjson::dom::element& e, size_t depth, size_t max_depth) {
  if (e.type() == simdjson::dom::element_type::ARRAY) {
    if (depth > max_depth) return false;
    for (simdjson::dom::element child : simdjson::dom::array(e)) {
      if (!PlainJson(child, depth + 1, max_depth)) return false;
    }
    return true;
  }
  if (e.type() != simdjson::dom::element_type::OBJECT) return true;
  if (depth > max_depth) return false;
  const simdjson::dom::object object(e);
  if (HasRepeatedKey(object)) return false;
  for (simdjson::dom::key_value_pair member : object) {
    if (!PlainJson(member.value, depth + 1, max_depth)) return false;
  }
  return true;
}

void CopyToNlohmann(const simdjson::dom::element& element, json* out) { Convert(element, out); }

void CopyToNlohmannOmitting(const simdjson::dom::element& element, json* out,
                            absl::Span<const std::string_view> path,
                            absl::FunctionRef<bool(const json& scope)> wanted) {
  ConvertScope(element, out, path, wanted);
}

absl::StatusOr<json> ParseJson(std::string_view text) {
  simdjson::dom::element root;
  if (ThreadJsonParser().parse(text.data(), text.size()).get(root) == simdjson::SUCCESS) {
    json out;
    Convert(root, &out);
    return out;
  }
  return ParseWithNlohmann(text);
}

absl::StatusOr<json> ParseJsonOmitting(std::string_view text,
                                       absl::Span<const std::string_view> path,
                                       absl::FunctionRef<bool(const json& scope)> wanted) {
  simdjson::dom::element root;
  if (ThreadJsonParser().parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
    return ParseWithNlohmann(text);
  }
  json out;
  if (std::find(path.begin(), path.end(), "*") == path.end()) {
    ConvertScope(root, &out, path, wanted);
  } else {
    Convert(root, &out, path, nullptr, &wanted);
  }
  return out;
}

}  // namespace inkdex::dynamodb
