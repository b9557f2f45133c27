#include "text/text_matcher.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "text/document_builder.h"
#include "text/fold.h"
#include "text/match_stop.h"
#include "text/posting_match.h"
#include "text/spelling.h"
#include "text/term_walk.h"

namespace inkdex::text {
namespace {

// How many terms the last word expands to as a prefix (the most frequent).
constexpr size_t kMaxPrefixExpansion = 64;

// Posts exactly a sorted list of docids, so Xapian can AND text with the geo
// candidates by skipping.
class SlotListSource : public Xapian::PostingSource {
 public:
  explicit SlotListSource(const std::vector<uint32_t>& slots) : slots_(slots) {}

  Xapian::doccount get_termfreq_min() const override {
    return static_cast<Xapian::doccount>(slots_.size());
  }
  Xapian::doccount get_termfreq_est() const override {
    return static_cast<Xapian::doccount>(slots_.size());
  }
  Xapian::doccount get_termfreq_max() const override {
    return static_cast<Xapian::doccount>(slots_.size());
  }
  void init(const Xapian::Database&) override { pos_ = static_cast<size_t>(-1); }
  void next(double) override { ++pos_; }
  void skip_to(Xapian::docid did, double) override {
    if (pos_ == static_cast<size_t>(-1)) pos_ = 0;
    pos_ = std::lower_bound(slots_.begin() + pos_, slots_.end(), did) - slots_.begin();
  }
  bool at_end() const override { return pos_ >= slots_.size(); }
  Xapian::docid get_docid() const override { return slots_[pos_]; }
  std::string get_description() const override { return "SlotListSource"; }

