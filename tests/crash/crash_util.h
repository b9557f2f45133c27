// Helpers of the crash, recovery and concurrency tests: scratch directories,
// deterministic batches of changes, and a model of the expected state (per
// artist id: the version and name of the live document, or absent) that an
// index is compared with through Get and a paged search.
//
// Thread safety: none; each helper is used by one thread (or process).
#ifndef INKDEX_TESTS_CRASH_CRASH_UTIL_H_
#define INKDEX_TESTS_CRASH_CRASH_UTIL_H_

#include <cstdint>
#include <map>
#include <string>

#include "inkdex/index.h"

namespace inkdex::crash {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag);
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A valid artist whose name carries its version ("Artist <id> v<version>"),
// plus `extra_words` in the name when given.
Artist MakeArtist(const std::string& id, uint64_t version, double lat, double lon,
                  const std::string& extra_words = "");

// What a version-checked index should hold: id -> version of the live
// document; deleted ids map to nullopt-like `deleted` entries.
struct Expected {
  uint64_t version = 0;
  bool deleted = false;
  std::string name;  // of the live document
};
using ExpectedState = std::map<std::string, Expected>;

// Applies `batch` to `state` with the Index's version rule (only a greater
// version applies, within the batch in order).
void ApplyToModel(const WriteBatch& batch, ExpectedState* state);

// Batch number `n` of the crash test: 50 upserts or deletes of random ids
// among 2,000, versions n * 100 + i + 1 (so later batches always win).
WriteBatch CrashBatch(uint64_t n);

// Batch number `n` of the deferred-load crash test: 10 upserts of ids no
// other batch has ("f<n>-<i>"), versions as CrashBatch's: what a bulk load
// commits (IndexOptions::defer_search_index).
WriteBatch FreshBatch(uint64_t n);

// The crash test of source ranks (index/item_states.h): per artist id and
// source rank, the latest state of that table item. The index must serve
// the highest-ranked live one.
using RankedState = std::map<std::string, std::map<uint32_t, Expected>>;

// Batch number `n` of the ranked crash test: 50 upserts or deletes of the
// items (source rank 1 or 2) of random ids among 300, versions as
// CrashBatch's but as stream sequence numbers (Get reports them there).
WriteBatch RankedCrashBatch(uint64_t n);

// Applies `batch` to `state` by the item rule: a change applies to its
// item's state when its version is greater.
void ApplyRankedToModel(const WriteBatch& batch, RankedState* state);

// What the index serves per id: the highest-ranked live item, else deleted.
ExpectedState ServedState(const RankedState& state);

// Whether `index` holds exactly `state`: every id by Get (version, name;
// NOT_FOUND for deleted), and a search without constraints returns exactly
// the live ids (paged). Returns a description of the first difference, or "".
std::string DiffIndex(const Index& index, const ExpectedState& state);

}  // namespace inkdex::crash

#endif  // INKDEX_TESTS_CRASH_CRASH_UTIL_H_
