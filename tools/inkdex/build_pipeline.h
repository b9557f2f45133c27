// BuildPipeline: the engine of `inkdex build`. Reads input files line by line
// (a chunk of `batch_size` lines ahead, on a thread of its own), parses
// records on worker threads and applies them to an index sorted by location,
// counting and reporting every line it does not index.
//
// Order and versions: lines are parsed in parallel, up to `order_window`
// records are held, then applied sorted by location (inkdex/bulk_loader.h:
// artists near each other get neighbouring slots, which makes geo and text
// searches faster), one WriteBatch of `batch_size` changes at a time. The
// records of one artistId are applied together in input order, so the index
// ends up exactly as a sequential build would leave it. A record that carries a
// version keeps it; any other record gets version_base + its line position
// across all inputs (1-based, blank lines counted), so for a repeated
// artistId a later line wins over an earlier one. The highest such line
// version of the records held is stored as index metadata
// kLastLineVersionKey before they are applied, so that a later `inkdex build
// --append` continues above every version committed, even after a build that
// stopped part way.
//
// Items of the table's other types (studios, styles, ...) in a DynamoDB
// export are skipped and counted, not rejected.
//
// Failures: an unparseable line (or one the index rejects) is counted and
// reported as "file:line: reason" and the build goes on, unless `strict`:
// then the build stops at that line with FAILED_PRECONDITION, which
// IsStrictStop tells from any other failure. A read error
// (truncated gzip, I/O) stops the build with DATA_LOSS/UNAVAILABLE; an
// Apply failure with its status; `cancel` turning true with CANCELLED.
//
// Thread safety: Run is called from one thread; it uses `threads` workers
// internally, one thread reading ahead and one applying batches. Reading
// stdin ("-"), a build that stops early (an error, --strict) waits for the
// line being read.
#ifndef INKDEX_TOOLS_INKDEX_BUILD_PIPELINE_H_
#define INKDEX_TOOLS_INKDEX_BUILD_PIPELINE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "build_progress.h"
#include "inkdex/index.h"
#include "inkdex/record.h"

namespace inkdex::cli {

inline constexpr char kLastLineVersionKey[] = "inkdex.cli.build.last_line_version";

struct BuildOptions {
  std::vector<std::string> inputs;  // "-" = stdin
  int batch_size = 10000;
  // Records held and sorted by location before they are applied; 0: none
  // (applied in input order, batch by batch). Memory: ~500 bytes a record.
  size_t order_window = 1000000;
  int threads = 1;  // parser threads, >= 1
  bool strict = false;
  uint64_t version_base = 0;
  RecordFormat format = RecordFormat::kAuto;
  size_t max_listed = 10;               // rejects and warnings kept for the summary
  std::ostream* rejects_out = nullptr;  // when set, every reject as "file:line: reason\n"
  BuildProgress::Mode progress = BuildProgress::Mode::kAuto;
  std::chrono::milliseconds progress_every = std::chrono::seconds(5);  // kLog: a line this often
  const std::atomic<bool>* cancel = nullptr;                           // polled between batches
  // The index was opened with IndexOptions::defer_search_index: once every
  // record is applied, its search index is built (Index::
  // BuildDeferredSearchIndex), inside the summary's time.
  bool deferred_search_index = false;
};

struct BuildSummary {
  uint64_t lines = 0;        // lines read, blank ones included
  uint64_t blank_lines = 0;  // skipped: not records
  // Skipped: DynamoDB items of other types (studios, styles; see item_type.h).
  uint64_t other_items = 0;
  std::map<std::string, uint64_t> other_item_types;
  uint64_t applied = 0;        // changes the index applied (artists indexed)
  uint64_t rejected = 0;       // lines not indexed: unparseable, or rejected by the index
  uint64_t stale = 0;          // older than the version already stored for the id
  uint64_t duplicate_ids = 0;  // records whose artistId appeared on an earlier line
  uint64_t warnings = 0;       // non-fatal findings (unknown styles, ignored fields)
  std::vector<std::string> first_rejects;   // up to max_listed, "file:line: reason"
  std::vector<std::string> first_warnings;  // up to max_listed, "file:line: warning"
  uint64_t last_line_version = 0;
  uint64_t bytes_read = 0;
  double seconds = 0;
  // What the index holds once the build is done (the command fills it in):
  // `applied` counts changes, which a repeated id or an --append makes
  // differ from the artists held.
  IndexStats held;
};

// Runs the build into `index`. Returns the summary, or the error that stopped
// the build (see above); on error, batches before the failing one stay applied.
absl::StatusOr<BuildSummary> RunBuild(Index& index, const BuildOptions& options);

// Whether `status` is RunBuild's stop at a bad line under `strict` (its
// payload says so; keep it when rewriting the message), not a failure of
// the index or of the input.
bool IsStrictStop(const absl::Status& status);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_BUILD_PIPELINE_H_
