#include "index/disk_space.h"

#include <sys/statvfs.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace inkdex::index {
namespace {

std::string MiB(uint64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

std::optional<uint64_t> FreeDiskBytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

absl::Status CheckFreeDiskSpace(const std::string& dir, uint64_t min_free_bytes) {
  if (min_free_bytes == 0) return absl::OkStatus();
  const std::optional<uint64_t> free_bytes = FreeDiskBytes(dir);
  if (!free_bytes.has_value()) return absl::OkStatus();
  const uint64_t available = *free_bytes;
  if (available >= min_free_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "index: the volume of '", dir, "' has ", MiB(available), " free, under the ",
      MiB(min_free_bytes),
      " every commit keeps in reserve (IndexOptions::min_free_disk_bytes); free space or grow "
      "the volume, then retry: nothing was written"));
}

}  // namespace inkdex::index
