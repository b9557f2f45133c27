#include "staged_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace inkdex::cli {

namespace fs = std::filesystem;

namespace {

absl::Status FilesystemError(const std::string& what, const std::error_code& error) {
  return absl::UnavailableError(absl::StrCat(what, ": ", error.message()));
}

absl::Status FsyncPath(const fs::path& path, bool directory) {
  int fd = open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    int error = errno;
    if (fd >= 0) close(fd);
    return absl::UnavailableError(absl::StrCat("fsync ", path.string(), ": ", strerror(error)));
  }
  close(fd);
  return absl::OkStatus();
}

absl::Status FsyncTree(const fs::path& root) {
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() || it->is_directory()) {
      if (absl::Status s = FsyncPath(it->path(), it->is_directory()); !s.ok()) return s;
    }
  }
  if (error) return FilesystemError(root.string(), error);
  return FsyncPath(root, true);
}

fs::path Sibling(const fs::path& target, absl::string_view tag) {
  return fs::path(absl::StrCat(target.string(), ".inkdex-", tag, "-", getpid()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StagedDirectory>> StagedDirectory::Create(const fs::path& target,
                                                                         bool replace) {
  std::error_code error;
  if (fs::exists(target, error)) {
    if (!fs::is_directory(target, error)) {
      return absl::FailedPreconditionError(
          absl::StrCat("--index ", target.string(), ": exists and is not a directory"));
    }
    if (!replace && !fs::is_empty(target, error)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--index ", target.string(),
          ": exists and is not empty; pass --force to replace it, or --append to add to it"));
    }
  }
  fs::path staging = Sibling(target, "build");
  fs::remove_all(staging, error);
  if (!fs::create_directories(staging, error)) {
    return FilesystemError(absl::StrCat("--index: cannot create ", staging.string()), error);
  }
  return std::unique_ptr<StagedDirectory>(new StagedDirectory(target, staging));
}

StagedDirectory::~StagedDirectory() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

absl::Status StagedDirectory::Commit() {
  if (absl::Status s = FsyncTree(staging_); !s.ok()) return s;
  std::error_code error;
  fs::path old;
  if (fs::exists(target_, error)) {
    old = Sibling(target_, "old");
    fs::rename(target_, old, error);
    if (error) return FilesystemError(absl::StrCat("moving aside ", target_.string()), error);
  }
  fs::rename(staging_, target_, error);
  if (error) {
    absl::Status failed = FilesystemError(
        absl::StrCat("renaming ", staging_.string(), " to ", target_.string()), error);
    if (!old.empty()) fs::rename(old, target_, error);  // put the previous index back
    return failed;
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, error);
  fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  return FsyncPath(parent, true);
}

}  // namespace inkdex::cli
