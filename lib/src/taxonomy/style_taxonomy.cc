#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "inkdex/taxonomy.h"
#include "taxonomy/edit_distance.h"

namespace inkdex {
namespace internal {
extern const std::string_view kDefaultStylesTsv;  // data/styles.tsv, see EmbedData.cmake
}  // namespace internal

namespace {

// Suggestions compare at most this many normalized bytes, so a pathological
// multi-megabyte "style" cannot make an error message quadratic.
constexpr size_t kMaxSuggestLength = 64;
// Names quoted in error messages are cut to this many bytes.
constexpr size_t kMaxQuotedLength = 80;

bool IsValidId(absl::string_view id) {
  if (id.empty() || !absl::ascii_islower(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return absl::ascii_islower(u) || absl::ascii_isdigit(u) || c == '_';
  });
}

std::string Quoted(absl::string_view s) {
  if (s.size() <= kMaxQuotedLength) return absl::StrCat("'", s, "'");
  return absl::StrCat("'", s.substr(0, kMaxQuotedLength), "...'");
}

}  // namespace

std::string StyleTaxonomy::Normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    // Bytes >= 0x80 are kept: a UTF-8 alias ("japonés") stays matchable.
    if (absl::ascii_isalnum(u) || u >= 0x80) out.push_back(absl::ascii_tolower(u));
  }
  if (out.find("colour") != std::string::npos || out.find("grey") != std::string::npos) {
    out = absl::StrReplaceAll(out, {{"colour", "color"}, {"grey", "gray"}});
  }
  return out;
}

absl::StatusOr<StyleTaxonomy> StyleTaxonomy::Parse(std::string_view std_text) {
  const absl::string_view text(std_text.data(), std_text.size());
  StyleTaxonomy tax;
  absl::flat_hash_map<std::string, int> id_line;  // id -> line it was defined on
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = absl::StrCat("line ", line_no, ": ");

    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() < 2 || fields.size() > 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected 'id<TAB>Display Name<TAB>alias|alias...', got ",
                       fields.size(), " tab-separated field(s)"));
    }
    const absl::string_view id = absl::StripAsciiWhitespace(fields[0]);
    if (!IsValidId(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "style id ", Quoted(id),
                       " must be lowercase ASCII letters, digits and '_', starting with a letter"));
    }
    if (auto it = id_line.find(id); it != id_line.end()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "duplicate style id '", id,
                                                     "' (first defined on line ", it->second, ")"));
    }
    if (tax.size() >= kMaxStyles) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "more than ", kMaxStyles, " styles (the index's style mask limit)"));
    }
    id_line.emplace(id, line_no);

    StyleInfo info;
    info.id = std::string(id);
    info.display_name = std::string(absl::StripAsciiWhitespace(fields[1]));
    if (info.display_name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "style '", id, "' has an empty display name"));
    }
    if (fields.size() == 3) {
      for (absl::string_view alias : absl::StrSplit(fields[2], '|')) {
        alias = absl::StripAsciiWhitespace(alias);
        if (!alias.empty()) info.aliases.emplace_back(alias);
      }
    }

    const int index = tax.size();
    // The id and every alias must lead to this style and no other.
    auto claim = [&](absl::string_view name, absl::string_view what) -> absl::Status {
      std::string key = Normalize(std::string_view(name.data(), name.size()));
      if (key.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, what, " ", Quoted(name), " of style '", id, "' has no letters or digits"));
      }
      auto [it, inserted] = tax.by_normalized_.emplace(std::move(key), index);
      if (!inserted && it->second != index) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, what, " ", Quoted(name), " of style '", id, "' already names style '",
            tax.styles_[it->second].id, "' (both normalize to '", it->first, "')"));
      }
      return absl::OkStatus();
    };
    if (absl::Status s = claim(info.id, "id"); !s.ok()) return s;
    for (const std::string& alias : info.aliases) {
      if (absl::Status s = claim(alias, "alias"); !s.ok()) return s;
    }
    tax.styles_.push_back(std::move(info));
  }
  if (tax.styles_.empty()) return absl::InvalidArgumentError("no styles defined");
  return tax;
}

absl::StatusOr<StyleTaxonomy> StyleTaxonomy::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read failed"));
  absl::StatusOr<StyleTaxonomy> tax = Parse(content.str());
  if (!tax.ok()) {
    return absl::Status(tax.status().code(), absl::StrCat(path, ": ", tax.status().message()));
  }
  return tax;
}

