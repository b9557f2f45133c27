// JSON nodes: the few reads the DynamoDB value view (dynamodb_value.h) makes
// of a parsed document, over simdjson's DOM (SimdjsonNode: record text that
// ParseArtistRecord parsed) or over an nlohmann::json (NlohmannNode: a stream
// image the service already holds parsed). One view, and so one field
// mapper, serves both, and a stream image is mapped without being written
// out as text and parsed again (which cost more than the mapping itself).
//
// A node type N provides:
//   JsonType type() const;
//   std::string_view string() const;              // REQUIRES: type() == kString
//   bool boolean() const;                          // kBool
//   int64_t int64() const;  uint64_t uint64() const;  double float64() const;
//   std::optional<N> at_key(std::string_view key) const;  // kObject
//   bool single_member(std::string_view* key, N* value) const;  // an object of one member
//   size_t size() const;                           // kArray
//   template <class F> void ForEachElement(F f) const;  // kArray; f(N)
//
// An NlohmannNode reads as the text its json would dump to
// (nlohmann::json::dump with error_handler_t::replace) reads once parsed:
// non-finite doubles as null, strings that are not valid UTF-8 with the
// invalid bytes replaced (a copy kept by its NlohmannImage), and the root's
// members through the overlay the NlohmannImage was given.
//
// Lifetime: nodes borrow the document (and an NlohmannNode its
// NlohmannImage). Thread safety: as the document; an NlohmannImage is used
// by one thread at a time (it keeps the repaired strings).
#ifndef INKDEX_RECORD_JSON_NODE_H_
#define INKDEX_RECORD_JSON_NODE_H_

#include <cmath>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "record/field_checks.h"
#include "record/value_view.h"
#include "simdjson.h"

namespace inkdex::internal {

enum class JsonType { kObject, kArray, kString, kBool, kNull, kInt64, kUint64, kDouble, kOther };

class SimdjsonNode {
 public:
  SimdjsonNode() = default;
  explicit SimdjsonNode(simdjson::dom::element element) : element_(element) {}

  simdjson::dom::element element() const { return element_; }

  JsonType type() const {
    switch (element_.type()) {
      case simdjson::dom::element_type::OBJECT:
        return JsonType::kObject;
      case simdjson::dom::element_type::ARRAY:
        return JsonType::kArray;
      case simdjson::dom::element_type::STRING:
        return JsonType::kString;
      case simdjson::dom::element_type::BOOL:
        return JsonType::kBool;
      case simdjson::dom::element_type::NULL_VALUE:
        return JsonType::kNull;
      case simdjson::dom::element_type::INT64:
        return JsonType::kInt64;
      case simdjson::dom::element_type::UINT64:
        return JsonType::kUint64;
      case simdjson::dom::element_type::DOUBLE:
        return JsonType::kDouble;
    }
    return JsonType::kOther;
  }
  std::string_view string() const { return Known(element_.get_string()); }
  bool boolean() const { return Known(element_.get_bool()); }
  int64_t int64() const { return Known(element_.get_int64()); }
  uint64_t uint64() const { return Known(element_.get_uint64()); }
  double float64() const { return Known(element_.get_double()); }
  std::optional<SimdjsonNode> at_key(std::string_view key) const {
    simdjson::dom::element child;
    if (element_.get_object().at_key(key).get(child) != simdjson::SUCCESS) return std::nullopt;
    return SimdjsonNode(child);
  }
  bool single_member(std::string_view* key, SimdjsonNode* value) const {
    simdjson::dom::object object;
    if (element_.get_object().get(object) != simdjson::SUCCESS || object.size() != 1) return false;
    for (simdjson::dom::key_value_pair kv : object) {
      *key = kv.key;
      *value = SimdjsonNode(kv.value);
    }
    return true;
  }
  size_t size() const { return Known(element_.get_array()).size(); }
  template <class F>
  void ForEachElement(F f) const {
    for (simdjson::dom::element child : Known(element_.get_array())) f(SimdjsonNode(child));
  }

 private:
  simdjson::dom::element element_;
};

// An attribute map held as an nlohmann::json, read through an overlay. Its
// members (overlay applied) are indexed once in a hash table: the mapper
// looks up ~45 names, most of them absent, and each walk down the image's
// std::map missed the cache at every node.
class NlohmannImage {
 public:
  // `replaced`: an object (or null: none) whose members are read instead of
  // the image's; a discarded value (nlohmann::json::value_t::discarded)
  // reads as absent.
  NlohmannImage(const nlohmann::json& image, const nlohmann::json& replaced) : image_(image) {
    if (image.is_object()) {
      members_.reserve(image.size() + (replaced.is_object() ? replaced.size() : 0));
      for (auto it = image.begin(); it != image.end(); ++it) members_[it.key()] = &*it;
    }
    if (replaced.is_object()) {
      for (auto it = replaced.begin(); it != replaced.end(); ++it) {
        if (it->is_discarded()) {
          members_.erase(it.key());
        } else {
          members_[it.key()] = &*it;
        }
      }
    }
  }

