// Builds the in-memory Row for an artist document.
//
// Thread safety: uses the writer's StringPool; call from the writer only.
#ifndef INKDEX_ENGINE_ROW_BUILDER_H_
#define INKDEX_ENGINE_ROW_BUILDER_H_

#include <array>
#include <cstdint>

#include "engine/row.h"
#include "engine/string_pool.h"
#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {

// Whether the artist may appear in results at all.
inline bool IsSearchable(const Artist& a) { return !a.opted_out() && a.is_active(); }

// Sets the row's version, stream_version and source_rank from a stored
// record (live or tombstone).
void SetRowVersion(const StoredRecord& r, Row* row);

// Whether the row's version, rank and kind are the stored record's (what
// SetRowVersion sets).
bool RowVersionMatches(const Row& row, const StoredRecord& r);

// Overwrites `row` with `artist` (live iff searchable). Keeps row->gen; the
// caller bumps it when LocationsDiffer.
void FillRow(const Artist& artist, const StyleTaxonomy& taxonomy, StringPool& pool, Row* row);

// True when the two rows' geo entries would differ (liveness, locations and
// their days, or the words their tags are made of).
bool LocationsDiffer(const Row& a, const Row& b);

// The CellEntry tag of one of the row's locations: the WordStartBits of the
// name, the studio name and that location's city ({two, three}).
std::array<uint64_t, 2> LocationTag(const Row& row, size_t location);

// The city facet key of a location: "City, CC", "City", or "".
std::string CityKey(const Location& loc);

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_ROW_BUILDER_H_
