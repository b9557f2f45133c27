// DocStore: the canonical document store of an index (RocksDB, `docs/`).
//
// Holds, per artist id, a StoredRecord (the live document or a tombstone,
// its version and its slot) and, for the few artists fed by several ranked
// table items, the kept states of their other items (ItemStates,
// index/item_states.h); per commit, a CommitLogEntry naming the ids it
// changed, kept until the search index confirms the commit; the commit
// sequence number; and caller metadata (stream checkpoints). A commit is one
// RocksDB WriteBatch, written with the WAL synced when `sync` is set, so it is
// all-or-nothing across a crash.
//
// Key layout (one column family):
//   d/<id>            StoredRecord
//   i/<id>            ItemStates (only while StoredRecord.has_item_states)
//   l/<seq:8 bytes BE> CommitLogEntry
//   m/seq, m/time, m/next_slot   fixed64 little-endian
//   u/<key>           caller metadata value
//
// Thread safety: Get, GetItemStates, the ForEach scans and GetMetadata may run concurrently
// with Commit (a scan reads the store as of its start: a RocksDB iterator
// holds an implicit snapshot).
// Commit calls must be serialized by the caller (Index holds a writer mutex).
#ifndef INKDEX_STORE_DOC_STORE_H_
#define INKDEX_STORE_DOC_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/arena.h"
#include "inkdex/artist.pb.h"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace inkdex::store {

struct CommitState {
  uint64_t seq = 0;
  int64_t unix_micros = 0;
  uint32_t next_slot = 1;  // Xapian docids start at 1
};

// Everything one commit writes.
struct CommitWrite {
  uint64_t seq = 0;
  int64_t unix_micros = 0;
  uint32_t next_slot = 1;
  std::vector<std::pair<std::string, StoredRecord>> records;  // id -> new record
  // Ids whose records are removed (purged tombstones). REQUIRES: none of
  // them is also in `records`.
  std::vector<std::string> erased;
  // id -> the kept states of its other items; empty: none (the key is
  // deleted). Not named in the commit log: the search index never reads
  // them.
  std::vector<std::pair<std::string, ItemStates>> item_states;
  std::vector<std::pair<std::string, std::string>> metadata;
};

class DocStore {
 public:
  // Opens (creating when allowed) the store in `dir`. FAILED_PRECONDITION
  // "document store: 'DIR' is open for writing in another process" (or "in
  // this process already") when its lock is held.
  // `env`: RocksDB's environment (tests inject faults through it); null:
  // the default. Not owned; must outlive the store.
  static absl::StatusOr<std::unique_ptr<DocStore>> Open(const std::string& dir, bool create,
                                                        bool sync, size_t cache_bytes,
                                                        rocksdb::Env* env = nullptr);
  ~DocStore();

  CommitState state() const { return state_; }

  // Writes `write` atomically and logs the ids it changed. On error nothing
  // was written and state() is unchanged. A failed write leaves RocksDB
  // refusing writes (its background error), reads still served:
  // - a full disk: RESOURCE_EXHAUSTED; RocksDB resumes by itself once the
  //   volume has a write buffer's worth (64 MiB) free, polling every few
  //   seconds (docs/LOG says what it waits for);
  // - any other write error: INTERNAL until the store is reopened (RocksDB
  //   cannot vouch for its write-ahead log after it).
  absl::Status Commit(const CommitWrite& write);

  absl::StatusOr<std::optional<StoredRecord>> Get(const std::string& id) const;
  // The kept states of the id's other items; nullopt when none are kept.
  absl::StatusOr<std::optional<ItemStates>> GetItemStates(const std::string& id) const;
  // Calls fn(id, states) for every id with kept item states, in id order
  // (for Verify). Stops at fn's first non-OK status. Cost: reads them all.
  absl::Status ForEachItemStates(
      const std::function<absl::Status(const std::string& id, const ItemStates&)>& fn) const;

  // A run of records for ForEachRecordBatch, parsed into an arena of its own
  // (no allocation or destruction per record).
  struct RecordBatch {
    std::vector<std::pair<std::string, const StoredRecord*>> records;  // into `arena`
    google::protobuf::Arena arena;
  };
  // Calls fn with successive batches of at most `batch_size` records, in id
  // order, while a helper thread reads and parses the next batch: for a full
  // scan with real work per record (loading the snapshot at open), parsing
  // is off the caller's thread. The batch and its records are valid only
  // during the call. Stops at fn's first non-OK status, or the read's (the
  // records before an unreadable one are delivered first); what fn throws
  // propagates once the helper has stopped. REQUIRES: batch_size > 0.
  absl::Status ForEachRecordBatch(size_t batch_size,
                                  const std::function<absl::Status(const RecordBatch&)>& fn) const;

  // Writes `records` (id -> record) over the stored ones outside any commit:
  // no commit seq, no log entry, and not synced, so a crash may keep any
  // prefix of the calls; a later synced write (SetNextSlot) makes every one
  // before it durable, as RocksDB's log is written in order. For
  // IndexImpl::RenumberSlots, which changes nothing but slots and redoes an
  // interrupted run at the next open (index/slot_renumber.cc). REQUIRES: the
  // caller's writer lock, as for Commit.
  absl::Status RewriteRecords(const std::vector<std::pair<std::string, StoredRecord>>& records);
  // Sets state().next_slot and writes `metadata` (key -> value; empty
  // deletes the key) as one synced write outside any commit.
  absl::Status SetNextSlot(uint32_t next_slot,
                           const std::vector<std::pair<std::string, std::string>>& metadata);

  // Commit log entries with seq > after_seq, in order.
  absl::StatusOr<std::vector<CommitLogEntry>> LogAfter(uint64_t after_seq) const;
  // Drops log entries with seq <= seq (the search index has them).
  absl::Status TrimLog(uint64_t seq);

  absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) const;
  // Writes one metadata value (empty: deletes the key) outside any commit:
  // no sequence number, no log entry; synced when the store syncs.
  absl::Status PutMetadata(const std::string& key, const std::string& value);
  absl::StatusOr<std::map<std::string, std::string>> ListMetadata(const std::string& prefix) const;

  uint64_t ApproximateDiskBytes() const;

  // Writes a copy of the store as it is now into `dir` (which must not
  // exist; its parent must): a RocksDB checkpoint, whose table files are
  // hard links to this store's where `dir` is on the same file system, so
  // it costs a flush of the write buffer and little space until the two
  // diverge. The copy is a store of its own (DocStore::Open opens it) and
  // holds every commit made before the call. INVALID_ARGUMENT when `dir`
  // exists; INTERNAL on an I/O error (a partial copy is removed).
  absl::Status Checkpoint(const std::string& dir) const;

 private:
  DocStore(std::unique_ptr<rocksdb::DB> db, bool sync);
  absl::Status LoadState();

  std::unique_ptr<rocksdb::DB> db_;
  bool sync_;
  CommitState state_;
};

}  // namespace inkdex::store

#endif  // INKDEX_STORE_DOC_STORE_H_
