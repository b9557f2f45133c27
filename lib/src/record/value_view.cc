#include "record/value_view.h"

#include "absl/strings/str_cat.h"
#include "record/field_checks.h"
#include "record/json_node.h"

namespace inkdex::internal {

std::string QuoteForMessage(absl::string_view s) {
  constexpr size_t kMaxQuoted = 40;
  if (s.size() <= kMaxQuoted) return absl::StrCat("\"", s, "\"");
  size_t cut = kMaxQuoted;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat("\"", s.substr(0, cut), "...\"");
}

std::optional<uint64_t> PlainJsonView::unsigned_integer() const {
  switch (element_.type()) {
    case simdjson::dom::element_type::UINT64:
      return Known(element_.get_uint64());
    case simdjson::dom::element_type::INT64: {
      const int64_t v = Known(element_.get_int64());
      if (v < 0) return std::nullopt;
      return static_cast<uint64_t>(v);
    }
    case simdjson::dom::element_type::DOUBLE:
      return DoubleToUint64(Known(element_.get_double()));
    default:
      return std::nullopt;
  }
}

std::string PlainJsonView::Describe() const { return DescribePlain(SimdjsonNode(element_)); }

}  // namespace inkdex::internal