 private:
  const std::vector<uint32_t>& slots_;
  size_t pos_ = static_cast<size_t>(-1);
};

}  // namespace

std::vector<StyleSegment> SplitStyleWords(const std::vector<std::string>& words,
                                          const StyleTaxonomy& taxonomy) {
  std::vector<StyleSegment> out;
  for (size_t i = 0; i < words.size();) {
    int style = -1;
    size_t n = std::min<size_t>(3, words.size() - i);
    for (; n > 0; --n) {
      if (std::optional<int> idx =
              taxonomy.Find(absl::StrJoin(words.begin() + i, words.begin() + i + n, " "))) {
        style = *idx;
        break;
      }
    }
    if (style >= 0) {
      out.push_back({{words.begin() + i, words.begin() + i + n}, style});
      i += n;
      continue;
    }
    if (out.empty() || out.back().style >= 0) out.push_back({});
    out.back().words.push_back(words[i++]);
  }
  return out;
}

namespace {

struct Segment {
  std::string text;
  int style = -1;  // >= 0: the words name this style (an id or alias)
};

// The text as segments (SplitStyleWords). Quoted text is left whole: phrases
// are the user's exact words.
std::vector<Segment> Segments(std::string_view text, const StyleTaxonomy& taxonomy) {
  if (text.find('"') != std::string_view::npos) return {Segment{std::string(text)}};
  std::vector<std::string> words = absl::StrSplit(absl::string_view(text.data(), text.size()),
                                                  absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  std::vector<Segment> out;
  for (StyleSegment& s : SplitStyleWords(words, taxonomy)) {
    out.push_back({absl::StrJoin(s.words, " "), s.style});
  }
  return out;
}

// The query of the text's last segment. `optional`: the segment is one
// stopword (after stopwords, if any), which restricts nothing when other
// segments do: the caller joins it to them with AND_MAYBE.
struct LastSegmentQuery {
  Xapian::Query query;
  bool optional = false;
};

// The biography is indexed stemmed only (Z terms, DocumentBuilder), which
// the QueryParser's partial-word expansion never reads: it expands the last
// word over unstemmed terms (plus its exact stem, and only for a lower-case
// word). So the last plain word of the text, lower-cased with the rest of
// it by ParseText (its stem then matches: "Botanic" -> Zbotan, from
// "botanical"), also matches stemmed
// terms that begin with it ("hummingb" -> Zhummingb*, Zhummingbird). The
// word itself, not its stem, is the prefix: "dragons" must not match
// "Dragonetti". Bounded like the QueryParser's own expansion (the 64 most
// frequent terms).
// Returns the query for `segment` (the last segment of the text), or nullopt
// when the plain parse is all there is (quotes, operators, a word not of ASCII letters).
std::optional<LastSegmentQuery> ParseWithStemmedPrefix(const Xapian::Database& db,
                                                       Xapian::QueryParser& qp,
                                                       std::string_view segment,
                                                       unsigned head_flags, TermFreqs* freqs) {
  if (segment.find('"') != std::string_view::npos) return std::nullopt;
  const size_t cut = segment.find_last_of(" \t\n");
  const std::string_view head = cut == std::string_view::npos ? "" : segment.substr(0, cut);
  std::string word(segment.substr(cut == std::string_view::npos ? 0 : cut + 1));
  const bool plain =
      std::all_of(word.begin(), word.end(), [](unsigned char c) { return absl::ascii_isalpha(c); });
  if (word.empty() || !plain) return std::nullopt;
  // Even one letter is the start of the word being typed. A stopword ("the")
  // may be that ("theatrical") or a whole stopword, which no field's terms
  // hold: it does not restrict, the artists with a word it begins rank first
  // (AND_MAYBE), and "london the" keeps every London artist instead of
  // dropping to none until the next word is typed.
  const bool optional = EnglishStopper()(word);
  // What the QueryParser's FLAG_PARTIAL makes of the word (its expansion
  // and its stem), with both expansions done here by a walk that seeks past
  // frequent terms (term_walk.h) instead of by Xapian's wildcard, which reads
  // every posting chunk it passes. The same terms, so the same matches.
  const Xapian::Query partial(
      Xapian::Query::OP_OR, PrefixSynonymQuery(db, word, kMaxPrefixExpansion, freqs),
      Xapian::Query(absl::StrCat("Z", Xapian::Stem("english")(word)), 1, 1));
  Xapian::Query last(Xapian::Query::OP_OR, partial,
                     PrefixSynonymQuery(db, absl::StrCat("Z", word), kMaxPrefixExpansion, freqs));
  // A head of stopwords alone would be kept by the QueryParser (it keeps
  // stopwords when nothing else is left) and required; in the whole text it
  // is dropped. Then a stopword last word is optional against the OTHER
  // segments ("blackwork the": the style's segment, then "the"), or alone.
  std::vector<std::string> head_words = absl::StrSplit(absl::string_view(head.data(), head.size()),
                                                       absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  const bool only_stopwords = std::all_of(head_words.begin(), head_words.end(),
                                          [](const std::string& w) { return EnglishStopper()(w); });
  if (only_stopwords) return LastSegmentQuery{last, optional};
  Xapian::Query rest = qp.parse_query(std::string(head), head_flags);
  if (rest.empty()) return LastSegmentQuery{last, optional};
  return LastSegmentQuery{
      Xapian::Query(optional ? Xapian::Query::OP_AND_MAYBE : Xapian::Query::OP_AND, rest, last)};
}

// The words of `text` as the indexed terms split them: lower-case runs of
// letters and digits (bytes of multi-byte characters count as letters), one
// space apart.
std::string IndexedWords(std::string_view text) {
  std::string out;
  bool in_word = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || u >= 0x80) {
      if (!in_word && !out.empty()) out.push_back(' ');
      out.push_back(absl::ascii_tolower(u));
      in_word = true;
    } else {
      in_word = false;
    }
  }
  return out;
}

// Whether the query for `segment` also matches its style's term. Not for a
// style named by the words of its display name: those are already in every
// such artist's text (DocumentBuilder indexes display names), and OR-ing in
// the style term would only read another long posting list. An alias that
// only normalizes to the display name ("neotraditional", "watercolor",
// "coverup" for Neo-Traditional, Watercolour, Cover-Up) is other words, and
// needs the term.
bool MatchesStyleTerm(const Segment& segment, const StyleTaxonomy& taxonomy) {
  if (segment.style < 0) return false;
  return IndexedWords(segment.text) != IndexedWords(taxonomy.style(segment.style).display_name);
}

}  // namespace

absl::StatusOr<Xapian::Query> ParseText(const Xapian::Database& db, std::string_view text,
                                        const StyleTaxonomy& taxonomy, bool last_word_is_prefix,
                                        TermFreqs* term_freqs) {
  // The terms are of accent-folded text (DocumentBuilder): so is the query
  // (TermOf). Lower-cased too: the QueryParser does not stem a capitalized word (it
  // takes it for a proper noun), and a biography is indexed stemmed only, so
  // "Welcome" or "Walk-Ins" would never match one.
  const std::string lowered = TermOf(text);
  text = lowered;
  Xapian::QueryParser qp;
  qp.set_database(db);
  qp.set_stemmer(Xapian::Stem("english"));
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  qp.set_stopper(&EnglishStopper());
  qp.set_default_op(Xapian::Query::OP_AND);
  // A short last word ("s") would otherwise expand to thousands of terms.
  qp.set_max_expansion(kMaxPrefixExpansion, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
                       Xapian::QueryParser::FLAG_PARTIAL);
  const unsigned base_flags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE;
  // Every segment must match; a style segment matches its words or the style.
  std::vector<Xapian::Query> parts;
  std::optional<Xapian::Query> optional_last;  // LastSegmentQuery::optional
  const std::vector<Segment> segments = Segments(text, taxonomy);
  try {
    for (size_t i = 0; i < segments.size(); ++i) {
      const bool last = last_word_is_prefix && i + 1 == segments.size();
      const unsigned flags =
          base_flags | (last ? static_cast<unsigned>(Xapian::QueryParser::FLAG_PARTIAL) : 0u);
      std::optional<LastSegmentQuery> with_prefix;
      if (last)
        with_prefix = ParseWithStemmedPrefix(db, qp, segments[i].text, base_flags, term_freqs);
      if (with_prefix && with_prefix->optional) {
        optional_last = std::move(with_prefix->query);
        continue;
      }
      Xapian::Query q =
          with_prefix ? std::move(with_prefix->query) : qp.parse_query(segments[i].text, flags);
      if (MatchesStyleTerm(segments[i], taxonomy)) {
        q = Xapian::Query(
            Xapian::Query::OP_OR, q,
            Xapian::Query(absl::StrCat(kStylePrefix, taxonomy.style(segments[i].style).id)));
      }
      if (!q.empty()) parts.push_back(std::move(q));
    }
  } catch (const Xapian::QueryParserError& e) {
    return absl::InvalidArgumentError(absl::StrCat("text: cannot parse: ", e.get_msg()));
  }
  // Text of stopwords alone ("the"): the last one is all there is to go by,
  // so it restricts after all, to the words it begins.
  if (parts.empty()) return optional_last ? *std::move(optional_last) : Xapian::Query();
  Xapian::Query all(Xapian::Query::OP_AND, parts.begin(), parts.end());
  if (optional_last) return Xapian::Query(Xapian::Query::OP_AND_MAYBE, all, *optional_last);
  return all;
}

const absl::StatusOr<Xapian::Query>& TextQuery::Parsed() {
  if (!parsed_) parsed_ = ParseText(db_, text_, taxonomy_, true, &term_freqs_);
  return *parsed_;
}

absl::StatusOr<uint64_t> TextQuery::Estimate() {
  const absl::StatusOr<Xapian::Query>& query = Parsed();
  if (!query.ok()) return query.status();
  if (query->empty()) return 0;
  // From the terms' frequencies, most of them read by the prefix walk: no
  // posting list opened (Xapian's own estimate opens every one, a block read
  // each).
  if (CanMatchByPostings(db_, *query)) return EstimateByPostings(db_, *query, &term_freqs_);
  Xapian::Enquire enquire(db_);
  enquire.set_query(*query);
  enquire.set_weighting_scheme(Xapian::BoolWeight());
  return enquire.get_mset(0, 0).get_matches_estimated();
}

namespace {

// Records every document the matcher sees, with its weight. Asked for no
// MSet items (get_mset(0, 0, all)), Xapian's matcher still visits every
// match, computes its weight and shows it to the spy, in docid order, and
// keeps nothing: no MSet of every match, sorted by weight, for the searcher
// to re-sort by slot.
class SlotWeightSpy : public Xapian::MatchSpy {
 public:
  explicit SlotWeightSpy(std::vector<engine::SlotWeight>* out) : out_(out) {}
  void operator()(const Xapian::Document& doc, double wt) override {
    out_->push_back({doc.get_docid(), wt});
  }

