#include "store/doc_store.h"

#include <sys/stat.h>

#include <cstring>
#include <deque>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "store/info_log.h"

namespace inkdex::store {
namespace {

constexpr char kSeqKey[] = "m/seq";
constexpr char kTimeKey[] = "m/time";
constexpr char kNextSlotKey[] = "m/next_slot";
constexpr char kItemStatesPrefix[] = "i/";

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat("document store: ", what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsBusy()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

// RocksDB's LOCK file is held, by another process ("While lock file: .../LOCK:
// Resource temporarily unavailable") or by this one ("lock hold by current
// process, ...: .../LOCK: ..."): an IOError naming the file either way.
bool IsLockHeld(const rocksdb::Status& s) {
  return s.IsIOError() && absl::StrContains(s.ToString(), "/LOCK:");
}

std::string Fixed64(uint64_t v) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &v, 8);
  return s;
}

uint64_t DecodeFixed64(std::string_view s) {
  uint64_t v = 0;
  if (s.size() == 8) std::memcpy(&v, s.data(), 8);
  return v;
}

std::string LogKey(uint64_t seq) {
  std::string k = "l/";
  for (int shift = 56; shift >= 0; shift -= 8)
    k.push_back(static_cast<char>((seq >> shift) & 0xff));
  return k;
}

}  // namespace

DocStore::DocStore(std::unique_ptr<rocksdb::DB> db, bool sync) : db_(std::move(db)), sync_(sync) {}
DocStore::~DocStore() = default;

absl::StatusOr<std::unique_ptr<DocStore>> DocStore::Open(const std::string& dir, bool create,
                                                         bool sync, size_t cache_bytes,
                                                         rocksdb::Env* env) {
  rocksdb::Options options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = create;
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  options.max_background_jobs = 2;
  // RocksDB's own file logger can abort the process on a full disk
  // (info_log.h).
  constexpr uint64_t kMaxInfoLogBytes = 4 << 20;
  if (create) (void)::mkdir(dir.c_str(), 0755);  // the log's directory, before RocksDB makes it
  options.info_log = std::make_shared<InfoLog>(absl::StrCat(dir, "/LOG"), kMaxInfoLogBytes,
                                               rocksdb::InfoLogLevel::WARN_LEVEL);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_size = 16 * 1024;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (IsLockHeld(s)) {
    const bool here = absl::StrContains(s.ToString(), "current process");
    return absl::FailedPreconditionError(
        absl::StrCat("document store: '", dir, "' is open for writing in ",
                     here ? "this process already" : "another process"));
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("open ", dir));
  std::unique_ptr<DocStore> store(new DocStore(std::unique_ptr<rocksdb::DB>(raw), sync));
  if (absl::Status st = store->LoadState(); !st.ok()) return st;
  return store;
}

absl::Status DocStore::LoadState() {
  std::string v;
  for (auto [key, field] :
       {std::pair<const char*, int>{kSeqKey, 0}, {kTimeKey, 1}, {kNextSlotKey, 2}}) {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &v);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromRocks(s, "read state");
    const uint64_t x = DecodeFixed64(v);
    if (field == 0) state_.seq = x;
    if (field == 1) state_.unix_micros = static_cast<int64_t>(x);
    if (field == 2) state_.next_slot = static_cast<uint32_t>(x);
  }
  return absl::OkStatus();
}

absl::Status DocStore::Commit(const CommitWrite& write) {
  rocksdb::WriteBatch batch;
  CommitLogEntry log;
  log.set_seq(write.seq);
  log.set_unix_micros(write.unix_micros);
  std::string value;
  for (const auto& [id, record] : write.records) {
    record.SerializeToString(&value);
    batch.Put(absl::StrCat("d/", id), value);
    log.add_ids(id);
  }
  for (const std::string& id : write.erased) {
    batch.Delete(absl::StrCat("d/", id));
    log.add_ids(id);
  }
  for (const auto& [id, states] : write.item_states) {
    if (states.items().empty()) {
      batch.Delete(absl::StrCat(kItemStatesPrefix, id));
    } else {
      states.SerializeToString(&value);
      batch.Put(absl::StrCat(kItemStatesPrefix, id), value);
    }
  }
  for (const auto& [key, val] : write.metadata) {
    // An empty value deletes the key (WriteBatch::PutMetadata).
    if (val.empty()) {
      batch.Delete(absl::StrCat("u/", key));
    } else {
      batch.Put(absl::StrCat("u/", key), val);
    }
  }
  log.SerializeToString(&value);
  batch.Put(LogKey(write.seq), value);
  batch.Put(kSeqKey, Fixed64(write.seq));
  batch.Put(kTimeKey, Fixed64(static_cast<uint64_t>(write.unix_micros)));
  batch.Put(kNextSlotKey, Fixed64(write.next_slot));
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  if (absl::Status st = FromRocks(db_->Write(wo, &batch), "commit"); !st.ok()) return st;
  state_ = {write.seq, write.unix_micros, write.next_slot};
  return absl::OkStatus();
}

