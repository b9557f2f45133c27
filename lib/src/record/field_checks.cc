#include "record/field_checks.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace inkdex::internal {
namespace {

int Digits(absl::string_view s) {
  int v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string CheckArtistId(absl::string_view id) {
  if (id.empty()) return "must not be empty";
  if (absl::StripAsciiWhitespace(id).empty()) return "must not be only whitespace";
  if (id.size() > kMaxArtistIdBytes) {
    return absl::StrCat("must be at most ", kMaxArtistIdBytes, " bytes, got ", id.size());
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c == 0x7f) return absl::StrCat("contains a control character at byte ", i);
  }
  return "";
}

std::string CheckNonBlank(absl::string_view value) {
  return absl::StripAsciiWhitespace(value).empty() ? "must not be empty" : "";
}

std::string CheckNumber(double value, const NumberRange& range) {
  if (std::isfinite(value) && value >= range.min && value <= range.max) return "";
  return absl::StrCat("must be a number ", range.text, ", got ", FormatDouble(value));
}

bool IsIsoDate(absl::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const int year = Digits(s.substr(0, 4));
  const int month = Digits(s.substr(5, 2));
  const int day = Digits(s.substr(8, 2));
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

std::optional<absl::string_view> IsoDatePart(absl::string_view s) {
  if (!IsIsoTimestamp(s)) return std::nullopt;
  return s.substr(0, 10);
}

namespace {

// Consumes exactly `n` digits at the front of *s, whose value must lie in
// [0, max].
bool TakeDigits(absl::string_view* s, size_t n, int max) {
  if (s->size() < n) return false;
  const int value = Digits(s->substr(0, n));
  if (value < 0 || value > max) return false;
  s->remove_prefix(n);
  return true;
}

bool TakeChar(absl::string_view* s, char c) {
  if (s->empty() || s->front() != c) return false;
  s->remove_prefix(1);
  return true;
}

}  // namespace

bool IsIsoTimestamp(absl::string_view s) {
  if (s.size() < 10 || !IsIsoDate(s.substr(0, 10))) return false;
  s.remove_prefix(10);
  if (s.empty()) return true;
  // RFC 3339 lets the separator be a space, and either letter lower case.
  if (!(TakeChar(&s, 'T') || TakeChar(&s, 't') || TakeChar(&s, ' ')) || !TakeDigits(&s, 2, 23) ||
      !TakeChar(&s, ':') || !TakeDigits(&s, 2, 59)) {
    return false;
  }
  if (TakeChar(&s, ':')) {
    if (!TakeDigits(&s, 2, 60)) return false;  // 60: a leap second
    if (TakeChar(&s, '.') || TakeChar(&s, ',')) {
      size_t n = 0;
      while (n < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[n]))) ++n;
      if (n == 0) return false;
      s.remove_prefix(n);
    }
  }
  if (s.empty() || s == "Z" || s == "z") return true;
  if (!TakeChar(&s, '+') && !TakeChar(&s, '-')) return false;
  if (!TakeDigits(&s, 2, 23)) return false;
  TakeChar(&s, ':');
  return TakeDigits(&s, 2, 59) && s.empty();
}

std::string NormalizeCode(absl::string_view s, size_t length) {
  s = absl::StripAsciiWhitespace(s);
  std::string out(s);
  if (out.size() == length && std::all_of(out.begin(), out.end(), [](char c) {
        return absl::ascii_isalpha(static_cast<unsigned char>(c));
      })) {
    absl::AsciiStrToUpper(&out);
  }
  return out;
}

absl::string_view NormalizeHandle(absl::string_view handle) {
  handle = absl::StripAsciiWhitespace(handle);
  if (!handle.empty() && handle[0] == '@') handle.remove_prefix(1);
  return handle;
}

std::string CheckCurrencyCode(absl::string_view code) {
  if (code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) {
        return absl::ascii_isalpha(static_cast<unsigned char>(c));
      })) {
    return "";
  }
  return absl::StrCat("must be a three-letter ISO 4217 code such as GBP, got '", code.substr(0, 40),
                      "'");
}

std::string CheckDateRange(absl::string_view from, absl::string_view to) {
  if (from.empty() && to.empty()) {
    return "from: a guest spot needs a from or a to date (without either it would count on "
           "every day)";
  }
  if (!from.empty() && !IsIsoDate(from)) {
    return absl::StrCat("from: must be a date YYYY-MM-DD, got '", from.substr(0, 40), "'");
  }
  if (!to.empty() && !IsIsoDate(to)) {
    return absl::StrCat("to: must be a date YYYY-MM-DD, got '", to.substr(0, 40), "'");
  }
  // ISO dates order as strings.
  if (!from.empty() && !to.empty() && from > to) {
    return absl::StrCat("from: must not be after to, got ", from, " > ", to);
  }
  return "";
}

std::optional<double> ParseCleanDouble(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  const char* begin = text.data();
  const char* end = begin + text.size();
  // std::from_chars takes "inf", "nan" and ".5" but not "+1"; JSON allows
  // neither "+1" nor ".5", and only the former matters for rejection here.
  double value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<uint64_t> DoubleToUint64(double value) {
  // 2^64 as a double; values below it convert exactly when integral.
  if (!(value >= 0 && value < 18446744073709551616.0) || std::trunc(value) != value) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(value);
}

std::optional<uint64_t> ParseCleanUint64(absl::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc() && ptr == end) return value;
  if (ec == std::errc::result_out_of_range) return std::nullopt;
  std::optional<double> d = ParseCleanDouble(text);
  if (!d) return std::nullopt;
  return DoubleToUint64(*d);
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "0";
  return std::string(buf, ptr);
}

}  // namespace inkdex::internal
