// JsonLine: appends one JSON object to a std::string, fast and without
// allocation beyond the string's growth. Built for generating millions of
// records: no DOM, no streams, keys are trusted literals.
//
// Strings are escaped per RFC 8259 (quote, backslash and control characters;
// other UTF-8 bytes pass through). Numbers are written in fixed notation.
// The writer does not check nesting: callers pair Begin*/End* calls.
//
// Thread-safety: a JsonLine is used by one thread at a time.
#ifndef INKDEX_TOOLS_SYNTH_JSON_LINE_H_
#define INKDEX_TOOLS_SYNTH_JSON_LINE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace inkdex::synth {

// Appends `value` as a quoted, escaped JSON string.
void AppendJsonString(std::string* out, std::string_view value);
// Appends `value` rounded to `decimals` (0..9) places, trailing zeros trimmed
// (4.50 -> 4.5, 120.0 -> 120). REQUIRES: value is finite.
void AppendFixed(std::string* out, double value, int decimals);

class JsonLine {
 public:
  // Appends to *out, which must outlive the writer.
  explicit JsonLine(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  // Writes `"key":` inside an object; the next value call completes the pair.
  void Key(std::string_view key);

  void String(std::string_view v);
  void Int(int64_t v);
  void Fixed(double v, int decimals);
  void Bool(bool v);
  void Null();
  // Appends already-serialized JSON (or deliberately broken text) verbatim.
  void Raw(std::string_view text);

  // Key/value shorthands.
  void String(std::string_view key, std::string_view v) { Key(key), String(v); }
  void Int(std::string_view key, int64_t v) { Key(key), Int(v); }
  void Fixed(std::string_view key, double v, int decimals) { Key(key), Fixed(v, decimals); }
  void Bool(std::string_view key, bool v) { Key(key), Bool(v); }

 private:
  void Separate() {
    if (need_comma_) out_->push_back(',');
    need_comma_ = true;
  }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    need_comma_ = false;
  }
  void Close(char c) {
    out_->push_back(c);
    need_comma_ = true;
  }

  std::string* out_;
  bool need_comma_ = false;
};

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_JSON_LINE_H_
