#include "sqlite_text.h"

#include <xapian.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "text/document_builder.h"
#include "text/text_matcher.h"

namespace inkdex::bench::sqlite {

const char kFtsTokenize[] = "tokenize = \"ascii tokenchars '!#$%&''()*+,-./:;<=>?@[\\]^_`{|}~'\"";

struct FtsColumnBuilder::Impl {
  explicit Impl(const StyleTaxonomy& t) : builder(t) {}
  text::DocumentBuilder builder;
};

FtsColumnBuilder::FtsColumnBuilder(const StyleTaxonomy& taxonomy) : impl_(new Impl(taxonomy)) {}
FtsColumnBuilder::~FtsColumnBuilder() { delete impl_; }

FtsColumns FtsColumnBuilder::Build(const Artist& artist) {
  FtsColumns out;
  for (const std::string& style : artist.styles()) {
    if (!out.styles.empty()) out.styles.push_back(' ');
    out.styles.append(style);
  }
  const Xapian::Document doc = impl_->builder.Build(artist);
  for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    const std::string term = *t;
    if (term.empty()) continue;
    std::string* column = nullptr;
    std::string_view token = term;
    if (term[0] == 'Z') {
      column = &out.stems;
      token.remove_prefix(1);
    } else if (!absl::ascii_isupper(static_cast<unsigned char>(term[0]))) {
      column = &out.words;
    } else {
      continue;  // boolean terms (S; XA, XT, XC before layout 3): not text
    }
    for (Xapian::termcount i = 0; i < t.get_wdf(); ++i) {
      if (!column->empty()) column->push_back(' ');
      column->append(token);
    }
  }
  return out;
}

namespace {

// An FTS5 string: "..." with embedded quotes doubled.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool IsStopword(const std::string& lower) { return text::EnglishStopper()(lower); }

// The term a non-final query word matches (QueryParser STEM_SOME): a
// lowercase word its stem, a capitalised one itself, lowercased.
std::string WordTerm(const std::string& word, const Xapian::Stem& stem) {
  const std::string lower = absl::AsciiStrToLower(word);
  if (absl::ascii_islower(static_cast<unsigned char>(word[0]))) {
    return absl::StrCat("stems:", Quoted(stem(lower)));
  }
  return absl::StrCat("words:", Quoted(lower));
}

}  // namespace

absl::StatusOr<std::string> FtsMatchExpression(std::string_view text,
                                               const StyleTaxonomy& taxonomy) {
  const std::vector<std::string> words = absl::StrSplit(
      absl::string_view(text.data(), text.size()), absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  for (const std::string& w : words) {
    if (!std::all_of(w.begin(), w.end(), [](unsigned char c) { return absl::ascii_isalpha(c); })) {
      return absl::UnimplementedError(
          absl::StrCat("text: the sqlite peer handles plain words only, got '", w, "'"));
    }
  }
  const Xapian::Stem stem("english");
  std::vector<std::string> segment_exprs;
  const std::vector<text::StyleSegment> segments = text::SplitStyleWords(words, taxonomy);
  for (size_t i = 0; i < segments.size(); ++i) {
    const text::StyleSegment& seg = segments[i];
    std::vector<std::string> parts;
    const bool last = i + 1 == segments.size();
    std::vector<std::string> head(seg.words.begin(), seg.words.end() - (last ? 1 : 0));
    const bool only_stopwords = std::all_of(head.begin(), head.end(), [](const std::string& w) {
      return IsStopword(absl::AsciiStrToLower(w));
    });
    // The QueryParser drops stopwords unless nothing else is left.
    if (!(last && only_stopwords)) {
      for (const std::string& w : head) {
        if (!IsStopword(absl::AsciiStrToLower(w)) || (only_stopwords && !last)) {
          parts.push_back(WordTerm(w, stem));
        }
      }
    }
    if (last) {
      const std::string word = absl::AsciiStrToLower(seg.words.back());
      if (word.size() < 2 || IsStopword(word)) {
        return absl::UnimplementedError(
            absl::StrCat("text: a last word of one letter or a stopword ('", word, "')"));
      }
      // OR(unstemmed prefix, stem, stemmed prefix): text_matcher.cc's
      // ParseWithStemmedPrefix with the QueryParser's FLAG_PARTIAL.
      parts.push_back(absl::StrCat("(words:", Quoted(word), "* OR stems:", Quoted(stem(word)),
                                   " OR stems:", Quoted(word), "*)"));
    }
    if (parts.empty()) continue;
    std::string expr = absl::StrJoin(parts, " AND ");
    // Words naming a style by an alias also match the style (inkdex ORs in
    // its boolean term, which weighs nothing: inkdex_tf skips `styles`).
    if (seg.style >= 0 && StyleTaxonomy::Normalize(absl::StrJoin(seg.words, " ")) !=
                              StyleTaxonomy::Normalize(taxonomy.style(seg.style).display_name)) {
      expr = absl::StrCat("((", expr, ") OR styles:", Quoted(taxonomy.style(seg.style).id), ")");
    }
    segment_exprs.push_back(std::move(expr));
  }
  return absl::StrJoin(segment_exprs, " AND ");
}

namespace {

constexpr int kStylesColumn = 2;

// inkdex_tf(): sum over the query's phrases present in the row of
// 1 + ln(instances).
void TfFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int,
                sqlite3_value**) {
  int phrases = api->xPhraseCount(fts);
  int instances = 0;
  if (api->xInstCount(fts, &instances) != SQLITE_OK) {
    sqlite3_result_error(ctx, "inkdex_tf: xInstCount failed", -1);
    return;
  }
  int counts[64] = {};
  phrases = std::min(phrases, 64);
  for (int i = 0; i < instances; ++i) {
    int phrase = 0, col = 0, off = 0;
    if (api->xInst(fts, i, &phrase, &col, &off) != SQLITE_OK) continue;
    if (phrase < phrases && col != kStylesColumn) ++counts[phrase];
  }
  double t = 0;
  for (int p = 0; p < phrases; ++p) {
    if (counts[p] > 0) t += 1 + std::log(static_cast<double>(counts[p]));
  }
  sqlite3_result_double(ctx, t);
}

}  // namespace

absl::Status RegisterTfFunction(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: fts5 unavailable: ", sqlite3_errmsg(db)));
  }
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (api == nullptr) return absl::InternalError("sqlite: no fts5_api");
  if (api->xCreateFunction(api, "inkdex_tf", nullptr, &TfFunction, nullptr) != SQLITE_OK) {
    return absl::InternalError("sqlite: cannot register inkdex_tf");
  }
  return absl::OkStatus();
}

}  // namespace inkdex::bench::sqlite
