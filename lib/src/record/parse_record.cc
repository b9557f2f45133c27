// ParseArtistRecord: JSON text to the field mapper, choosing plain or
// DynamoDB JSON.
#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "inkdex/record.h"
#include "nlohmann/json.hpp"
#include "record/artist_mapper.h"
#include "record/dynamodb_value.h"
#include "simdjson.h"

namespace inkdex {
namespace {

// Finds where a document simdjson rejected goes wrong: simdjson's DOM parser
// reports what, not where. Runs only on the error path.
class ErrorLocator : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<size_t> position;  // 0-based offset of the offending byte

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t byte, const std::string&,
                   const nlohmann::detail::exception&) override {
    position = byte > 0 ? byte - 1 : 0;  // nlohmann counts from 1
    return false;
  }
};

absl::Status JsonError(absl::string_view json, simdjson::error_code error) {
  ErrorLocator locator;
  nlohmann::json::sax_parse(json.begin(), json.end(), &locator,
                            nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (locator.position) {
    return absl::InvalidArgumentError(
        absl::StrCat("json: ", simdjson::error_message(error), " at byte ", *locator.position));
  }
  return absl::InvalidArgumentError(absl::StrCat("json: ", simdjson::error_message(error)));
}

// {"Item": {...}}: the S3 export's line shape.
bool UnwrapItem(simdjson::dom::element root, simdjson::dom::element* item) {
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS || object.size() != 1) return false;
  return object.at_key("Item").get(*item) == simdjson::SUCCESS &&
         item->type() == simdjson::dom::element_type::OBJECT;
}

}  // namespace

absl::StatusOr<ParsedRecord> ParseArtistRecord(std::string_view json, const StyleTaxonomy& taxonomy,
                                               RecordFormat format) {
  if (absl::StripAsciiWhitespace(internal::ToAbsl(json)).empty()) {
    return absl::InvalidArgumentError("json: empty record");
  }
  // A parser reuses its buffers across documents but must not be shared.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root); error) {
    return JsonError(internal::ToAbsl(json), error);
  }
  if (format == RecordFormat::kJson) return internal::MapPlainRecord(root, taxonomy);

  simdjson::dom::element item;
  if (UnwrapItem(root, &item)) return internal::MapDynamoDbItem(item, taxonomy);
  if (format == RecordFormat::kDynamoDbJson) return internal::MapDynamoDbItem(root, taxonomy);

  simdjson::dom::element id;
  const bool dynamodb = root.type() == simdjson::dom::element_type::OBJECT &&
                        root.get_object().at_key("artistId").get(id) == simdjson::SUCCESS &&
                        internal::DynamoDbValueView::IsAttributeValue(id);
  return dynamodb ? internal::MapDynamoDbItem(root, taxonomy)
                  : internal::MapPlainRecord(root, taxonomy);
}

}  // namespace inkdex
