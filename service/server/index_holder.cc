#include "server/index_holder.h"

#include <filesystem>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inkdex::server {

absl::StatusOr<std::string> ResolveIndexDirectory(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("directory: required");
  // The file system reads a path up to its first NUL: "/a\0/b" would name
  // "/a", not what the caller wrote.
  if (dir.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("directory: must not contain a NUL byte");
  }
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::weakly_canonical(dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("directory: cannot resolve '", dir, "': ", ec.message()));
  }
  return resolved.string();
}

absl::StatusOr<std::unique_ptr<IndexHolder>> IndexHolder::Open(const std::string& dir,
                                                               const IndexOptions& options) {
  absl::StatusOr<std::string> resolved = ResolveIndexDirectory(dir);
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(*resolved, options);
  if (!index.ok()) return index.status();
  IndexOptions kept = options;
  kept.cancelled = nullptr;  // this open's alone
  return std::make_unique<IndexHolder>(std::shared_ptr<Index>(*std::move(index)),
                                       *std::move(resolved), std::move(kept));
}

IndexHolder::IndexHolder(std::shared_ptr<Index> index, std::string directory, IndexOptions options)
    : options_(std::move(options)),
      served_{std::move(index), std::move(directory), /*generation=*/1} {}

std::shared_ptr<Index> IndexHolder::Current() const {
  absl::MutexLock lock(&mu_);
  return served_.index;
}

ServedIndex IndexHolder::Served() const {
  absl::MutexLock lock(&mu_);
  return served_;
}

std::string IndexHolder::directory() const {
  absl::MutexLock lock(&mu_);
  return served_.directory;
}

uint64_t IndexHolder::generation() const {
  absl::MutexLock lock(&mu_);
  return served_.generation;
}

uint64_t IndexHolder::Swap(std::shared_ptr<Index> index, std::string directory) {
  std::shared_ptr<Index> previous;
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    previous = std::exchange(served_.index, std::move(index));
    served_.directory = std::move(directory);
    generation = ++served_.generation;
  }
  // `previous` is released here, outside the lock: if no call holds it any
  // more, closing its stores (RocksDB, Xapian) must not stall Current().
  return generation;
}

void IndexHolder::set_slot_layout_interval(absl::Duration interval) {
  absl::MutexLock lock(&layout_mu_);
  layout_interval_ = interval;
}

absl::StatusOr<SlotLayout> IndexHolder::CurrentSlotLayout(absl::Time now) const {
  const ServedIndex served = Served();
  absl::MutexLock lock(&layout_mu_);
  if (served.generation != layout_generation_ || now - layout_measured_at_ >= layout_interval_) {
    layout_ = served.index->MeasureSlotLayout();
    layout_measured_at_ = now;
    layout_generation_ = served.generation;
  }
  return layout_;
}

}  // namespace inkdex::server
