// Accent folding for search: what makes "lefevre" find "Lefèvre", "lukasz"
// "Łukasz" and "strasse" "Straße". The index and every query fold the same
// way (DocumentBuilder's terms and phrase text, the query parser's input,
// spelling suggestions, as-you-type completion keys), so a word typed with
// or without its diacritics matches the same artists.
//
// A Latin or Greek letter with diacritics becomes its base letter: its
// canonical decomposition (ICU's NFD) without the combining diacritical
// marks ("è" -> "e", "Ő" -> "O", "ά" -> "α"). Letters that do not decompose
// come from a small table: ł ø đ ħ ŧ ı ŀ ſ -> l o d h t i l s, ð -> d,
// þ -> th, ß -> ss, æ -> ae, œ -> oe, ĳ -> ij, ŋ -> n (and their capitals).
// A combining mark already written separately (decomposed input) is dropped
// after such a letter. Everything else, other scripts' letters included
// (Cyrillic "й", Japanese "ガ"), is kept as written: their marks are part of
// the letter. Case is kept (Xapian lowercases).
//
// Invalid UTF-8 is read as Xapian reads it (a stray byte is a Latin-1
// character); the output is always valid UTF-8.
//
// Cost: a scan for a byte >= 0x80; ASCII text is returned as is (no copy
// through FoldedView). Otherwise ~20-40 ns per non-ASCII character (an ICU
// trie lookup).
// Thread safety: any number of calls at once (ICU's normalizer is immutable).
#ifndef INKDEX_TEXT_FOLD_H_
#define INKDEX_TEXT_FOLD_H_

#include <string>
#include <string_view>

namespace inkdex::text {

// Whether `s` holds a byte >= 0x80 (folding can change only such text).
bool HasNonAscii(std::string_view s);

// `s` accent-folded (see above).
std::string FoldAccents(std::string_view s);

// `s` itself when it is ASCII (no copy), else FoldAccents(s) stored in
// *buffer. The view is valid while `s` and *buffer are.
std::string_view FoldedView(std::string_view s, std::string* buffer);

// A word as the index holds it: accent-folded, lowercased (Unicode), a
// typographic apostrophe as ASCII, as the TermGenerator writes terms.
std::string TermOf(std::string_view word);

// The character at text[*i], decoded as Xapian decodes it (an invalid UTF-8
// byte is a Latin-1 character); advances *i past it. REQUIRES: *i < size.
unsigned NextChar(std::string_view text, size_t* i);

// Appends to *out (UTF-8) what the code point `ch` folds to, given whether
// the previous character was a letter whose marks fold away (*after_foldable,
// updated): PhraseText folds character by character with it.
void AppendFolded(unsigned ch, bool* after_foldable, std::string* out);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_FOLD_H_
