// LoadTable: a full parallel Scan of a DynamoDB table into an index, for the
// stream reader's bootstrap and re-sync (the same job as `inkdex build
// --from-dynamodb`, inside the server, into an index it then serves).
//
// Every item is mapped as RecordMapper::MapItem maps it (most artist items
// as each page is parsed, RecordMapper::ParseScanPage): artists are upserted with
// numeric version 1, other item types are counted by type (and hidden artists
// whose items cannot be indexed as "hidden_unindexable"), artist items that
// cannot be indexed are counted and reported through `on_reject`. Each
// artist carries its item's source rank (item_mapping.h "Precedence"), so of
// two items of one id (PROFILE and METADATA) the higher-ranked is served in
// either order and the other is kept behind it (inkdex/index.h "Source
// ranks": served if the stream then removes the higher-ranked item). Numeric version 1 is
// deliberate: the stream is replayed over the loaded index afterwards, and any stream version
// outranks any numeric one (inkdex/index.h "Versions"), so every change the stream still holds wins
// over the scanned copy of its item, whatever the timing of the two
// (versions compare per item: a change of a lower-ranked item yields to the
// higher-ranked item's copy, and is kept behind it).
//
// Order: the artists are held while the table is scanned and applied sorted
// by location (inkdex/bulk_loader.h), so artists near each other get
// neighbouring slots, which makes geo and text searches faster; at most
// `order_window` are held (the rest are applied in windows of that size).
//
// Cost: one thread per segment; the held artists in memory (~500 bytes
// each), then Index::Apply in batches of `batch_size` once the scan is done
// (or a window is full). Throttling, 5xx and network errors are retried by the
// DynamoDB client.
//
// Thread safety: LoadTable may be called from any thread; it blocks until
// the scan is done, failed or cancelled.
#ifndef INKDEX_SERVICE_STREAM_TABLE_LOADER_H_
#define INKDEX_SERVICE_STREAM_TABLE_LOADER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dynamodb/dynamodb_client.h"
#include "inkdex/index.h"
#include "stream/record_mapper.h"

namespace inkdex::stream {

struct TableLoadOptions {
  std::string table;
  int segments = 4;   // parallel Scan segments, 1..1000
  int page_size = 0;  // Scan Limit; 0: DynamoDB's 1 MB pages
  // Artists held and sorted by location before they are applied (>= 1).
  // Smaller than `inkdex build`'s default: the server holds them beside the
  // index it serves (250,000: ~125 MB; a larger table is loaded as a few
  // sorted runs, which keeps most of the gain).
  size_t order_window = 250000;
  // Artists per Index::Apply (one commit each).
  size_t batch_size = 10000;
  // Polled between pages; the load stops with CANCELLED when it turns true.
  std::function<bool()> cancelled;
  // Called (from scanner threads, serialized) for each rejected artist item:
  // its id when known and the reason.
  std::function<void(const std::string& id, const std::string& reason)> on_reject;
};

struct TableLoadTally {
  uint64_t items = 0;  // every item the scan returned
  uint64_t pages = 0;
  uint64_t artists = 0;                     // upserted
  uint64_t rejected = 0;                    // artist items that could not be indexed
  std::map<std::string, uint64_t> ignored;  // other item types by type
  absl::Duration duration;
};

// REQUIRES: nobody else writes `index` during the load, except with stream
// versions (ApplyStreamRecords or a stream reader), which the version rules
// order whatever the timing: a scanned item never overwrites them, and
// counts neither as loaded nor as rejected (server/table_bootstrapper.h).
absl::StatusOr<TableLoadTally> LoadTable(dynamodb::DynamoDbClient& client,
                                         const RecordMapper& mapper, Index& index,
                                         const TableLoadOptions& options);

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_TABLE_LOADER_H_