  const nlohmann::json& image() const { return image_; }
  // The member `key` of the root, overlay applied; nullptr when absent.
  const nlohmann::json* member(std::string_view key) const {
    auto it = members_.find(key);
    return it == members_.end() ? nullptr : it->second;
  }
  // `s` as the text would hold it: dump()'s replacement of invalid UTF-8,
  // read back; kept until the image is destroyed.
  std::string_view Repaired(const std::string& s) {
    const std::string text =
        nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return repaired_.emplace_back(nlohmann::json::parse(text).get<std::string>());
  }

 private:
  const nlohmann::json& image_;
  absl::flat_hash_map<std::string_view, const nlohmann::json*> members_;
  std::deque<std::string> repaired_;
};

class NlohmannNode {
 public:
  NlohmannNode() = default;
  // The root of `image`: its members read through `image.replaced`.
  explicit NlohmannNode(NlohmannImage* image)
      : value_(&image->image()), image_(image), root_(true) {}

  JsonType type() const {
    switch (value_->type()) {
      case nlohmann::json::value_t::object:
        return JsonType::kObject;
      case nlohmann::json::value_t::array:
        return JsonType::kArray;
      case nlohmann::json::value_t::string:
        return JsonType::kString;
      case nlohmann::json::value_t::boolean:
        return JsonType::kBool;
      case nlohmann::json::value_t::null:
        return JsonType::kNull;
      case nlohmann::json::value_t::number_integer:
        return JsonType::kInt64;
      case nlohmann::json::value_t::number_unsigned:
        return JsonType::kUint64;
      case nlohmann::json::value_t::number_float:
        // dump() writes NaN and infinities as null.
        return std::isfinite(float64()) ? JsonType::kDouble : JsonType::kNull;
      case nlohmann::json::value_t::binary:
      case nlohmann::json::value_t::discarded:
        break;
    }
    return JsonType::kOther;
  }
  std::string_view string() const {
    const std::string& s = value_->get_ref<const std::string&>();
    if (simdjson::validate_utf8(s.data(), s.size())) return s;
    return image_->Repaired(s);
  }
  bool boolean() const { return value_->get<bool>(); }
  int64_t int64() const { return value_->get<int64_t>(); }
  uint64_t uint64() const { return value_->get<uint64_t>(); }
  double float64() const { return value_->get<double>(); }
  std::optional<NlohmannNode> at_key(std::string_view key) const {
    if (root_) {
      const nlohmann::json* member = image_->member(key);
      if (member == nullptr) return std::nullopt;
      return NlohmannNode(member, image_);
    }
    auto it = value_->find(key);
    if (it == value_->end()) return std::nullopt;
    return NlohmannNode(&*it, image_);
  }
  bool single_member(std::string_view* key, NlohmannNode* value) const {
    if (root_ || !value_->is_object() || value_->size() != 1) return false;
    auto it = value_->begin();
    *key = it.key();
    *value = NlohmannNode(&*it, image_);
    return true;
  }
  size_t size() const { return value_->size(); }
  template <class F>
  void ForEachElement(F f) const {
    for (const nlohmann::json& child : *value_) f(NlohmannNode(&child, image_));
  }

 private:
  NlohmannNode(const nlohmann::json* value, NlohmannImage* image) : value_(value), image_(image) {}

  const nlohmann::json* value_ = nullptr;
  NlohmannImage* image_ = nullptr;
  bool root_ = false;
};

// A plain JSON value for an error message: "an array", "4.5", "string \"x\"".
template <class Node>
std::string DescribePlain(const Node& node) {
  switch (node.type()) {
    case JsonType::kArray:
      return "an array";
    case JsonType::kObject:
      return "an object";
    case JsonType::kInt64:
      return absl::StrCat(node.int64());
    case JsonType::kUint64:
      return absl::StrCat(node.uint64());
    case JsonType::kDouble:
      return FormatDouble(node.float64());
    case JsonType::kString:
      return absl::StrCat("string ", QuoteForMessage(ToAbsl(node.string())));
    case JsonType::kBool:
      return node.boolean() ? "true" : "false";
    case JsonType::kNull:
      return "null";
    case JsonType::kOther:
      break;
  }
  return "an unknown value";
}

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_JSON_NODE_H_
