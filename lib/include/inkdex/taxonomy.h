// StyleTaxonomy: the canonical list of tattoo style ids, with display names
// and the aliases and spelling variants the directory's data uses
// ("neo-traditional", "Neotraditional", "watercolor", "fine line", ...).
//
// The same taxonomy normalizes styles when records are indexed and when
// queries name styles, so "Fine-Line" in a query finds artists whose record
// says "fineline".
//
// Thread safety: immutable after construction; all const methods may be
// called concurrently.
//
// Example:
//   absl::StatusOr<inkdex::StyleTaxonomy> tax = inkdex::StyleTaxonomy::Default();
//   std::optional<int> s = tax->Find("Neo Traditional");   // index of "neo_traditional"
//   absl::StatusOr<int> r = tax->Resolve("dragonz", "styles[0]");
//   // r.status(): INVALID_ARGUMENT "styles[0]: unknown style 'dragonz'; closest: ..."
#ifndef INKDEX_TAXONOMY_H_
#define INKDEX_TAXONOMY_H_

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace inkdex {

struct StyleInfo {
  std::string id;                    // canonical id: lowercase ASCII, '_' separated
  std::string display_name;          // "Neo-Traditional"
  std::vector<std::string> aliases;  // as written in the data file (not normalized)
};

class StyleTaxonomy {
 public:
  // At most this many styles: style sets are 64-bit masks inside the index.
  static constexpr int kMaxStyles = 64;

  // The taxonomy shipped with inkdex (data/styles.tsv, compiled into the
  // library so an installed library needs no data files).
  static absl::StatusOr<StyleTaxonomy> Default();
  // Parses the text format of data/styles.tsv (see that file's header).
  // Errors name the line and the reason (duplicate id, alias claimed by two
  // styles, more than kMaxStyles styles, ...).
  static absl::StatusOr<StyleTaxonomy> Parse(std::string_view text);
  static absl::StatusOr<StyleTaxonomy> FromFile(const std::string& path);

  // Index in styles() of the style whose id or alias matches `name` after
  // normalization (case, '_'/'-'/space/no separator, UK/US spelling are
  // folded), or nullopt.
  std::optional<int> Find(std::string_view name) const;

  // Like Find, but an unknown name is INVALID_ARGUMENT naming `field` and the
  // closest known styles: "<field>: unknown style 'x'; closest: a, b, c".
  absl::StatusOr<int> Resolve(std::string_view name, std::string_view field) const;

  // Up to `n` canonical ids closest to `name`, closest first, each id once:
  // first the styles whose names (id, display name, aliases) hold more of
  // the words of `name` ("classic traditional" -> old_school, traditional),
  // then those with a name wholly in `name`, then by edit distance between
  // the normalized name and each style's normalized id and aliases (a style
  // counts its nearest name), ties by id. Cost: ~100 edit distances of at
  // most 64 bytes (it names the options in an error message).
  std::vector<std::string> Closest(std::string_view name, int n) const;

  const std::vector<StyleInfo>& styles() const { return styles_; }
  int size() const { return static_cast<int>(styles_.size()); }
  const StyleInfo& style(int index) const { return styles_[index]; }

  // The normalized form used for lookups: ASCII letters lowercased, digits
  // kept, separators and other ASCII punctuation removed, non-ASCII (UTF-8)
  // bytes kept verbatim, then "colour"->"color" and "grey"->"gray" folded.
  // Other variants (minimalism/minimalist, irezumi) are explicit aliases in
  // the data file rather than stemming. Exposed for tests.
  static std::string Normalize(std::string_view name);

 private:
  std::vector<StyleInfo> styles_;
  std::unordered_map<std::string, int> by_normalized_;  // ids and aliases
};

}  // namespace inkdex

#endif  // INKDEX_TAXONOMY_H_