 private:
  std::vector<engine::SlotWeight>* const out_;
};

// All matches of `query` with their weights, ascending by slot, among
// `restrict_to` if given. CANCELLED when `stop` (if set) said so during the
// match.
absl::StatusOr<std::vector<engine::SlotWeight>> RunQuery(Xapian::Database& db, Xapian::Query query,
                                                         const std::vector<uint32_t>* restrict_to,
                                                         const std::function<bool()>& stop,
                                                         TermFreqs* term_freqs) {
  // The queries ParseText builds are matched term at a time (posting_match.h):
  // the same matches and weights as Xapian's matcher, at a third of its cost
  // for a broad text.
  if (CanMatchByPostings(db, query)) {
    return MatchByPostings(db, query, restrict_to, stop, term_freqs);
  }
  std::vector<engine::SlotWeight> out;
  static const std::vector<uint32_t> kNone;
  SlotListSource source(restrict_to != nullptr ? *restrict_to : kNone);
  if (restrict_to != nullptr) {
    if (restrict_to->empty()) return out;
    query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(&source));
  }
  MatchStopSource stop_source(stop);
  if (stop) query = Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(&stop_source));
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  enquire.set_weighting_scheme(Xapian::TfIdfWeight("lnn"));
  SlotWeightSpy spy(&out);
  enquire.add_matchspy(&spy);
  try {
    enquire.get_mset(0, 0, db.get_doccount());
  } catch (const MatchStopped&) {
    return absl::CancelledError("text match stopped");
  }
  // One database walks its postings in docid order; a database of several
  // shards would give each shard's in turn.
  const auto by_slot = [](const engine::SlotWeight& a, const engine::SlotWeight& b) {
    return a.slot < b.slot;
  };
  if (!std::is_sorted(out.begin(), out.end(), by_slot)) std::sort(out.begin(), out.end(), by_slot);
  return out;
}