absl::StatusOr<StyleTaxonomy> StyleTaxonomy::Default() {
  static const absl::StatusOr<StyleTaxonomy>* const kDefault =
      new absl::StatusOr<StyleTaxonomy>(Parse(internal::kDefaultStylesTsv));
  if (!kDefault->ok()) {
    return absl::InternalError(
        absl::StrCat("built-in data/styles.tsv: ", kDefault->status().message()));
  }
  return *kDefault;
}

std::optional<int> StyleTaxonomy::Find(std::string_view name) const {
  const std::string key = Normalize(name);
  if (key.empty()) return std::nullopt;
  auto it = by_normalized_.find(key);
  if (it == by_normalized_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<int> StyleTaxonomy::Resolve(std::string_view name, std::string_view field) const {
  if (std::optional<int> index = Find(name)) return *index;
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(field.data(), field.size()), ": unknown style ",
                   Quoted(absl::string_view(name.data(), name.size())),
                   "; closest: ", absl::StrJoin(Closest(name, 3), ", ")));
}

namespace {

// The words of a style name or query, each normalized (Normalize): runs of
// letters and digits (bytes >= 0x80 count as letters). Words of one or two
// bytes and "and" say nothing about a style ("b&g", "black n grey").
std::vector<std::string> NameWords(std::string_view name) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 3 && word != "and") out.push_back(StyleTaxonomy::Normalize(word));
    word.clear();
  };
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || u >= 0x80) {
      word.push_back(absl::ascii_tolower(u));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

}  // namespace

std::vector<std::string> StyleTaxonomy::Closest(std::string_view name, int n) const {
  if (n <= 0) return {};
  std::string key = Normalize(name);
  if (key.size() > kMaxSuggestLength) key.resize(kMaxSuggestLength);
  std::vector<std::string> query_words = NameWords(name.substr(0, 4 * kMaxSuggestLength));
  // Sharing whole words says more than spelling: "classic traditional" is
  // nearer to Traditional ("traditional" shared, 7 edits) than to
  // Illustrative (fewer edits, nothing shared). So a style ranks by how many
  // of the query's words its names hold, then by whether one of its names
  // is wholly in the query (its words all among the query's, or its
  // normalized form, 4 bytes or more, inside the query's: "oldschoolish"),
  // then by the distance to its nearest name, then by id.
  struct Rank {
    int shared = 0;
    bool whole = false;
    int distance = -1;
    const std::string* id = nullptr;
  };
  std::vector<Rank> ranked(styles_.size());
  for (const auto& [candidate, index] : by_normalized_) {
    Rank& r = ranked[index];
    const int d = internal::EditDistance(key, candidate);
    if (r.distance < 0 || d < r.distance) r.distance = d;
    if (candidate.size() >= 4 && key.find(candidate) != std::string::npos) r.whole = true;
  }
  auto in_query = [&](const std::string& w) {
    return std::find(query_words.begin(), query_words.end(), w) != query_words.end();
  };
  for (size_t i = 0; i < styles_.size(); ++i) {
    const StyleInfo& info = styles_[i];
    Rank& r = ranked[i];
    r.id = &info.id;
    if (query_words.empty()) continue;
    std::vector<std::string> names = {absl::StrReplaceAll(info.id, {{"_", " "}}),
                                      info.display_name};
    names.insert(names.end(), info.aliases.begin(), info.aliases.end());
    std::vector<bool> held(query_words.size(), false);
    for (const std::string& style_name : names) {
      const std::vector<std::string> words = NameWords(style_name);
      if (!words.empty() && std::all_of(words.begin(), words.end(), in_query)) r.whole = true;
      for (size_t q = 0; q < query_words.size(); ++q) {
        held[q] = held[q] || std::find(words.begin(), words.end(), query_words[q]) != words.end();
      }
    }
    r.shared = static_cast<int>(std::count(held.begin(), held.end(), true));
  }
  const size_t count = std::min(ranked.size(), static_cast<size_t>(n));
  std::partial_sort(ranked.begin(), ranked.begin() + count, ranked.end(),
                    [](const Rank& a, const Rank& b) {
                      if (a.shared != b.shared) return a.shared > b.shared;
                      if (a.whole != b.whole) return a.whole;
                      if (a.distance != b.distance) return a.distance < b.distance;
                      return *a.id < *b.id;
                    });
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(*ranked[i].id);
  return out;
}

}  // namespace inkdex
