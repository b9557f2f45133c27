#include "text/spelling.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "taxonomy/edit_distance.h"
#include "text/document_builder.h"
#include "text/fold.h"
#include "text/term_walk.h"
#include "text/text_matcher.h"

namespace inkdex::text {
namespace {

// The words of `text` as byte ranges: runs of Unicode word characters
// (letters, digits, marks, connectors: what Xapian's TermGenerator indexes),
// with an apostrophe or '&' between two of them inside the word, as the
// TermGenerator keeps them ("o'brien" is one term).
std::vector<std::pair<size_t, size_t>> WordRanges(std::string_view text) {
  struct Char {
    unsigned ch;
    size_t begin, end;
  };
  std::vector<Char> chars;
  for (size_t i = 0; i < text.size();) {
    const size_t begin = i;
    const unsigned ch = NextChar(text, &i);
    chars.push_back({ch, begin, i});
  }
  auto word_char = [&](size_t k) {
    return k < chars.size() && Xapian::Unicode::is_wordchar(chars[k].ch);
  };
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t k = 0; k < chars.size();) {
    if (!word_char(k)) {
      ++k;
      continue;
    }
    size_t e = k + 1;
    while (true) {
      if (word_char(e)) {
        ++e;
      } else if (e < chars.size() &&
                 (chars[e].ch == '\'' || chars[e].ch == 0x2019 || chars[e].ch == '&') &&
                 word_char(e + 1)) {
        e += 2;
      } else {
        break;
      }
    }
    out.emplace_back(chars[k].begin, chars[e - 1].end);
    k = e;
  }
  return out;
}

bool HasTermWithPrefix(const Xapian::Database& db, const std::string& prefix) {
  bool any = false;
  ForEachTermWithPrefix(db, prefix, [&any](const std::string&, Xapian::doccount) {
    any = true;
    return false;
  });
  return any;
}

// The word, as some document wrote it, that stems to `stem` and is closest
// to `typed`: the stem's first documents' phrase text (which holds every
// text field, the biography included) read for words with that stem. ""
// when none is found. Cost: one posting list opened, at most kDocs values.
std::string SurfaceForm(const Xapian::Database& db, const Xapian::Stem& stemmer,
                        const std::string& stem, const std::string& typed) {
  constexpr int kDocs = 3;
  std::string best;
  int best_d = 0;
  int docs = 0;
  const std::string term = "Z" + stem;
  const std::string separators = {' ', kPhraseFieldSeparator};
  for (Xapian::PostingIterator it = db.postlist_begin(term);
       it != db.postlist_end(term) && docs < kDocs; ++it, ++docs) {
    const std::string text = db.get_document(*it).get_value(kPhraseTextSlot);
    for (absl::string_view w :
         absl::StrSplit(text, absl::ByAnyChar(separators), absl::SkipEmpty())) {
      const std::string word(w);
      if (word == best || stemmer(word) != stem) continue;
      const int d = internal::EditDistance(typed, word);
      if (best.empty() || d < best_d) {
        best = word;
        best_d = d;
      }
    }
  }
  return best;
}

// The closest word the biographies offer for `word` (whose stem is `stem`)
// within `max_distance` edits of it, or "" (with *termfreq the match's stem's
// and *distance the nearer of the word's and its stem's distances, below). A
// biography is indexed as stems only
// ("portrait" for "portraits", "resid" for "resident"), and a stem makes a
// poor suggestion, so the word's stem is matched against the stems (within
// `max_distance` edits), and each of the closest is offered as a word a
// document wrote with that stem (SurfaceForm: "residnt" -> stem "resid" ->
// "resident"), judged by the nearer of its own and its stem's distance to
// the typed word's. A stem the word
// begins with is a candidate too ("botanicl" -> "botan" -> "botanical").
// Scans at most `max_scan` stems that begin with the word's first character.
std::string StemCorrection(const Xapian::Database& db, const Xapian::Stem& stemmer,
                           const std::string& word, const std::string& stem,
                           const std::string& first_char, int max_scan, int max_distance,
                           int* distance, Xapian::doccount* termfreq) {
  struct Candidate {
    std::string stem;
    int d;
    Xapian::doccount tf;
  };
  // The few closest stems (then the most frequent): a close stem may have
  // no surface form close to the typed word.
  constexpr size_t kCandidates = 3;
  std::vector<Candidate> closest;
  auto before = [](const Candidate& a, const Candidate& b) {
    return a.d != b.d ? a.d < b.d : a.tf > b.tf;
  };
  int n = 0;
  ForEachTermWithPrefix(db, "Z" + first_char, [&](const std::string& term, Xapian::doccount tf) {
    if (n++ >= max_scan) return false;
    const std::string_view candidate = std::string_view(term).substr(1);
    // A stem the typed word begins with may be far from the word's own stem
    // when the typo is in the ending ("botanicl" keeps its letters, "botan"
    // is "botanical"'s stem): it competes at the largest distance allowed.
    const bool begins = candidate.size() >= 4 && std::string_view(stem).starts_with(candidate);
    if (!begins && (candidate.size() + 2 < stem.size() || candidate.size() > stem.size() + 2)) {
      return true;
    }
    const int d = begins ? std::min(internal::EditDistance(stem, candidate), max_distance)
                         : internal::EditDistance(stem, candidate);
    if (d > max_distance) return true;
    Candidate c{std::string(candidate), d, tf};
    if (closest.size() == kCandidates && !before(c, closest.back())) return true;
    closest.insert(std::upper_bound(closest.begin(), closest.end(), c, before), std::move(c));
    if (closest.size() > kCandidates) closest.pop_back();
    return true;
  });
  std::string best;
  *distance = max_distance + 1;
  *termfreq = 0;
  for (const Candidate& c : closest) {
    std::string surface = SurfaceForm(db, stemmer, c.stem, word);
    if (surface.empty()) continue;
    const int surface_d = internal::EditDistance(word, surface);
    if (surface_d > max_distance) continue;
    // Ranked by the nearer of the two: the surface form is the first few
    // documents' spelling, and may carry an ending the typed word did not
    // ("sleve" -> stem "slev", one edit from "sleev", whose documents wrote
    // "sleeves", two edits away); the stem says how close the word is to
    // what the documents hold, so "sleeves" is not beaten by a rare name
    // one edit away ("slee").
    const int d = std::min(surface_d, c.d);
    if (d < *distance || (d == *distance && c.tf > *termfreq)) {
      best = std::move(surface);
      *distance = d;
      *termfreq = c.tf;
    }
  }
  return best;
}

}  // namespace

