#include "synth/json_line.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "synth/text_util.h"

namespace inkdex::synth {

void AppendJsonString(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(value.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(value.data() + run_start, value.size() - run_start);
  out->push_back('"');
}

void AppendFixed(std::string* out, double value, int decimals) {
  static constexpr int64_t kPow10[] = {1,      10,      100,      1000,      10000,
                                       100000, 1000000, 10000000, 100000000, 1000000000};
  int64_t scale = kPow10[decimals];
  int64_t scaled = std::llround(std::abs(value) * static_cast<double>(scale));
  if (value < 0 && scaled != 0) out->push_back('-');
  Append(out, scaled / scale);
  int64_t frac = scaled % scale;
  if (frac == 0) return;
  while (frac % 10 == 0) {
    frac /= 10;
    --decimals;
  }
  out->push_back('.');
  absl::AlphaNum frac_digits(frac);
  out->append(static_cast<size_t>(decimals) - frac_digits.size(), '0');
  out->append(frac_digits.data(), frac_digits.size());
}

void JsonLine::Key(std::string_view key) {
  Separate();
  out_->push_back('"');
  out_->append(key);
  out_->append("\":");
  need_comma_ = false;
}

void JsonLine::String(std::string_view v) {
  Separate();
  AppendJsonString(out_, v);
}

void JsonLine::Int(int64_t v) {
  Separate();
  Append(out_, v);
}

void JsonLine::Fixed(double v, int decimals) {
  Separate();
  AppendFixed(out_, v, decimals);
}

void JsonLine::Bool(bool v) {
  Separate();
  out_->append(v ? "true" : "false");
}

void JsonLine::Null() {
  Separate();
  out_->append("null");
}

void JsonLine::Raw(std::string_view text) {
  Separate();
  out_->append(text);
}

}  // namespace inkdex::synth
