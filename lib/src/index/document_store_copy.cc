// IndexImpl::CopyDocumentStore: a new index directory holding this index's
// documents as of one commit, and no search index (the copy's open rebuilds
// it from the documents: Recover finds the copy's commit log too short for
// an empty search index, or renumber_slots discards it anyway).
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "index/index_impl.h"

namespace inkdex::index {

absl::StatusOr<uint64_t> IndexImpl::CopyDocumentStore(const std::string& dir) const {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("index: copy: '", dir, "' exists already; name a new directory"));
  }
  if (!std::filesystem::create_directory(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("index: copy: cannot create '", dir, "': ", ec.message()));
  }
  // Under the writer's lock: the copy is one commit's state, and the seq
  // returned is that commit's.
  absl::MutexLock lock(&write_mu_);
  const uint64_t seq = store_->state().seq;
  if (absl::Status s = store_->Checkpoint(dir + "/docs"); !s.ok()) {
    std::filesystem::remove_all(dir, ec);
    return s;
  }
  return seq;
}

}  // namespace inkdex::index
