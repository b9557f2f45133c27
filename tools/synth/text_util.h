// Small text helpers for synthetic records: ASCII folding for handles and
// URLs, template filling, and ISO-8601 dates and timestamps.
//
// Stateless functions; thread-safe.
#ifndef INKDEX_TOOLS_SYNTH_TEXT_UTIL_H_
#define INKDEX_TOOLS_SYNTH_TEXT_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace inkdex::synth {

// This Abseil (20220623) has its own absl::string_view, which absl::StrCat
// does not accept std::string_view for; these convert at the boundary.
inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

namespace text_internal {
inline void AppendOne(std::string* out, std::string_view s) { out->append(s); }
inline void AppendOne(std::string* out, const char* s) { out->append(s); }
inline void AppendOne(std::string* out, const std::string& s) { out->append(s); }
template <typename Int>
requires std::is_integral_v<Int>
void AppendOne(std::string* out, Int v) {
  absl::AlphaNum digits(v);
  out->append(digits.data(), digits.size());
}
}  // namespace text_internal

// Appends strings (std:: or C) and integers, like absl::StrAppend.
template <typename... Args>
void Append(std::string* out, const Args&... args) {
  (text_internal::AppendOne(out, args), ...);
}
// Concatenates strings and integers, like absl::StrCat.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  Append(&out, args...);
  return out;
}

// Lower-case ASCII letters and digits of `text`, with common Latin letters
// folded ("Zoë Müller-Łukasz" -> "zoemullerlukasz"); everything else dropped.
std::string AsciiFoldLower(std::string_view text);

// Appends `pattern` to *out with each "{name}" replaced by lookup(name); an
// unknown or unterminated placeholder is copied as it is.
template <typename Lookup>
void AppendFilled(std::string* out, std::string_view pattern, Lookup lookup) {
  size_t pos = 0;
  while (pos < pattern.size()) {
    size_t open = pattern.find('{', pos);
    size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) break;
    out->append(pattern.substr(pos, open - pos));
    lookup(pattern.substr(open + 1, close - open - 1), out);
    pos = close + 1;
  }
  if (pos < pattern.size()) out->append(pattern.substr(pos));
}

// Appends `value` in decimal, left-padded with zeros to `width` digits.
void AppendZeroPadded(std::string* out, uint64_t value, int width);
// "2026-11-29".
void AppendDate(std::string* out, absl::CivilDay day);
// "2026-11-29T08:15:00Z" (the time is taken as UTC).
void AppendTimestamp(std::string* out, absl::CivilSecond time);

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_TEXT_UTIL_H_
