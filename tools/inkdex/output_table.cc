#include "output_table.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace inkdex::cli {

namespace {

// Display width of UTF-8 text, counted in code points (no East Asian wide
// handling: close enough for names and places).
size_t DisplayWidth(std::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

// `text` cut to at most `width` code points, marking the cut with "~".
std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  size_t points = 0, i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++points == width) break;
  }
  return std::string(text.substr(0, i)) + "~";
}

// `text` with each control character (C0, DEL, C1) replaced by U+FFFD:
// record text is anyone's, and an escape sequence or a line break in it
// must neither reach the terminal nor break the table's rows.
std::string Printable(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      out += kReplacement;
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out += kReplacement;  // U+0080..U+009F, the C1 controls (0x9B is CSI)
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Columns of cells, each column as wide as its widest cell (up to a cap).
class TextTable {
 public:
  struct Column {
    std::string header;
    size_t max_width;
    bool right_align;
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void AddRow(std::vector<std::string> cells) {
    for (std::string& cell : cells) cell = Printable(cell);
    rows_.push_back(std::move(cells));
  }

  void Print(std::ostream& out) const {
    std::vector<size_t> widths;
    for (size_t c = 0; c < columns_.size(); ++c) {
      size_t w = DisplayWidth(columns_[c].header);
      for (const auto& row : rows_) w = std::max(w, DisplayWidth(Cell(row, c)));
      widths.push_back(std::min(w, columns_[c].max_width));
    }
    PrintRow(out, widths, [&](size_t c) { return columns_[c].header; });
    for (const auto& row : rows_) PrintRow(out, widths, [&](size_t c) { return Cell(row, c); });
  }

 private:
  static std::string Cell(const std::vector<std::string>& row, size_t c) {
    return c < row.size() ? row[c] : std::string();
  }

  template <typename CellFn>
  void PrintRow(std::ostream& out, const std::vector<size_t>& widths, CellFn cell) const {
    std::string line;
    for (size_t c = 0; c < columns_.size(); ++c) {
      std::string text = Truncate(cell(c), widths[c]);
      std::string pad(widths[c] - std::min(widths[c], DisplayWidth(text)), ' ');
      if (c > 0) line += "  ";
      line += columns_[c].right_align ? pad + text : text + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }

  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

std::string FormatRating(const SearchHit& hit) {
  if (!hit.rating) return hit.review_count == 0 ? "-" : absl::StrFormat("- (%d)", hit.review_count);
  if (hit.review_count == 0) return absl::StrFormat("%.1f", *hit.rating);  // count not given
  return absl::StrFormat("%.1f (%d)", *hit.rating, hit.review_count);
}

std::string FormatRate(const SearchHit& hit) {
  if (!hit.hourly_rate) return "-";
  return absl::StrFormat("%.0f %s/h", *hit.hourly_rate, hit.currency);
}

void PrintFacet(std::ostream& out, absl::string_view title, const std::vector<FacetValue>& values) {
  if (values.empty()) return;
  std::vector<std::string> parts;
  for (const FacetValue& v : values) {
    if (v.count == 0) continue;
    parts.push_back(absl::StrCat(Printable(v.label.empty() ? v.value : v.label), " ", v.count));
  }
  if (parts.empty()) return;
  out << absl::StrFormat("  %-10s %s\n", absl::StrCat(title, ":"), absl::StrJoin(parts, ", "));
}

std::string ExplanationLine(const ScoreExplanation& e) {
  return absl::StrFormat(
      "      = text %.4f (tf %.4f) + distance %.4f + quality %.4f (bayes rating %.2f)", e.text,
      e.text_raw, e.distance, e.quality, e.quality_raw);
}

}  // namespace

void PrintSearchTable(const SearchResponse& response, const SearchRequest& request,
                      std::ostream& out) {
  // A viewport's hits carry their distance from its centre (what the
  // distance ranking and sort use), so they get the column too.
  const bool with_distance = request.point.has_value() || request.bbox.has_value();
  std::vector<TextTable::Column> columns = {
      {"#", 4, true},          {"name", 26, false}, {"studio", 24, false},
      {"location", 30, false}, {"km", 8, true},     {"styles", 34, false},
      {"rating", 12, true},    {"rate", 12, true},  {"score", 7, true}};
  if (!with_distance) columns.erase(columns.begin() + 4);
  TextTable table(std::move(columns));
  int rank = 0;
  for (const SearchHit& hit : response.hits) {
    std::vector<std::string> row = {
        absl::StrCat(++rank),
        hit.name,
        hit.studio_name,
        hit.guest_spot ? absl::StrCat(hit.location, " (guest)") : hit.location,
    };
    if (with_distance) {
      row.push_back(std::isnan(hit.distance_km) ? "-" : absl::StrFormat("%.2f", hit.distance_km));
    }
    row.push_back(absl::StrJoin(hit.styles, ","));
    row.push_back(FormatRating(hit));
    row.push_back(FormatRate(hit));
    row.push_back(absl::StrFormat("%.3f", hit.score));
    table.AddRow(std::move(row));
  }
  if (response.hits.empty()) {
    out << "(no artists match)\n";
  } else if (!request.explain) {
    table.Print(out);
  } else {
    // Explanations go under their rows, so print the table row by row.
    std::ostringstream rendered;
    table.Print(rendered);
    std::string text = rendered.str();
    size_t pos = text.find('\n') + 1;
    out << text.substr(0, pos);
    for (const SearchHit& hit : response.hits) {
      size_t end = text.find('\n', pos) + 1;
      out << text.substr(pos, end - pos) << ExplanationLine(hit.explanation) << "\n";
      pos = end;
    }
  }

  const Facets& f = response.facets;
  if (request.facets && response.total > 0) {
    out << "\nfacets:\n";
    PrintFacet(out, "styles", f.styles);
    PrintFacet(out, "distance", f.distance_rings);
    PrintFacet(out, "cities", f.cities);
    PrintFacet(out, "price", f.hourly_rate_bands);
    PrintFacet(out, "rating", f.rating_bands);
  }
  out << "\n" << response.total << (response.total == 1 ? " artist" : " artists") << " match";
  if (!response.hits.empty()) out << "; showing " << response.hits.size();
  if (!response.hits.empty() && !request.point && request.bbox) {
    out << " (km: from the viewport's centre)";
  }
  out << "\n";
  if (!response.spelling_suggestion.empty()) {
    out << "did you mean: --text '" << Printable(response.spelling_suggestion) << "'\n";
  }
  if (!response.next_page_token.empty()) {
    out << "next page: --page-token " << response.next_page_token << "\n";
  }
}

void PrintSuggestionsTable(const std::vector<Suggestion>& suggestions, std::ostream& out) {
  if (suggestions.empty()) {
    out << "(no suggestions)\n";
    return;
  }
  bool with_distance = std::any_of(suggestions.begin(), suggestions.end(),
                                   [](const Suggestion& s) { return !std::isnan(s.distance_km); });
  std::vector<TextTable::Column> columns = {{"kind", 8, false},
                                            {"text", 40, false},
                                            {"id", 30, false},
                                            {"artists", 8, true},
                                            {"km", 9, true}};
  if (!with_distance) columns.pop_back();
  TextTable table(std::move(columns));
  for (const Suggestion& s : suggestions) {
    std::vector<std::string> row = {SuggestionKindName(s.kind), s.text, s.id,
                                    absl::StrCat(s.count)};
    if (with_distance) {
      row.push_back(std::isnan(s.distance_km) ? "-" : absl::StrFormat("%.1f", s.distance_km));
    }
    table.AddRow(std::move(row));
  }
  table.Print(out);
}

void PrintStatsTable(const IndexStats& stats, const StyleTaxonomy& taxonomy,
                     const std::vector<int64_t>& style_counts, const SlotLayout* layout,
                     std::ostream& out) {
  std::string last_commit =
      stats.last_commit_unix_micros == 0
          ? "never"
          : absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                             absl::FromUnixMicros(stats.last_commit_unix_micros),
                             absl::UTCTimeZone());
  out << absl::StrFormat("documents:    %d\n", stats.documents)
      << absl::StrFormat("searchable:   %d\n", stats.searchable)
      << absl::StrFormat("tombstones:   %d\n", stats.tombstones)
      << absl::StrFormat("item states:  %d\n", stats.item_states)
      << absl::StrFormat("commit seq:   %d\n", stats.commit_seq)
      << absl::StrFormat("last commit:  %s\n", last_commit)
      << absl::StrFormat("disk:         %.1f MiB (%.1f MiB free on its volume)\n",
                         stats.disk_bytes / 1048576.0, stats.disk_free_bytes / 1048576.0)
      << absl::StrFormat("memory:       %.1f MiB\n", stats.memory_bytes / 1048576.0);
  if (layout != nullptr) {
    out << absl::StrFormat(
        "slot drift:   %.3f (%d breaks of cell order among %d artists; 0 after a build or "
        "`inkdex repair`)\n",
        layout->Drift(), layout->breaks, layout->artists);
  }
  TextTable table({{"style", 24, false}, {"label", 28, false}, {"artists", 10, true}});
  for (int i = 0; i < taxonomy.size() && i < static_cast<int>(style_counts.size()); ++i) {
    table.AddRow(
        {taxonomy.style(i).id, taxonomy.style(i).display_name, absl::StrCat(style_counts[i])});
  }
  out << "\n";
  table.Print(out);
}

}  // namespace inkdex::cli
