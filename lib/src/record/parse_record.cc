// ParseArtistRecord: JSON text to the field mapper, choosing plain or
// DynamoDB JSON.
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// Finds where a document simdjson rejected goes wrong, as a byte offset and
// the field path (`portfolioImages[2].url`): simdjson's DOM parser reports
// what, not where. Runs only on the error path.
class ErrorLocator : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<size_t> position;  // 0-based offset of the offending byte
  std::string path;                // where it is; empty at the top level
  std::string reason;              // nlohmann's own words, when more precise

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Number(); }
  bool number_unsigned(number_unsigned_t) override { return Number(); }
  bool number_float(number_float_t, const string_t&) override { return Number(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    frames_.push_back({false, "", 0});
    after_number_ = false;
    return true;
  }
  bool key(string_t& key) override {
    frames_.back().key = key;
    after_number_ = false;
    return true;
  }
  bool end_object() override { return EndContainer(); }
  bool start_array(std::size_t) override {
    frames_.push_back({true, "", 0});
    after_number_ = false;
    return true;
  }
  bool end_array() override { return EndContainer(); }
  bool parse_error(std::size_t byte, const std::string&,
                   const nlohmann::detail::exception& e) override {
    position = byte > 0 ? byte - 1 : 0;  // nlohmann counts from 1
    // "01" reads as the number 0 followed by another number: the error is
    // in the field of that first number, not after it.
    const bool number_after_number =
        after_number_ && std::string_view(e.what()).find("number literal") != std::string::npos;
    if (number_after_number && !frames_.empty()) frames_.back() = last_number_frame_;
    path = CurrentPath();
    // Only the out-of-range message says more than simdjson's (the syntax
    // ones quote the parser's state machine). It comes at the end of the
    // number, "... parsing '1e400'": the position is moved to its start.
    if (e.id == 406) {
      reason = e.what();
      const size_t open = reason.find('\'');
      const size_t close = reason.rfind('\'');
      if (open < close && byte >= close - open - 1) position = byte - (close - open - 1);
    }
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::string key;    // objects: the key of the value being read
    size_t next_index;  // arrays: the index of the value being read
  };

  // The path of the value being read: "guestSpots[1].latitude".
  std::string CurrentPath() const {
    std::string out;
    for (const Frame& f : frames_) {
      if (f.array) {
        absl::StrAppend(&out, "[", f.next_index, "]");
      } else if (!f.key.empty()) {
        absl::StrAppend(&out, out.empty() ? "" : ".", f.key.substr(0, 64));
      }
    }
    return out;
  }

  // Keeps the innermost frame as it was at the number, from which the
  // number's path is built if the next event is an error: building the path
  // here would cost the depth for every number of the document.
  bool Number() {
    if (!frames_.empty()) last_number_frame_ = frames_.back();
    Value();
    after_number_ = true;
    return true;
  }

  // A value ended: an array moves to its next index, an object waits for
  // its next key (an error there is in the object, not in the last value).
  bool Value() {
    after_number_ = false;
    if (frames_.empty()) return true;
    if (frames_.back().array) {
      ++frames_.back().next_index;
    } else {
      frames_.back().key.clear();
    }
    return true;
  }
  bool EndContainer() {
    frames_.pop_back();
    return Value();
  }

  std::vector<Frame> frames_;
  bool after_number_ = false;  // the last event was a number
  Frame last_number_frame_{};  // and this was its innermost frame
};

// The nesting simdjson reads (its default maximum depth): arrays and
// objects inside one another, the outermost counted.
constexpr size_t kMaxNesting = simdjson::DEFAULT_MAX_DEPTH;

// The offset of the first '[' or '{' nested deeper than kMaxNesting, if
// any, counting brackets outside strings in one pass. The text need not be
// valid JSON. Text that deep must never reach nlohmann's dump() or copy,
// which recurse once per level and overflow the stack.
std::optional<size_t> TooDeepAt(absl::string_view json) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

