// Text search for the SQLite peer: the FTS5 side of inkdex's text rules.
//
// Index: inkdex's own Xapian document for the artist (text::DocumentBuilder:
// the same tokenizer, English Snowball stems, field boosts as wdf) is read
// back term by term at load time; unstemmed terms go to the FTS5 column
// `words`, stemmed (Z) terms without the Z to `stems`, each term repeated
// wdf times, so FTS5's instance count of a phrase in a row is Xapian's wdf.
// The table is contentless (content='', the text lives nowhere else) with
// the `ascii` tokenizer, every ASCII punctuation mark a token character:
// the stored tokens are exactly Xapian's terms (already lowercased; UTF-8
// bytes kept verbatim), split on spaces.
//
// Query: the text is parsed as inkdex's QueryParser setup does for plain
// words (text_matcher.cc): style words split out (1-3 word runs the taxonomy
// knows), every word required, a lowercase word matches its stem, a
// capitalised one its unstemmed form, stopwords dropped, and the last word
// matches OR(its unstemmed prefix, its stem, its stemmed prefix). The text
// weight t is Xapian's TfIdfWeight("lnn"): the sum over the matching query
// terms (a prefix counts as one term whose wdf is the sum over its
// expansions) of 1 + ln(wdf), computed by the FTS5 auxiliary function
// inkdex_tf() from instance counts.
//
// Words naming a style by an alias ("mandala", "irezumi") also match the
// style: the third column, `styles`, holds the artist's canonical style ids
// (inkdex's boolean S terms), which inkdex_tf() does not weigh.
//
// Differences from inkdex: quoted phrases and Xapian query operators are
// UNIMPLEMENTED; spelling suggestions are not offered; and inkdex expands
// the last word's prefix to its 64 most frequent terms only (Xapian breaks
// ties among equal frequencies in no documented order), here to all of
// them, so a prefix with more than 64 expansions (a short word, "tattoo"
// with its many handles) can match more artists. The benchmark's Q2 words
// expand to one or two terms each; its answers are identical.
//
// Thread safety: pure functions; inkdex_tf keeps no state.
#ifndef INKDEX_BENCH_PEERS_SQLITE_SQLITE_TEXT_H_
#define INKDEX_BENCH_PEERS_SQLITE_SQLITE_TEXT_H_

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::bench::sqlite {

// The FTS5 columns of one artist.
struct FtsColumns {
  std::string words;
  std::string stems;
  std::string styles;  // canonical style ids: inkdex's boolean S terms
};

// Builds artists' FTS5 columns with inkdex's document builder.
class FtsColumnBuilder {
 public:
  explicit FtsColumnBuilder(const StyleTaxonomy& taxonomy);
  ~FtsColumnBuilder();
  FtsColumns Build(const Artist& artist);

 private:
  struct Impl;
  Impl* impl_;
};

// The tokenizer clause of the FTS5 table (see the file comment).
extern const char kFtsTokenize[];

// The FTS5 MATCH expression for `text`; "" when the text has no searchable
// word (inkdex then matches nothing). UNIMPLEMENTED for what the peer does
// not reproduce (see the file comment).
absl::StatusOr<std::string> FtsMatchExpression(std::string_view text,
                                               const StyleTaxonomy& taxonomy);

// Registers the FTS5 auxiliary function inkdex_tf(<fts table>) on `db`.
absl::Status RegisterTfFunction(sqlite3* db);

}  // namespace inkdex::bench::sqlite

#endif  // INKDEX_BENCH_PEERS_SQLITE_SQLITE_TEXT_H_