absl::Status DocStore::RewriteRecords(
    const std::vector<std::pair<std::string, StoredRecord>>& records) {
  rocksdb::WriteBatch batch;
  std::string value;
  for (const auto& [id, record] : records) {
    record.SerializeToString(&value);
    batch.Put(absl::StrCat("d/", id), value);
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "rewrite records");
}

absl::Status DocStore::SetNextSlot(
    uint32_t next_slot, const std::vector<std::pair<std::string, std::string>>& metadata) {
  rocksdb::WriteBatch batch;
  batch.Put(kNextSlotKey, Fixed64(next_slot));
  for (const auto& [key, val] : metadata) {
    if (val.empty()) {
      batch.Delete(absl::StrCat("u/", key));
    } else {
      batch.Put(absl::StrCat("u/", key), val);
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  if (absl::Status st = FromRocks(db_->Write(wo, &batch), "set next slot"); !st.ok()) return st;
  state_.next_slot = next_slot;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<StoredRecord>> DocStore::Get(const std::string& id) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), absl::StrCat("d/", id), &v);
  if (s.IsNotFound()) return std::optional<StoredRecord>();
  if (!s.ok()) return FromRocks(s, "get");
  StoredRecord r;
  if (!r.ParseFromString(v))
    return absl::DataLossError(absl::StrCat("document store: record '", id, "' does not parse"));
  return std::optional<StoredRecord>(std::move(r));
}

absl::StatusOr<std::optional<ItemStates>> DocStore::GetItemStates(const std::string& id) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), absl::StrCat(kItemStatesPrefix, id), &v);
  if (s.IsNotFound()) return std::optional<ItemStates>();
  if (!s.ok()) return FromRocks(s, "get item states");
  ItemStates states;
  if (!states.ParseFromString(v)) {
    return absl::DataLossError(
        absl::StrCat("document store: item states of '", id, "' do not parse"));
  }
  return std::optional<ItemStates>(std::move(states));
}

absl::Status DocStore::ForEachItemStates(
    const std::function<absl::Status(const std::string& id, const ItemStates&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const size_t prefix = std::strlen(kItemStatesPrefix);
  for (it->Seek(kItemStatesPrefix); it->Valid() && it->key().starts_with(kItemStatesPrefix);
       it->Next()) {
    std::string id(it->key().data() + prefix, it->key().size() - prefix);
    ItemStates states;
    if (!states.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("document store: item states of '", id, "' do not parse"));
    }
    if (absl::Status s = fn(id, states); !s.ok()) return s;
  }
  return FromRocks(it->status(), "scan item states");
}

