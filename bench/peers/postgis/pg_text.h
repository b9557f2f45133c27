// Text search for the PostGIS peer: the artist's tsvector and the tsquery of
// a request's text, built so that PostgreSQL matches exactly the artists
// inkdex matches.
//
// Why not to_tsvector('english', ...): PostgreSQL's english configuration
// uses its own Snowball stemmer build, stopword list and tokenizer, which
// differ from Xapian's on some words, so the match sets would differ. The
// peer instead loads the very terms inkdex indexes (inkdex's own
// DocumentBuilder, i.e. Xapian's TermGenerator with Stem("english")) into a
// tsvector of literal lexemes ('simple' semantics: stored as given, case
// kept): unstemmed words ("dragons"), stems with Xapian's "Z" prefix
// ("Zdragon"), and "S<style id>" for each style (no positions). A term's
// within-document frequency (wdf, field boosts included) is kept as that
// many positions (capped at 255, tsvector's limit), so the relevance text
// weight t = sum of (1 + ln wdf) (Xapian's TfIdfWeight "lnn") can be computed
// in SQL (inkdex_text_weight, created by the loader).
//
// The query side parses the text as inkdex does (text_matcher.cc): runs of
// words naming a style also match the style ('S<id>'), every plain word
// matches its stem ('Zstem'; a capitalised word its lowercase form), the
// last word also as a prefix of words and of stems. Differences, all outside
// the benchmark's queries: quoted phrases are not supported (UNIMPLEMENTED);
// the prefix expansion is not limited to the 64 most frequent terms (so a
// last word with more completions, "tattoo" (564 among 3,000 artists, most
// of them instagram handles like "tattoosbyzofia13"), matches more artists
// here than in inkdex; the benchmark's last words are whole style
// words with a handful of completions); inside a multi-word style run
// matched by the style term, partial word matches add weight where Xapian's
// AND would not.
//
// Thread safety: TsvectorBuilder is used by one thread; the free functions
// share no state.
#ifndef INKDEX_BENCH_PEERS_POSTGIS_PG_TEXT_H_
#define INKDEX_BENCH_PEERS_POSTGIS_PG_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::bench::postgis {

// Builds tsvector literals (input syntax) for artists. One per loading
// thread: it owns a Xapian TermGenerator.
class TsvectorBuilder {
 public:
  explicit TsvectorBuilder(const StyleTaxonomy& taxonomy);
  ~TsvectorBuilder();
  std::string Build(const Artist& a);

 private:
  struct Impl;
  Impl* impl_;
};

// One weighted alternative of the query: a lexeme, or a lexeme prefix whose
// matching lexemes count as one (Xapian's OP_SYNONYM: wdfs summed).
struct TextAlternative {
  std::string term;
  bool prefix = false;
};

struct TextQuery {
  std::string tsquery;  // tsquery input syntax; empty: the text matches nothing
  std::vector<TextAlternative> alternatives;
};

// UNIMPLEMENTED for quoted phrases.
absl::StatusOr<TextQuery> ParseTextQuery(std::string_view text, const StyleTaxonomy& taxonomy);

// `s` as a tsvector/tsquery lexeme literal: '...' with ' and \ escaped.
std::string QuoteLexeme(std::string_view s);

}  // namespace inkdex::bench::postgis

#endif  // INKDEX_BENCH_PEERS_POSTGIS_PG_TEXT_H_
