// The document store when its disk fails writes: commits fail (nothing
// written, nothing lost) and reads go on. After a full disk, commits succeed
// again once space is back, without a reopen; after another write error,
// once the store is reopened.
// The disk is a RocksDB FileSystem whose writes fail while `failing` is set,
// with NoSpace (RESOURCE_EXHAUSTED) or a plain I/O error (INTERNAL). It does
// not reproduce RocksDB's file logger aborting on a full disk (kept failing
// for 12 s, RocksDB's own logger survived it here); InfoLogTest covers the
// logger that replaced it.
#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "index/test_util.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "store/doc_store.h"

namespace inkdex::store {
namespace {

enum class Fault { kNoSpace, kIOError };

struct DiskState {
  Fault fault = Fault::kNoSpace;
  std::atomic<bool> failing{false};

  rocksdb::IOStatus Error() const {
    return fault == Fault::kNoSpace ? rocksdb::IOStatus::NoSpace("test disk is full")
                                    : rocksdb::IOStatus::IOError("test disk failed a write");
  }
};

class FailingFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FailingFile(std::unique_ptr<rocksdb::FSWritableFile> file, const DiskState& disk)
      : FSWritableFileOwnerWrapper(std::move(file)), disk_(disk) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (disk_.failing) return disk_.Error();
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (disk_.failing) return disk_.Error();
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }

 private:
  const DiskState& disk_;
};

class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingFileSystem(Fault fault) : FileSystemWrapper(rocksdb::FileSystem::Default()) {
    disk.fault = fault;
  }
  const char* Name() const override { return "FailingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<FailingFile>(std::move(*result), disk);
    return s;
  }
  rocksdb::IOStatus GetFreeSpace(const std::string& /*path*/, const rocksdb::IOOptions& /*options*/,
                                 uint64_t* space, rocksdb::IODebugContext* /*dbg*/) override {
    *space = disk.failing && disk.fault == Fault::kNoSpace ? 0 : uint64_t{1} << 40;
    return rocksdb::IOStatus::OK();
  }

  DiskState disk;
};

CommitWrite Write(uint64_t seq, const std::string& id) {
  CommitWrite w;
  w.seq = seq;
  w.unix_micros = static_cast<int64_t>(seq);
  w.next_slot = static_cast<uint32_t>(seq + 1);
  StoredRecord r;
  r.set_version(seq);
  r.set_slot(static_cast<uint32_t>(seq));
  r.mutable_artist()->set_id(id);
  w.records = {{id, r}};
  return w;
}

class FailingDiskTest : public ::testing::TestWithParam<Fault> {
 protected:
  absl::StatusCode WhileFailing() const {
    return GetParam() == Fault::kNoSpace ? absl::StatusCode::kResourceExhausted
                                         : absl::StatusCode::kInternal;
  }
  bool Retryable(const absl::Status& s) const {
    return s.code() == WhileFailing() || s.code() == absl::StatusCode::kUnavailable;
  }
};

TEST_P(FailingDiskTest, CommitsFailLoseNothingAndResumeOnceTheDiskWorks) {
  inkdex::testing::TempDir dir;
  auto fs = std::make_shared<FailingFileSystem>(GetParam());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  {
    auto store = DocStore::Open(dir.path(), true, true, 1 << 20, env.get());
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Commit(Write(1, "before")).ok());

    fs->disk.failing = true;
    absl::Status failed = (*store)->Commit(Write(2, "while-failing"));
    EXPECT_EQ(failed.code(), WhileFailing()) << failed;
    EXPECT_EQ((*store)->state().seq, 1u);
    // Another attempt meanwhile fails too, and nothing aborts.
    absl::Status again = (*store)->Commit(Write(2, "while-failing"));
    EXPECT_FALSE(again.ok());
    EXPECT_TRUE(Retryable(again)) << again;
    // Reads go on.
    auto before = (*store)->Get("before");
    ASSERT_TRUE(before.ok()) << before.status();
    EXPECT_TRUE(before->has_value());

    fs->disk.failing = false;
    if (GetParam() == Fault::kNoSpace) {
      // RocksDB's recovery polls for space every few seconds.
      absl::Status after;
      const absl::Time give_up = absl::Now() + absl::Seconds(60);
      do {
        after = (*store)->Commit(Write(2, "after"));
        if (after.ok()) break;
        EXPECT_TRUE(Retryable(after)) << after;
        absl::SleepFor(absl::Milliseconds(200));
      } while (absl::Now() < give_up);
      ASSERT_TRUE(after.ok()) << after;
    } else {
      absl::Status still = (*store)->Commit(Write(2, "after"));
      EXPECT_EQ(still.code(), absl::StatusCode::kInternal) << still;
    }
  }
  if (GetParam() == Fault::kIOError) {
    auto reopened = DocStore::Open(dir.path(), false, true, 1 << 20);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    ASSERT_TRUE((*reopened)->Commit(Write(2, "after")).ok());
  }
  auto store = DocStore::Open(dir.path(), false, true, 1 << 20);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->state().seq, 2u);
  for (const char* id : {"before", "after"}) {
    auto r = (*store)->Get(id);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->has_value()) << id;
  }
  auto lost = (*store)->Get("while-failing");
  ASSERT_TRUE(lost.ok()) << lost.status();
  EXPECT_FALSE(lost->has_value()) << "a failed commit wrote nothing";
}

INSTANTIATE_TEST_SUITE_P(Faults, FailingDiskTest,
                         ::testing::Values(Fault::kNoSpace, Fault::kIOError),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return std::string(info.param == Fault::kNoSpace ? "NoSpace"
                                                                            : "IOError");
                         });

}  // namespace
}  // namespace inkdex::store
