#include "index/file_prefetch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "index/index_impl.h"

namespace inkdex::index {
namespace {

constexpr size_t kChunkBytes = size_t{4} << 20;

int PrefetchRank(const std::string& name) {
  if (name == "postlist.glass") return 0;
  if (name == "docdata.glass") return 1;
  if (name == "termlist.glass") return 2;
  return 3;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::vector<std::string> SearchIndexFilesInPrefetchOrder(const std::string& dir) {
  std::vector<std::pair<int, std::string>> ranked;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec)) continue;
    const std::string name = entry.path().filename().string();
    ranked.emplace_back(PrefetchRank(name), name);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> out;
  out.reserve(ranked.size());
  for (const auto& [rank, name] : ranked) out.push_back(absl::StrCat(dir, "/", name));
  return out;
}

absl::StatusOr<PrefetchReport> ReadIntoPageCache(const std::vector<std::string>& paths,
                                                 const PrefetchOptions& options) {
  PrefetchReport report;
  std::unique_ptr<char[]> buffer;
  for (const std::string& path : paths) {
    Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0) {
      if (errno == ENOENT) continue;  // removed since it was listed
      return absl::InternalError(
          absl::StrCat("prefetch: cannot open '", path, "': ", std::strerror(errno)));
    }
    struct stat st;
    if (::fstat(file.fd, &st) != 0) {
      return absl::InternalError(
          absl::StrCat("prefetch: cannot stat '", path, "': ", std::strerror(errno)));
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    report.search_index_bytes += size;
    if (report.bytes_read >= options.max_bytes || size == 0) continue;
    if (buffer == nullptr) buffer = std::make_unique<char[]>(kChunkBytes);
    ++report.files;
    ::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // larger readahead; advice only
    uint64_t offset = 0;
    while (offset < size && report.bytes_read < options.max_bytes) {
      if (options.cancelled && options.cancelled()) {
        return absl::CancelledError(
            absl::StrCat("prefetch: cancelled after ", report.bytes_read, " bytes"));
      }
      const size_t want = static_cast<size_t>(
          std::min<uint64_t>({kChunkBytes, size - offset, options.max_bytes - report.bytes_read}));
      const ssize_t got = ::pread(file.fd, buffer.get(), want, static_cast<off_t>(offset));
      if (got < 0) {
        if (errno == EINTR) continue;
        return absl::InternalError(
            absl::StrCat("prefetch: cannot read '", path, "': ", std::strerror(errno)));
      }
      if (got == 0) break;  // truncated since the stat
      offset += static_cast<uint64_t>(got);
      report.bytes_read += static_cast<uint64_t>(got);
    }
  }
  return report;
}

absl::StatusOr<PrefetchReport> IndexImpl::PrefetchSearchIndex(
    const PrefetchOptions& options) const {
  return ReadIntoPageCache(SearchIndexFilesInPrefetchOrder(dir_ + "/text"), options);
}

}  // namespace inkdex::index
