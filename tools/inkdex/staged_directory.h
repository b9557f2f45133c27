// StagedDirectory: builds a directory under a temporary sibling name and
// renames it into place only when the build succeeded, so that a failed or
// interrupted `inkdex build` never leaves a half-built index at the target.
//
// The staging directory is "<target>.inkdex-build-<pid>" next to the target
// (same filesystem, so the final rename is atomic). Commit fsyncs every file
// in it first, so an index built with IndexOptions::sync off is durable once
// it appears at the target. Without Commit, the destructor removes it. What
// a killed build left (its staging directory, or the previous index moved
// aside by an unfinished Commit) is cleaned up by the next Create for the
// same target: removed, or put back when the target is missing.
//
// Thread safety: not thread-safe.
#ifndef INKDEX_TOOLS_INKDEX_STAGED_DIRECTORY_H_
#define INKDEX_TOOLS_INKDEX_STAGED_DIRECTORY_H_

#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"

namespace inkdex::cli {

class StagedDirectory {
 public:
  // Refuses (FAILED_PRECONDITION naming --index) when `target` exists and is
  // not an empty directory, unless `replace`: then Commit swaps it out.
  // UNAVAILABLE naming --index when `target` is an index that another
  // process has open for writing (a server, an append): it is never
  // replaced from under it.
  static absl::StatusOr<std::unique_ptr<StagedDirectory>> Create(
      const std::filesystem::path& target, bool replace);
  ~StagedDirectory();
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  // Where to build. REQUIRES: everything writing there is closed before Commit.
  const std::filesystem::path& staging_path() const { return staging_; }

  // Makes the staged contents durable and moves them to the target (replacing
  // what was there, holding its index lock meanwhile). UNAVAILABLE, with
  // the target untouched, when another process has opened the index there
  // since Create.
  absl::Status Commit();

 private:
  StagedDirectory(std::filesystem::path target, std::filesystem::path staging)
      : target_(std::move(target)), staging_(std::move(staging)) {}

  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_STAGED_DIRECTORY_H_
