#include "compare/workload_artists.h"

#include "absl/strings/str_cat.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"
#include "workload.h"

namespace inkdex::bench {

absl::StatusOr<std::vector<Artist>> GenerateArtists(uint64_t count) {
  absl::StatusOr<RecordLines> lines = GenerateRecordLines(count);
  if (!lines.ok()) return lines.status();
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  if (!taxonomy.ok()) return taxonomy.status();
  std::vector<Artist> out;
  out.reserve(count);
  for (size_t i = 0; i < lines->lines.size(); ++i) {
    absl::StatusOr<ParsedRecord> r =
        ParseArtistRecord(lines->lines[i], *taxonomy, RecordFormat::kJson);
    if (!r.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("record ", i, ": ", r.status().message()));
    }
    out.push_back(std::move(r->artist));
  }
  return out;
}

}  // namespace inkdex::bench
