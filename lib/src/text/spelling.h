// Spelling suggestions for search text ("did you mean"), from the terms of
// the search index itself: no separate spelling table (Xapian's, with
// spelling data, corrupts itself after ~128 commits of similar words in
// 1.4.22: tests/crash/xapian_spelling_test.cc).
//
// Thread safety: the Xapian::Database must not be used by another thread
// during the call.
#ifndef INKDEX_TEXT_SPELLING_H_
#define INKDEX_TEXT_SPELLING_H_

#include <string>
#include <string_view>

#include <xapian.h>

#include "inkdex/taxonomy.h"

namespace inkdex::text {

// A corrected `text` when some word of it matches nothing and an indexed
// word within two edits exists (the most frequent such word); "" otherwise.
// Words are Unicode words (letters, digits and marks, with inner
// apostrophes: "Łukasz", "o'brien"), accent-folded and lowercased as the
// index holds them (fold.h). A word matches when it is a term, its stem
// is, it names a style or is a stopword, or, for the last word (which the
// query also matches as a prefix), when a term begins with it ("drago").
// Biography words, indexed as stems only, are found by their stems and
// offered as a document wrote them ("residnt" -> stem "resid" ->
// "resident"); the closer word wins, then the more frequent.
// Only corrected words change; the rest of `text` is kept as typed.
// Cost: two scans of the terms sharing the unknown word's first letter (the
// words, then the stems; each bounded) and a few documents' phrase text
// read, only for unknown words.
std::string SuggestSpelling(Xapian::Database& db, std::string_view text,
                            const StyleTaxonomy& taxonomy);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_SPELLING_H_
