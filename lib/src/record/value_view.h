// Value views: the read-only interface the artist field mapper
// (artist_mapper.cc) reads records through, so plain JSON and DynamoDB JSON
// share one field-mapping code path.
//
// A view type V provides:
//   ValueKind kind() const;
//   absl::string_view string() const;             // REQUIRES: kind() == kString
//   bool boolean() const;                        // REQUIRES: kind() == kBool
//   std::optional<double> number() const;        // REQUIRES: kind() == kNumber
//   std::optional<uint64_t> unsigned_integer() const;  // kNumber, exact >= 0 integer
//   std::optional<V> field(absl::string_view key) const;  // kObject; nullopt if absent
//   size_t size() const;                         // kArray
//   template <class F> void ForEachElement(F f) const;  // kArray; f(V)
//   std::string Describe() const;                // "string \"abc\"", "true", "an object"
//
// Views borrow the parsed document (a simdjson::dom::element): they are valid
// only while the parser that produced it is neither destroyed nor reused.
// Thread safety: as the underlying document (read-only use is safe).
#ifndef INKDEX_RECORD_VALUE_VIEW_H_
#define INKDEX_RECORD_VALUE_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "simdjson.h"

namespace inkdex::internal {

enum class ValueKind { kNull, kBool, kNumber, kString, kArray, kObject, kInvalid };

// `s` quoted for an error message, cut (on a UTF-8 boundary) to a readable
// length: "\"Shoreditch, Lon...\"".
std::string QuoteForMessage(absl::string_view s);

// simdjson speaks std::string_view; Debian's Abseil has its own string_view.
inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

// The value of a simdjson result whose type the caller has checked.
template <typename T>
T Known(simdjson::simdjson_result<T> result) {
  T value{};
  if (std::move(result).get(value) != simdjson::SUCCESS) return T{};
  return value;
}

// A plain JSON value.
class PlainJsonView {
 public:
  explicit PlainJsonView(simdjson::dom::element element) : element_(element) {}

  ValueKind kind() const {
    switch (element_.type()) {
      case simdjson::dom::element_type::ARRAY:
        return ValueKind::kArray;
      case simdjson::dom::element_type::OBJECT:
        return ValueKind::kObject;
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        return ValueKind::kNumber;
      case simdjson::dom::element_type::STRING:
        return ValueKind::kString;
      case simdjson::dom::element_type::BOOL:
        return ValueKind::kBool;
      case simdjson::dom::element_type::NULL_VALUE:
        return ValueKind::kNull;
    }
    return ValueKind::kInvalid;
  }
  absl::string_view string() const { return ToAbsl(Known(element_.get_string())); }
  bool boolean() const { return Known(element_.get_bool()); }
  std::optional<double> number() const {
    double d;
    if (element_.get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
    return d;
  }
  std::optional<uint64_t> unsigned_integer() const;
  std::optional<PlainJsonView> field(absl::string_view key) const {
    simdjson::dom::element child;
    if (element_.get_object().at_key(ToStd(key)).get(child) != simdjson::SUCCESS)
      return std::nullopt;
    return PlainJsonView(child);
  }
  size_t size() const { return Known(element_.get_array()).size(); }
  template <class F>
  void ForEachElement(F f) const {
    for (simdjson::dom::element child : Known(element_.get_array())) f(PlainJsonView(child));
  }
  std::string Describe() const;

 private:
  simdjson::dom::element element_;
};

}  // namespace inkdex::internal

#endif  // INKDEX_RECORD_VALUE_VIEW_H_
