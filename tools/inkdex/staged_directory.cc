#include "staged_directory.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace inkdex::cli {

namespace fs = std::filesystem;

namespace {

absl::Status FilesystemError(const std::string& what, const std::error_code& error) {
  return absl::UnavailableError(absl::StrCat(what, ": ", error.message()));
}

// The lock an Index holds while it has a directory open for writing:
// RocksDB's, an fcntl write lock on the whole of docs/LOCK. Taken before an
// index is replaced and held until it has been: replacing an index that a
// server or another command has open would leave that process writing into
// files no longer at the target (acknowledged writes lost), and its RocksDB
// adding files to the index that took the old one's place. Released when
// destroyed (closing the file releases the process's fcntl locks on it).
class IndexLock {
 public:
  // Holds no lock when `dir` holds no index (no docs/LOCK). UNAVAILABLE
  // naming --index when another process holds it.
  static absl::StatusOr<IndexLock> Acquire(const fs::path& dir);
  IndexLock(IndexLock&& other) : fd_(std::exchange(other.fd_, -1)) {}
  IndexLock& operator=(IndexLock&&) = delete;
  ~IndexLock() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  explicit IndexLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

absl::StatusOr<IndexLock> IndexLock::Acquire(const fs::path& dir) {
  const fs::path lock_file = dir / "docs" / "LOCK";
  const int fd = open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return IndexLock(-1);
    return absl::UnavailableError(absl::StrCat("--index ", dir.string(), ": cannot open ",
                                               lock_file.string(), ": ", strerror(errno)));
  }
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file, as RocksDB locks it
  if (fcntl(fd, F_SETLK, &lock) != 0) {
    const int error = errno;
    close(fd);
    if (error == EACCES || error == EAGAIN) {
      return absl::UnavailableError(absl::StrCat(
          "--index ", dir.string(),
          ": the index there is open for writing in another process (an inkdex-server, or "
          "another inkdex command), and --force does not replace an index in use: stop that "
          "process first, or build into another directory and swap it in (Admin.SwapIndex, "
          "or SIGHUP with --index a symlink)"));
    }
    return absl::UnavailableError(absl::StrCat("--index ", dir.string(), ": cannot lock ",
                                               lock_file.string(), ": ", strerror(error)));
  }
  return IndexLock(fd);
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

// The pid of "<target>.inkdex-<tag>-<pid>" when `name` is such a sibling of
// `target` and that process no longer runs (kill -9, a crash, a reboot);
// 0 otherwise. A live pid (even one reused by another program) is left
// alone.
pid_t DeadOwner(const std::string& name, const std::string& target_name, absl::string_view tag) {
  const std::string prefix = absl::StrCat(target_name, ".inkdex-", tag, "-");
  if (!absl::StartsWith(name, prefix)) return 0;
  int pid = 0;
  if (!absl::SimpleAtoi(name.substr(prefix.size()), &pid) || pid <= 0 || pid == getpid()) return 0;
  if (kill(pid, 0) == 0 || errno != ESRCH) return 0;
  return pid;
}

// What an interrupted build left beside `target`: a staging directory (half
// built: removed), or the previous index moved aside by a Commit that did not
// finish (put back when the target is missing, else removed). Each action is
// reported on stderr.
void CleanUpInterruptedBuilds(const fs::path& target) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string target_name = target.filename().string();
  std::error_code error;
  std::vector<fs::path> staged, moved_aside;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, error)) {
    const std::string name = entry.path().filename().string();
    if (DeadOwner(name, target_name, "build") != 0) staged.push_back(entry.path());
    if (DeadOwner(name, target_name, "old") != 0) moved_aside.push_back(entry.path());
  }
  for (const fs::path& dir : staged) {
    fs::remove_all(dir, error);
    std::cerr << "inkdex build: removed " << dir.string() << ", left by an interrupted build\n";
  }
  for (const fs::path& dir : moved_aside) {
    if (!fs::exists(target, error)) {
      fs::rename(dir, target, error);
      std::cerr << "inkdex build: put back the previous index " << target.string() << " from "
                << dir.string() << ", moved aside by an interrupted build\n";
    } else {
      fs::remove_all(dir, error);
      std::cerr << "inkdex build: removed " << dir.string()
                << ", an index replaced by an earlier build\n";
    }
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<StagedDirectory>> StagedDirectory::Create(const fs::path& target,
                                                                         bool replace) {
  CleanUpInterruptedBuilds(target);
  std::error_code error;
  const bool exists = fs::exists(target, error);
  if (error) return FilesystemError(absl::StrCat("--index ", target.string()), error);
  if (exists) {
    const bool directory = fs::is_directory(target, error);
    if (error) return FilesystemError(absl::StrCat("--index ", target.string()), error);
    if (!directory) {
      return absl::FailedPreconditionError(
          absl::StrCat("--index ", target.string(), ": exists and is not a directory"));
    }
    const bool empty = fs::is_empty(target, error);
    if (error) return FilesystemError(absl::StrCat("--index ", target.string()), error);
    // --force replaces an index, never whatever else a mistyped path names
    // (a home directory, a data directory): its RocksDB store marks it.
    const bool holds_index = fs::exists(target / "docs" / "CURRENT", error);
    if (error) return FilesystemError(absl::StrCat("--index ", target.string()), error);
    if (!empty && !holds_index) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--index ", target.string(),
          ": exists, is not empty and holds no inkdex index (no docs/CURRENT); it is never "
          "replaced, even with --force: remove the directory yourself or name a new one"));
    }
    if (!empty && !replace) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--index ", target.string(),
          ": an index is there; pass --force to replace it, or --append to add to it"));
    }
    // Said before the build rather than after it; Commit checks again.
    if (absl::StatusOr<IndexLock> in_use = IndexLock::Acquire(target); !in_use.ok()) {
      return in_use.status();
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
  // Held until the old index is gone: nothing opens it meanwhile.
  absl::StatusOr<IndexLock> lock = IndexLock::Acquire(target_);
  if (!lock.ok()) return lock.status();
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