std::string SuggestSpelling(Xapian::Database& db, std::string_view text,
                            const StyleTaxonomy& taxonomy) {
  constexpr int kMaxScan = 20000;
  const Xapian::Stem stemmer("english");
  const std::vector<std::pair<size_t, size_t>> words = WordRanges(text);
  // Words that together name a style ("sailor jerry", "american
  // traditional", "sailor-jerry") match its artists, as the query does
  // (Segments): none of them is corrected, though alone it is no style.
  std::vector<bool> names_style(words.size(), false);
  {
    std::vector<std::string> folded;
    folded.reserve(words.size());
    for (const auto& [begin, end] : words)
      folded.push_back(TermOf(text.substr(begin, end - begin)));
    size_t k = 0;
    for (const StyleSegment& segment : SplitStyleWords(folded, taxonomy)) {
      for (size_t j = 0; j < segment.words.size(); ++j, ++k) names_style[k] = segment.style >= 0;
    }
  }
  std::string out;
  bool changed = false;
  size_t copied = 0;  // text before this is in `out`
  for (size_t w = 0; w < words.size(); ++w) {
    const auto [begin, end] = words[w];
    const std::string_view original = text.substr(begin, end - begin);
    const std::string word = TermOf(original);
    const std::string stem = stemmer(word);
    // Only a word that matches nothing is corrected: not a term, nor a
    // stem's, nor a style, nor a stopword (which the query drops), nor, as
    // the last word (which the query also matches as a prefix: "drago"),
    // the beginning of a term. Short words and numbers are left alone.
    // (`word` is valid UTF-8, TermOf: a character is a non-continuation byte.)
    auto continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
    const auto chars =
        std::count_if(word.begin(), word.end(), [&](char c) { return !continuation(c); });
    const bool candidate = chars >= 3 && std::none_of(word.begin(), word.end(), [](char c) {
                             return absl::ascii_isdigit(c);
                           });
    if (!candidate || names_style[w] || db.get_termfreq(word) != 0 ||
        db.get_termfreq("Z" + stem) != 0 || taxonomy.Find(word) || EnglishStopper()(word) ||
        (w + 1 == words.size() &&
         (HasTermWithPrefix(db, word) || HasTermWithPrefix(db, "Z" + word)))) {
      continue;
    }
    // At most two edits: a word three edits away is another word.
    constexpr int kMaxEdits = 2;
    std::string best;
    int best_d = kMaxEdits + 1;
    Xapian::doccount best_f = 0;
    // The candidates share the word's first character (its UTF-8 bytes).
    size_t first_len = 1;
    while (first_len < word.size() && continuation(word[first_len])) ++first_len;
    const std::string start = word.substr(0, first_len);
    int n = 0;
    ForEachTermWithPrefix(db, start, [&](const std::string& term, Xapian::doccount termfreq) {
      if (n++ >= kMaxScan) return false;
      if (term.size() + 2 < word.size() || term.size() > word.size() + 2) return true;
      const int d = internal::EditDistance(word, term);
      if (d > kMaxEdits) return true;
      if (d < best_d || (d == best_d && termfreq > best_f)) {
        best_d = d;
        best_f = termfreq;
        best = term;
      }
      return true;
    });
    // A biography's word, when it is closer than any other field's, or as
    // close and more frequent.
    int stem_d = 0;
    Xapian::doccount stem_f = 0;
    std::string from_stems =
        StemCorrection(db, stemmer, word, stem, start, kMaxScan, kMaxEdits, &stem_d, &stem_f);
    if (!from_stems.empty() && (stem_d < best_d || (stem_d == best_d && stem_f > best_f))) {
      best = std::move(from_stems);
    }
    if (best.empty()) continue;
    out.append(text.substr(copied, begin - copied));
    out.append(best);
    copied = end;
    changed = true;
  }
  if (!changed) return std::string();
  out.append(text.substr(copied));
  return out;
}

}  // namespace inkdex::text