// The "quoted" parts of the text.
std::vector<std::string> QuotedPhrases(std::string_view text) {
  std::vector<std::string> out;
  for (size_t open = text.find('"'); open != std::string_view::npos;) {
    const size_t close = text.find('"', open + 1);
    if (close == std::string_view::npos) break;
    out.emplace_back(text.substr(open + 1, close - open - 1));
    open = text.find('"', close + 1);
  }
  return out;
}

// The text with its "quoted" parts blanked out.
std::string Unquoted(std::string_view text) {
  std::string out;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    out.push_back(quoted || c == '"' ? ' ' : c);
  }
  return out;
}

// The characters Xapian's QueryParser makes a phrase of the words around:
// "neo-traditional", "a/b", "black.rose".
constexpr std::string_view kPhraseGenerators = ".-/:\\@";

// Whether word[i] is a phrase generator with a letter or digit on both sides:
// the QueryParser makes a phrase of the words it joins.
bool JoinsPhrase(std::string_view word, size_t i) {
  auto alnum = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  return i > 0 && i + 1 < word.size() &&
         kPhraseGenerators.find(word[i]) != std::string_view::npos && alnum(word[i - 1]) &&
         alnum(word[i + 1]);
}

bool IsPhraseWord(std::string_view word) {
  for (size_t i = 1; i + 1 < word.size(); ++i) {
    if (JoinsPhrase(word, i)) return true;
  }
  return false;
}

// `text` with its quotes and the phrase generators that join words made
// spaces: the words of its phrases, to be matched as other words are
// (stemmed too: a biography is indexed stemmed only), each phrase then
// checked against the phrase text (KeepPhraseMatches).
std::string LoosePhrases(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '"' || JoinsPhrase(text, i)) out[i] = ' ';
  }
  return out;
}

// What a matching document's phrase text (value kPhraseTextSlot) must hold,
// as PhraseText: each quoted phrase, and each word the QueryParser makes a
// phrase of, unless the word names a style whose term it also matches
// ("sailor-jerry" finds Old School artists without those words). A joined
// word that ends the text is being typed: its last part is a prefix, as the
// last word's is ("neo-tradit" holds " neo tradit", which " neo traditional "
// contains).
std::vector<std::string> PhraseNeedles(std::string_view text, const StyleTaxonomy& taxonomy) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view phrase, bool typing) {
    std::string needle = PhraseText(phrase);
    if (typing && needle.size() > 1 && needle.back() == ' ') needle.pop_back();
    if (needle.size() > 1) out.push_back(std::move(needle));
  };
  for (const std::string& phrase : QuotedPhrases(text)) add(phrase, false);
  // The text comes without surrounding whitespace (Index::Search strips it):
  // its last word is being typed unless a quote closes it.
  const bool open_end = !text.empty() && text.back() != '"';
  const std::vector<Segment> segments = Segments(Unquoted(text), taxonomy);
  for (size_t s = 0; s < segments.size(); ++s) {
    if (MatchesStyleTerm(segments[s], taxonomy)) continue;
    const std::vector<absl::string_view> words =
        absl::StrSplit(segments[s].text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string_view w(words[i].data(), words[i].size());
      const bool last = s + 1 == segments.size() && i + 1 == words.size();
      if (IsPhraseWord(w)) add(w, open_end && last);
    }
  }
  return out;
}

