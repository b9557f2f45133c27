#include "index/search_index_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace inkdex::index {
namespace {

absl::Status SyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("search index: cannot open '", path, "' to sync it: ", std::strerror(errno)));
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("search index: fsync of '", path, "' failed: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string CurrentBootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!in || !std::getline(in, id)) return "";
  return std::string(absl::StripAsciiWhitespace(id));
}

absl::Status SyncDirectoryFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    if (absl::Status s = SyncPath(entry.path().string()); !s.ok()) return s;
  }
  if (ec) {
    return absl::InternalError(
        absl::StrCat("search index: cannot list '", dir, "': ", ec.message()));
  }
  return SyncPath(dir);
}

}  // namespace inkdex::index