absl::Status DocStore::ForEachRecordBatch(
    size_t batch_size, const std::function<absl::Status(const RecordBatch&)>& fn) const {
  // Two batches circulate: the helper fills one while fn works on the other.
  struct Exchange {
    absl::Mutex mu;
    std::vector<std::unique_ptr<RecordBatch>> empty;  // ready to be filled
    std::deque<std::unique_ptr<RecordBatch>> full;    // filled, in order
    bool reader_done = false;                         // nothing more comes to `full`
    bool stop = false;                                // the consumer gave up
    absl::Status read_status;                         // valid once reader_done
  } x;
  for (int i = 0; i < 2; ++i) x.empty.push_back(std::make_unique<RecordBatch>());
  std::thread reader([&] {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    absl::Status status;
    it->Seek("d/");
    for (bool more = true; more && status.ok();) {
      std::unique_ptr<RecordBatch> batch;
      {
        absl::MutexLock lock(&x.mu);
        x.mu.Await(absl::Condition(
            +[](Exchange* e) { return e->stop || !e->empty.empty(); }, &x));
        if (x.stop) break;
        batch = std::move(x.empty.back());
        x.empty.pop_back();
      }
      batch->records.clear();
      batch->arena.Reset();
      for (; batch->records.size() < batch_size && it->Valid() && it->key().starts_with("d/");
           it->Next()) {
        auto* record = google::protobuf::Arena::CreateMessage<StoredRecord>(&batch->arena);
        std::string id(it->key().data() + 2, it->key().size() - 2);
        if (!record->ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          status =
              absl::DataLossError(absl::StrCat("document store: record '", id, "' does not parse"));
          break;
        }
        batch->records.emplace_back(std::move(id), record);
      }
      if (status.ok()) status = FromRocks(it->status(), "scan");
      more = batch->records.size() == batch_size;
      absl::MutexLock lock(&x.mu);
      // The records before a bad one are delivered, then the error.
      if (!batch->records.empty()) x.full.push_back(std::move(batch));
    }
    absl::MutexLock lock(&x.mu);
    x.read_status = status;
    x.reader_done = true;
  });
  absl::Status result;
  for (;;) {
    std::unique_ptr<RecordBatch> batch;
    {
      absl::MutexLock lock(&x.mu);
      x.mu.Await(absl::Condition(
          +[](Exchange* e) { return e->reader_done || !e->full.empty(); }, &x));
      if (x.full.empty()) {
        result = x.read_status;
        break;
      }
      batch = std::move(x.full.front());
      x.full.pop_front();
    }
    try {
      result = fn(*batch);
    } catch (...) {
      {
        absl::MutexLock lock(&x.mu);
        x.stop = true;
      }
      reader.join();
      throw;
    }
    absl::MutexLock lock(&x.mu);
    if (!result.ok()) {
      x.stop = true;
      break;
    }
    x.empty.push_back(std::move(batch));
  }
  reader.join();
  return result;
}

absl::StatusOr<std::vector<CommitLogEntry>> DocStore::LogAfter(uint64_t after_seq) const {
  std::vector<CommitLogEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(LogKey(after_seq + 1)); it->Valid() && it->key().starts_with("l/"); it->Next()) {
    CommitLogEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("document store: commit log entry does not parse");
    }
    out.push_back(std::move(e));
  }
  if (absl::Status st = FromRocks(it->status(), "read log"); !st.ok()) return st;
  return out;
}

absl::Status DocStore::TrimLog(uint64_t seq) {
  rocksdb::WriteOptions wo;
  return FromRocks(db_->DeleteRange(wo, db_->DefaultColumnFamily(), LogKey(0), LogKey(seq + 1)),
                   "trim log");
}

absl::StatusOr<std::optional<std::string>> DocStore::GetMetadata(const std::string& key) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), absl::StrCat("u/", key), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get metadata");
  return std::optional<std::string>(std::move(v));
}

absl::Status DocStore::PutMetadata(const std::string& key, const std::string& value) {
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  const std::string k = absl::StrCat("u/", key);
  return FromRocks(value.empty() ? db_->Delete(wo, k) : db_->Put(wo, k, value), "put metadata");
}

absl::StatusOr<std::map<std::string, std::string>> DocStore::ListMetadata(
    const std::string& prefix) const {
  std::map<std::string, std::string> out;
  const std::string start = absl::StrCat("u/", prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    out.emplace(it->key().ToString().substr(2), it->value().ToString());
  }
  if (absl::Status st = FromRocks(it->status(), "list metadata"); !st.ok()) return st;
  return out;
}

uint64_t DocStore::ApproximateDiskBytes() const {
  uint64_t sst = 0, wal = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &sst);
  db_->GetIntProperty(rocksdb::DB::Properties::kLiveSstFilesSize, &wal);
  return std::max(sst, wal);
}

absl::Status DocStore::Checkpoint(const std::string& dir) const {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("document store: checkpoint: '", dir, "' exists already"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  if (absl::Status s = FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint");
      !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  absl::Status s = FromRocks(checkpoint->CreateCheckpoint(dir), "checkpoint");
  if (!s.ok()) std::filesystem::remove_all(dir, ec);
  return s;
}

}  // namespace inkdex::store
