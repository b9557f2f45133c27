// CompareWithTable: `inkdex verify --index DIR --against-dynamodb TABLE`:
// whether an index holds exactly the artists that a DynamoDB table's items
// make, artist by artist. An index fed by the table's stream should; one
// that is not lost a change (a REMOVE, an update) or kept one the table no
// longer has, and only a re-sync or a rebuild from the table mends it.
//
// The table is read the way inkdex-server bootstraps and re-syncs from it
// (stream::LoadTable: a parallel Scan, every item through
// RecordMapper::MapItem under the item mapping, source ranks resolved by
// the index's rules) into a scratch index, which is then compared with
// `index`: every stored artist, hidden ones included, with its version and
// stream sequence left out (the scratch's come from the scan, the index's
// from the stream), and its source rank too (an index built from JSON Lines
// holds unranked artists, a stream-fed one ranked: the same content). An
// artist is
//   equal          stored alike in both,
//   different      stored in both, with some field differing (named),
//   missing        made by the table but not stored in the index,
//   only in index  stored in the index but made by no table item: deleted
//                  from the table, or its item can no longer be indexed
//                  (rejected: the index keeps the last good document, as
//                  the stream reader does; the reason is listed).
// A table written while it is scanned differs for those writes too: run
// again to tell a lasting difference from one in flight.
//
// Cost: a scan of the whole table and an unsynced build of it in the
// scratch directory (about as long and as large as `inkdex build
// --from-dynamodb`, which is removed at the end), then one pass over both
// indexes (~6 s per 1,000,000 artists each) holding an id and a 64-bit hash
// per table artist (~80 bytes each).
//
// Thread safety: one call at a time per index; writes to `index` may go on
// meanwhile (its pass reads one consistent view).
#ifndef INKDEX_TOOLS_INKDEX_TABLE_COMPARE_H_
#define INKDEX_TOOLS_INKDEX_TABLE_COMPARE_H_

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dynamodb/retry_policy.h"
#include "inkdex/index.h"
#include "stream/item_mapping.h"
#include "stream/table_loader.h"

namespace inkdex::cli {

struct TableCompareOptions {
  std::string table;
  std::string endpoint;  // --dynamodb-endpoint; empty: the regional AWS endpoint
  int segments = 4;      // parallel Scan segments, 1..1000
  int page_size = 0;     // Scan Limit; 0: DynamoDB's 1 MB pages
  stream::ItemMapping mapping = stream::ItemMapping::Default();
  // Where the scratch index is built (a fresh directory is made inside it
  // and removed at the end); empty: $TMPDIR, else /tmp.
  std::string scratch_parent;
  size_t max_listed = 10;  // ids listed per kind of difference
  dynamodb::RetryPolicy retry;
  // Polled between scan pages and while the indexes are read: once it is
  // true the comparison stops with CANCELLED (the scratch index is removed
  // all the same). Null: never.
  const std::atomic<bool>* cancel = nullptr;
};

struct TableComparison {
  stream::TableLoadTally scan;  // items, artists, rejected, other types
  uint64_t table_artists = 0;   // artists the table's items make (hidden included)
  uint64_t index_artists = 0;   // artists stored in the index (hidden included)
  uint64_t equal = 0, different = 0, missing = 0, only_in_index = 0;
  std::vector<std::string> first_different;      // "id: field, field"
  std::vector<std::string> first_missing;        // "id"
  std::vector<std::string> first_only_in_index;  // "id", or "id (its item was rejected: why)"
  bool Equal() const { return different == 0 && missing == 0 && only_in_index == 0; }
};

// REQUIRES: options.table is not empty. Errors: the table cannot be read
// (NOT_FOUND for a missing table, the DynamoDB error otherwise), the
// scratch index cannot be made (disk), `index` cannot be read, or
// options.cancel turned true (CANCELLED). A scratch directory that cannot
// be removed at the end is reported to `notes`, with its path.
absl::StatusOr<TableComparison> CompareWithTable(const Index& index,
                                                 const TableCompareOptions& options,
                                                 std::ostream& notes);

// The top-level fields in which `a` and `b` differ ("name", "guest_spots"),
// versions, stream sequences and source ranks left out; empty when they are
// alike field by field (their encodings may still differ: -0.0 and 0.0).
std::vector<std::string> DifferingArtistFields(const Artist& a, const Artist& b);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_TABLE_COMPARE_H_
