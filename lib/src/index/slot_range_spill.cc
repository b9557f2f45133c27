#include "index/slot_range_spill.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"

namespace inkdex::index {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWriteBytes = size_t{256} << 10;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

}  // namespace

SlotRangeSpill::SlotRangeSpill(std::string dir, uint32_t slot_limit, uint32_t range_slots)
    : dir_(std::move(dir)),
      slot_limit_(slot_limit),
      range_slots_(std::max<uint32_t>(1, range_slots)) {
  const size_t ranges = (static_cast<size_t>(slot_limit_) + range_slots_ - 1) / range_slots_;
  buffers_.resize(ranges);
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(dir_, ec);
  if (ec) {
    dir_status_ = absl::InternalError(
        absl::StrCat("search index: cannot create '", dir_, "': ", ec.message()));
  }
}

SlotRangeSpill::~SlotRangeSpill() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string SlotRangeSpill::RangePath(size_t k) const { return absl::StrCat(dir_, "/range-", k); }

uint32_t SlotRangeSpill::RangeEnd(size_t k) const {
  return static_cast<uint32_t>(std::min<uint64_t>(slot_limit_, (k + 1) * uint64_t{range_slots_}));
}

absl::Status SlotRangeSpill::Add(const StoredRecord& record) {
  if (!dir_status_.ok()) return dir_status_;
  if (record.slot() >= slot_limit_) {
    return absl::InvalidArgumentError(
        absl::StrCat("slot: ", record.slot(), " is not below the limit ", slot_limit_));
  }
  const size_t k = record.slot() / range_slots_;
  {
    // Each record is its length (a varint), then its serialization.
    google::protobuf::io::StringOutputStream out(&buffers_[k]);
    google::protobuf::util::SerializeDelimitedToZeroCopyStream(record, &out);
  }
  return buffers_[k].size() >= kWriteBytes ? WriteRange(k) : absl::OkStatus();
}

absl::Status SlotRangeSpill::Flush() {
  if (!dir_status_.ok()) return dir_status_;
  for (size_t k = 0; k < buffers_.size(); ++k) {
    if (absl::Status s = WriteRange(k); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status SlotRangeSpill::WriteRange(size_t k) {
  std::string& buffer = buffers_[k];
  if (buffer.empty()) return absl::OkStatus();
  const std::string path = RangePath(k);
  // Opened for each write: a million-slot index has dozens of ranges, and
  // larger ones hundreds, more than a process may keep open.
  File f(std::fopen(path.c_str(), "ab"));
  if (f == nullptr || std::fwrite(buffer.data(), 1, buffer.size(), f.get()) != buffer.size() ||
      std::fflush(f.get()) != 0) {
    return absl::InternalError(
        absl::StrCat("search index: cannot write '", path, "': ", std::strerror(errno)));
  }
  bytes_written_ += buffer.size();
  buffer.clear();
  buffer.shrink_to_fit();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<uint32_t, StoredRecord>>> SlotRangeSpill::Take(size_t k) {
  std::vector<std::pair<uint32_t, StoredRecord>> records;
  const std::string path = RangePath(k);
  std::error_code ec;
  if (!fs::exists(path, ec)) return records;  // no record in this range
  std::string bytes;
  {
    File f(std::fopen(path.c_str(), "rb"));
    const uintmax_t size = fs::file_size(path, ec);
    if (f == nullptr || ec) {
      return absl::InternalError(
          absl::StrCat("search index: cannot read '", path, "': ", std::strerror(errno)));
    }
    bytes.resize(size);
    if (std::fread(bytes.data(), 1, bytes.size(), f.get()) != bytes.size()) {
      return absl::InternalError(absl::StrCat("search index: cannot read '", path, "'"));
    }
  }
  fs::remove(path, ec);  // its disk space, as soon as it is read
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  for (;;) {
    StoredRecord record;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromCodedStream(&record, &in, &clean_eof)) {
      if (clean_eof) break;
      return absl::InternalError(
          absl::StrCat("search index: '", path, "' holds a record that does not parse"));
    }
    const uint32_t slot = record.slot();
    records.emplace_back(slot, std::move(record));
  }
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return records;
}

}  // namespace inkdex::index
