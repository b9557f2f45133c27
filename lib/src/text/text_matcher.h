// Text matching with Xapian: parses the query text (English stemming,
// "phrases", the last word as a prefix, every word required) and returns the
// TF weight of every matching document, optionally only among given slots.
//
// Weighting is TfIdfWeight("lnn"), 1 + ln(wdf) per term with field boosts
// applied as wdf at index time: a document's weight depends on the document
// and the query only, which keeps scores, and so paging, stable while the
// index changes.
//
// Cost: proportional to the postings read; restricting to slots makes Xapian
// skip to them, so a small geo candidate set keeps a common word cheap.
// Thread safety: the Xapian::Database must not be used by another thread
// during the call.
#ifndef INKDEX_TEXT_TEXT_MATCHER_H_
#define INKDEX_TEXT_TEXT_MATCHER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "absl/status/statusor.h"
#include "engine/searcher.h"
#include "inkdex/taxonomy.h"
#include "text/term_walk.h"

namespace inkdex::text {

// A run of query words: plain words, or 1-3 words that name a style.
struct StyleSegment {
  std::vector<std::string> words;
  int style = -1;  // >= 0: the words name this style (an id or alias)
};

// Splits unquoted query words into runs of plain words and runs of 1-3 words
// naming a style, the longest name first ("american traditional koi" ->
// [american traditional](style), [koi]). Exposed for the benchmark's peer
// systems, which reproduce inkdex's text semantics.
std::vector<StyleSegment> SplitStyleWords(const std::vector<std::string>& words,
                                          const StyleTaxonomy& taxonomy);

// The Xapian query for `text`, accent-folded as the index is (fold.h;
// every word required, English stemming,
// "phrases", the last word also as a prefix, words naming a style also
// matching the style); an empty query matches nothing. INVALID_ARGUMENT
// "text: ..." when the text cannot be parsed. Exposed for the benchmark's
// plain-Xapian peer, which must match text exactly as inkdex does.
// `last_word_is_prefix` false: the last word is complete (it ended a quoted
// phrase), matched as the others are.
// `term_freqs`, if set, receives the frequencies of the terms the prefix
// expansion chose (read by its walk anyway).
absl::StatusOr<Xapian::Query> ParseText(const Xapian::Database& db, std::string_view text,
                                        const StyleTaxonomy& taxonomy,
                                        bool last_word_is_prefix = true,
                                        TermFreqs* term_freqs = nullptr);

// One search's text against one Xapian reader, parsed once and shared by the
// plan's estimate and the match (a parse expands the last word's prefix,
// term_walk.h). Words naming a style ("irezumi", "american traditional")
// match the style or the words themselves.
// Thread safety: one thread at a time; `db` and `taxonomy` must outlive it.
class TextQuery {
 public:
  TextQuery(Xapian::Database& db, std::string_view text, const StyleTaxonomy& taxonomy)
      : db_(db), text_(text), taxonomy_(taxonomy) {}

  // How many documents match, estimated from its terms' frequencies as if
  // they were independent, as Xapian estimates (EstimateByPostings). Cost: a
  // frequency lookup (a B-tree descent) for each term the prefix walk did not
  // read; no posting list is opened. INVALID_ARGUMENT "text: ..." when the
  // text cannot be parsed.
  absl::StatusOr<uint64_t> Estimate();
  // Every match with its weight, among `restrict_to` when non-null, and
  // SuggestSpelling's correction when nothing matched (or the text excludes
  // words with "-": a text that matched has no unknown word otherwise).
  // REQUIRES: restrict_to sorted ascending. INVALID_ARGUMENT as Estimate;
  // CANCELLED when `stop` (if set; polled during Xapian's match) said so.
  absl::StatusOr<engine::TextMatches> Match(const std::vector<uint32_t>* restrict_to,
                                            const std::function<bool()>& stop = {});

 private:
  const absl::StatusOr<Xapian::Query>& Parsed();

  Xapian::Database& db_;
  const std::string text_;
  const StyleTaxonomy& taxonomy_;
  std::optional<absl::StatusOr<Xapian::Query>> parsed_;
  // The frequencies of the terms parsing, estimating and matching have
  // read, shared so that each is looked up once a search.
  TermFreqs term_freqs_;
};

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_TEXT_MATCHER_H_