absl::Status JsonError(absl::string_view json, simdjson::error_code error) {
  // Said first, whatever else is wrong: the locator below would otherwise
  // report a deep document's first syntax error, or none.
  if (std::optional<size_t> at = TooDeepAt(json)) {
    return absl::InvalidArgumentError(absl::StrCat("json: arrays and objects nested deeper than ",
                                                   kMaxNesting, " levels at byte ", *at));
  }
  ErrorLocator locator;
  nlohmann::json::sax_parse(json.begin(), json.end(), &locator,
                            nlohmann::detail::input_format_t::json, /*strict=*/true);
  std::string what = simdjson::error_message(error);
  if (!locator.reason.empty()) {
    // "[json.exception.out_of_range.406] number overflow parsing '1e400'"
    absl::string_view reason = locator.reason;
    if (size_t bracket = reason.find("] "); bracket != reason.npos) {
      reason.remove_prefix(bracket + 2);
    }
    what = std::string(reason);
  }
  if (!locator.position) return absl::InvalidArgumentError(absl::StrCat("json: ", what));
  return absl::InvalidArgumentError(
      absl::StrCat("json: ", what, " at byte ", *locator.position,
                   locator.path.empty() ? "" : absl::StrCat(" (in ", locator.path, ")")));
}

// simdjson 3.0 refuses integers beyond 64 bits, which JSON allows. Such a
// document is rewritten by a parser that reads them as doubles, so that the
// field they are in is checked like any other out-of-range number (a
// warning on an optional field, a rejection on a required one) instead of
// the whole record being refused. Numbers beyond a double's range stay an
// error. Empty when the rewrite does not help, and for text nested deeper
// than simdjson reads (which dump() would recurse through).
std::string WithBigIntegersAsDoubles(absl::string_view json) {
  if (TooDeepAt(json)) return "";
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), /*cb=*/nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) return "";
  return doc.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
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
    std::string rewritten;
    if (error == simdjson::NUMBER_ERROR)
      rewritten = WithBigIntegersAsDoubles(internal::ToAbsl(json));
    if (rewritten.empty() || parser.parse(rewritten).get(root) != simdjson::SUCCESS) {
      return JsonError(internal::ToAbsl(json), error);
    }
  }
  if (format == RecordFormat::kJson) return internal::MapPlainRecord(root, taxonomy);

  simdjson::dom::element item;
  if (UnwrapItem(root, &item)) return internal::MapDynamoDbItem(item, taxonomy);
  if (format == RecordFormat::kDynamoDbJson) return internal::MapDynamoDbItem(root, taxonomy);

  simdjson::dom::element id;
  const bool dynamodb = root.type() == simdjson::dom::element_type::OBJECT &&
                        root.get_object().at_key("artistId").get(id) == simdjson::SUCCESS &&
                        internal::DynamoDbValueView::IsAttributeValue(internal::SimdjsonNode(id));
  return dynamodb ? internal::MapDynamoDbItem(root, taxonomy)
                  : internal::MapPlainRecord(root, taxonomy);
}

absl::StatusOr<ParsedRecord> MapDynamoDbAttributeMap(const nlohmann::json& attribute_map,
                                                     const nlohmann::json& replaced,
                                                     const StyleTaxonomy& taxonomy) {
  try {
    internal::NlohmannImage image(attribute_map, replaced);
    return internal::MapDynamoDbImage(&image, taxonomy);
  } catch (const std::exception& e) {
    // The views check every type before reading; this only keeps a bug
    // from crossing the API.
    return absl::InternalError(absl::StrCat("json: ", e.what()));
  }
}

absl::StatusOr<ParsedRecord> MapDynamoDbAttributeMap(const simdjson::dom::element& attribute_map,
                                                     const StyleTaxonomy& taxonomy) {
  try {
    return internal::MapDynamoDbItem(attribute_map, taxonomy);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("json: ", e.what()));
  }
}

std::optional<std::string> DynamoDbAttributeMapHiddenBy(const nlohmann::json& attribute_map) {
  try {
    internal::NlohmannImage image(attribute_map, nlohmann::json());
    return internal::HiddenByImage(&image);
  } catch (const std::exception& e) {
    return absl::StrCat("its visibility could not be read (", e.what(), ")");
  }
}

}  // namespace inkdex
