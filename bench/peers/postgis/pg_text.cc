#include "pg_text.h"

#include <algorithm>
#include <optional>

#include <xapian.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "text/document_builder.h"
#include "text/fold.h"
#include "text/text_matcher.h"

namespace inkdex::bench::postgis {

struct TsvectorBuilder::Impl {
  explicit Impl(const StyleTaxonomy& t) : builder(t) {}
  text::DocumentBuilder builder;
};

TsvectorBuilder::TsvectorBuilder(const StyleTaxonomy& taxonomy) : impl_(new Impl(taxonomy)) {}
TsvectorBuilder::~TsvectorBuilder() { delete impl_; }

std::string QuoteLexeme(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back(c == '\'' ? '\'' : '\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string TsvectorBuilder::Build(const Artist& a) {
  constexpr Xapian::termcount kMaxPositions = 255;
  const Xapian::Document doc = impl_->builder.Build(a);
  std::string out;
  for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    const std::string term = *t;
    if (term.empty() || term[0] == 'X') continue;  // suggest terms of layouts before 3: not text
    if (!out.empty()) out.push_back(' ');
    out += QuoteLexeme(term);
    const Xapian::termcount wdf = std::min(t.get_wdf(), kMaxPositions);
    for (Xapian::termcount p = 1; p <= wdf; ++p) absl::StrAppend(&out, p == 1 ? ":" : ",", p);
  }
  return out;
}

namespace {

// The text's words split as inkdex splits them (runs naming a style).
std::vector<text::StyleSegment> SplitStyleWords(std::string_view text,
                                                const StyleTaxonomy& taxonomy) {
  std::vector<std::string> words = absl::StrSplit(absl::string_view(text.data(), text.size()),
                                                  absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  return text::SplitStyleWords(words, taxonomy);
}

// Xapian's QueryParser splits on anything but letters and digits (bytes of
// UTF-8 characters are kept).
std::vector<std::string> Tokens(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    std::string cur;
    for (char c : w) {
      const auto u = static_cast<unsigned char>(c);
      if (absl::ascii_isalnum(u) || u >= 0x80) {
        cur.push_back(c);
      } else if (!cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
  }
  return out;
}

class QueryBuilder {
 public:
  // A word required as the QueryParser's STEM_SOME makes it: a capitalised
  // word matches its lowercase form, any other its stem.
  std::string Word(const std::string& token) {
    const std::string lower = absl::AsciiStrToLower(token);
    if (absl::ascii_isupper(static_cast<unsigned char>(token[0]))) return Exact(lower);
    return Exact(absl::StrCat("Z", stem_(lower)));
  }
  // The last word: its stem, words beginning with it, stems beginning with it.
  std::string LastWord(const std::string& token) {
    const std::string lower = absl::AsciiStrToLower(token);
    return absl::StrCat("(", Prefix(lower), " | ", Exact(absl::StrCat("Z", stem_(lower))), " | ",
                        Prefix(absl::StrCat("Z", lower)), ")");
  }
  std::string Exact(const std::string& term) {
    alternatives.push_back({term, false});
    return QuoteLexeme(term);
  }
  std::string Prefix(const std::string& term) {
    alternatives.push_back({term, true});
    return QuoteLexeme(term) + ":*";
  }

  std::vector<TextAlternative> alternatives;

 private:
  Xapian::Stem stem_{"english"};
};

}  // namespace

absl::StatusOr<TextQuery> ParseTextQuery(std::string_view raw_text, const StyleTaxonomy& taxonomy) {
  // The terms are of accent-folded text (text::DocumentBuilder): so is the query.
  const std::string folded = text::FoldAccents(raw_text);
  const std::string_view text = folded;
  if (text.find('"') != std::string_view::npos) {
    return absl::UnimplementedError("text: quoted phrases are not supported by the postgis peer");
  }
  const Xapian::Stopper& stopper = text::EnglishStopper();
  QueryBuilder qb;
  std::vector<std::string> parts;
  const std::vector<text::StyleSegment> segments = SplitStyleWords(text, taxonomy);
  for (size_t s = 0; s < segments.size(); ++s) {
    std::vector<std::string> tokens = Tokens(segments[s].words);
    // Stopwords are dropped unless nothing else is left (the QueryParser's rule).
    const bool all_stop = std::all_of(tokens.begin(), tokens.end(), [&](const std::string& t) {
      return stopper(absl::AsciiStrToLower(t));
    });
    std::vector<std::string> terms;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const bool last = s + 1 == segments.size() && i + 1 == tokens.size();
      const bool stop = stopper(absl::AsciiStrToLower(tokens[i]));
      if (stop && !all_stop && !last) continue;
      terms.push_back(last && !stop ? qb.LastWord(tokens[i]) : qb.Word(tokens[i]));
    }
    std::string part = absl::StrJoin(terms, " & ");
    const int style = segments[s].style;
    // A style named by its display name is in every such artist's text
    // already; any other name (an alias, the id) also matches the style.
    if (style >= 0 && StyleTaxonomy::Normalize(absl::StrJoin(segments[s].words, " ")) !=
                          StyleTaxonomy::Normalize(taxonomy.style(style).display_name)) {
      const std::string style_term = qb.Exact(absl::StrCat("S", taxonomy.style(style).id));
      part = part.empty() ? style_term : absl::StrCat("((", part, ") | ", style_term, ")");
    }
    if (!part.empty()) parts.push_back(absl::StrCat("(", part, ")"));
  }
  TextQuery q;
  q.tsquery = absl::StrJoin(parts, " & ");
  q.alternatives = std::move(qb.alternatives);
  return q;
}

}  // namespace inkdex::bench::postgis
