#include "synth/text_util.h"

#include "absl/strings/str_cat.h"

namespace inkdex::synth {
namespace {

// Two-byte UTF-8 Latin letters (U+00C0..U+017F) and their ASCII base letters;
// indexed by code point - 0xC0. '-' marks a code point that folds to nothing.
constexpr std::string_view kLatinFold =
    "aaaaaaaceeeeiiiidnooooo-ouuuuyts"   // U+00C0..U+00DF
    "aaaaaaaceeeeiiiidnooooo-ouuuuyty"   // U+00E0..U+00FF
    "aaaaaaccccccccddddeeeeeeeeeegggg"   // U+0100..U+011F
    "gggghhhhiiiiiiiiiijjjjkkklllllll"   // U+0120..U+013F
    "lllnnnnnnnnnoooooooorrrrrrssssss"   // U+0140..U+015F
    "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs";  // U+0160..U+017F

}  // namespace

std::string AsciiFoldLower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z')
        out.push_back(static_cast<char>(c - 'A' + 'a'));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        out.push_back(static_cast<char>(c));
      continue;
    }
    if ((c & 0xe0) == 0xc0 && i + 1 < text.size()) {
      unsigned code = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3fu);
      ++i;
      if (code >= 0xc0 && code - 0xc0 < kLatinFold.size() && kLatinFold[code - 0xc0] != '-') {
        out.push_back(kLatinFold[code - 0xc0]);
        if (code == 0xdf) out.push_back('s');  // ß -> ss
      }
      continue;
    }
    // Skip the continuation bytes of longer sequences.
    while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xc0) == 0x80) ++i;
  }
  return out;
}

void AppendZeroPadded(std::string* out, uint64_t value, int width) {
  absl::AlphaNum digits(value);
  if (static_cast<int>(digits.size()) < width) {
    out->append(static_cast<size_t>(width) - digits.size(), '0');
  }
  out->append(digits.data(), digits.size());
}

void AppendDate(std::string* out, absl::CivilDay day) {
  AppendZeroPadded(out, static_cast<uint64_t>(day.year()), 4);
  out->push_back('-');
  AppendZeroPadded(out, static_cast<uint64_t>(day.month()), 2);
  out->push_back('-');
  AppendZeroPadded(out, static_cast<uint64_t>(day.day()), 2);
}

void AppendTimestamp(std::string* out, absl::CivilSecond time) {
  AppendDate(out, absl::CivilDay(time));
  out->push_back('T');
  AppendZeroPadded(out, static_cast<uint64_t>(time.hour()), 2);
  out->push_back(':');
  AppendZeroPadded(out, static_cast<uint64_t>(time.minute()), 2);
  out->push_back(':');
  AppendZeroPadded(out, static_cast<uint64_t>(time.second()), 2);
  out->push_back('Z');
}

}  // namespace inkdex::synth