// Erases from `weights` the documents whose phrase text lacks a needle.
// Cost: one value read per document, in docid order (a value stream walk).
void KeepPhraseMatches(Xapian::Database& db, const std::vector<std::string>& needles,
                       std::vector<engine::SlotWeight>* weights) {
  Xapian::ValueIterator it = db.valuestream_begin(kPhraseTextSlot);
  const Xapian::ValueIterator end = db.valuestream_end(kPhraseTextSlot);
  size_t kept = 0;
  for (const engine::SlotWeight& match : *weights) {
    if (it != end) it.skip_to(match.slot);
    if (it == end || it.get_docid() != match.slot) continue;
    const std::string& phrase_text = *it;
    if (std::all_of(needles.begin(), needles.end(), [&](const std::string& needle) {
          return phrase_text.find(needle) != std::string::npos;
        })) {
      (*weights)[kept++] = match;
    }
  }
  weights->resize(kept);
}

}  // namespace

absl::StatusOr<engine::TextMatches> TextQuery::Match(const std::vector<uint32_t>* restrict_to,
                                                     const std::function<bool()>& stop) {
  engine::TextMatches out;
  // Documents have no positions (document_builder.h): Xapian matches a
  // phrase's words anywhere in them (it treats a phrase as AND then), and
  // the phrase itself is checked against each match's phrase text.
  // (Most texts have no quote or phrase-making character: no needles.)
  const bool quoted = text_.find('"') != std::string::npos;
  const bool may_hold_phrase =
      quoted || text_.find_first_of(kPhraseGenerators) != std::string::npos;
  const std::vector<std::string> needles =
      may_hold_phrase ? PhraseNeedles(text_, taxonomy_) : std::vector<std::string>();
  if (!quoted && needles.empty()) {
    const absl::StatusOr<Xapian::Query>& parsed = Parsed();
    if (!parsed.ok()) return parsed.status();
    if (!parsed->empty()) {
      auto weights = RunQuery(db_, *parsed, restrict_to, stop, &term_freqs_);
      if (!weights.ok()) return weights.status();
      out.weights = *std::move(weights);
    }
  } else {
    // The words of quoted phrases and joined words ("walk-ins") are also
    // looked for stemmed, as other words are: a phrase in a biography
    // (indexed stemmed only) is found too.
    // A text that ends with a closed quote ends with a whole word: '"roses
    // are"' must not ask for a word beginning with "are" (a stopword, in no
    // biography's terms).
    const size_t end = text_.find_last_not_of(" \t\n\r");
    const bool ends_quoted = end != std::string::npos && text_[end] == '"' &&
                             std::count(text_.begin(), text_.end(), '"') % 2 == 0;
    absl::StatusOr<Xapian::Query> parsed = ParseText(
        db_, LoosePhrases(text_), taxonomy_, /*last_word_is_prefix=*/!ends_quoted, &term_freqs_);
    if (!parsed.ok()) return parsed.status();
    if (!parsed->empty()) {
      auto weights = RunQuery(db_, *std::move(parsed), restrict_to, stop, &term_freqs_);
      if (!weights.ok()) return weights.status();
      out.weights = *std::move(weights);
    }
  }
  if (!needles.empty() && !out.weights.empty()) KeepPhraseMatches(db_, needles, &out.weights);
  // Every word of a text that matched something matched (the words are
  // AND-ed), so none is unknown and there is nothing to correct: the
  // spelling check's term lookups (several block reads a word) are spent only
  // on a text that matched nothing, or one that excludes words ("-word"
  // matches documents without it, so "dragon -tigre" finds dragons and still
  // has a word to correct).
  if (out.weights.empty() || text_.find('-') != std::string::npos) {
    out.spelling_suggestion = SuggestSpelling(db_, text_, taxonomy_);
  }
  return out;
}

}  // namespace inkdex::text
