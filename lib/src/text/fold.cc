#include "text/fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include <xapian.h>

namespace inkdex::text {
namespace {

// The letters that fold to something other than their decomposition's base:
// they have none (ICU's own Latin-ASCII transliterator maps them the same
// way). Sorted by code point.
struct Mapping {
  unsigned ch;
  const char* folded;
};
constexpr Mapping kNonDecomposing[] = {
    {0x00C6, "AE"}, {0x00D0, "D"}, {0x00D8, "O"},  {0x00DE, "TH"}, {0x00DF, "ss"},  // Æ Ð Ø Þ ß
    {0x00E6, "ae"}, {0x00F0, "d"}, {0x00F8, "o"},  {0x00FE, "th"}, {0x0110, "D"},  // æ ð ø þ Đ
    {0x0111, "d"},  {0x0126, "H"}, {0x0127, "h"},  {0x0131, "i"},  {0x0132, "IJ"},  // đ Ħ ħ ı Ĳ
    {0x0133, "ij"}, {0x013F, "L"}, {0x0140, "l"},  {0x0141, "L"},  {0x0142, "l"},  // ĳ Ŀ ŀ Ł ł
    {0x014A, "N"},  {0x014B, "n"}, {0x0152, "OE"}, {0x0153, "oe"}, {0x0166, "T"},  // Ŋ ŋ Œ œ Ŧ
    {0x0167, "t"},  {0x017F, "s"}, {0x1E9E, "SS"},                                 // ŧ ſ ẞ
};

// nullptr: not one of them.
const char* NonDecomposing(unsigned ch) {
  const Mapping* end = std::end(kNonDecomposing);
  const Mapping* it = std::lower_bound(std::begin(kNonDecomposing), end, ch,
                                       [](const Mapping& m, unsigned c) { return m.ch < c; });
  return it != end && it->ch == ch ? it->folded : nullptr;
}

// The combining diacritical marks (the blocks of that name), which folding
// drops after a Latin or Greek letter. Other scripts' combining marks
// (Devanagari vowel signs, the kana voicing marks) are not accents.
bool IsDiacritic(UChar32 c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

bool IsFoldableBase(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  return U_SUCCESS(status) && (script == USCRIPT_LATIN || script == USCRIPT_GREEK);
}

const icu::Normalizer2& Nfd() {
  static const icu::Normalizer2* nfd = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
    // ICU's data is linked in (libicudata): this fails only on a broken
    // install, where no text could be folded consistently.
    if (U_FAILURE(status) || n == nullptr) std::abort();
    return n;
  }();
  return *nfd;
}

}  // namespace

bool HasNonAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

unsigned NextChar(std::string_view text, size_t* i) {
  const unsigned char b = static_cast<unsigned char>(text[*i]);
  if (b < 0x80) {
    ++*i;
    return b;
  }
  // GCC 12 wrongly finds the iterator's sequence length maybe uninitialized
  // once this is inlined (the constructor sets it).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  Xapian::Utf8Iterator it(text.data() + *i, text.size() - *i);
  const unsigned ch = *it;
  ++it;
#pragma GCC diagnostic pop
  const size_t used = static_cast<size_t>(it.raw() - (text.data() + *i));
  *i += used == 0 ? 1 : used;
  return ch;
}

void AppendFolded(unsigned ch, bool* after_foldable, std::string* out) {
  if (ch < 0x80) {
    out->push_back(static_cast<char>(ch));
    *after_foldable = (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
    return;
  }
  if (const char* folded = NonDecomposing(ch)) {
    out->append(folded);
    *after_foldable = true;
    return;
  }
  const UChar32 c = static_cast<UChar32>(ch);
  if (IsDiacritic(c)) {
    if (!*after_foldable) Xapian::Unicode::append_utf8(*out, ch);
    return;
  }
  icu::UnicodeString decomposition;
  if (Nfd().getDecomposition(c, decomposition) && IsFoldableBase(decomposition.char32At(0))) {
    for (int32_t i = 0; i < decomposition.length(); i = decomposition.moveIndex32(i, 1)) {
      const UChar32 d = decomposition.char32At(i);
      if (!IsDiacritic(d)) Xapian::Unicode::append_utf8(*out, static_cast<unsigned>(d));
    }
    *after_foldable = true;
    return;
  }
  Xapian::Unicode::append_utf8(*out, ch);
  *after_foldable = IsFoldableBase(c);
}

std::string FoldAccents(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool after_foldable = false;
  for (size_t i = 0; i < s.size();) AppendFolded(NextChar(s, &i), &after_foldable, &out);
  return out;
}

std::string_view FoldedView(std::string_view s, std::string* buffer) {
  if (!HasNonAscii(s)) return s;
  *buffer = FoldAccents(s);
  return *buffer;
}

std::string TermOf(std::string_view word) {
  std::string buffer;
  const std::string_view folded = FoldedView(word, &buffer);
  std::string out;
  out.reserve(folded.size());
  for (Xapian::Utf8Iterator it(folded.data(), folded.size()); it != Xapian::Utf8Iterator(); ++it) {
    const unsigned ch = *it == 0x2019 ? '\'' : *it;
    Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(ch));
  }
  return out;
}

}  // namespace inkdex::text
