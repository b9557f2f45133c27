// The free-space guard of an index's commits (IndexOptions::min_free_disk_bytes).
//
// A commit refused up front on a nearly full volume is a clean, retryable
// error. A commit that runs the volume out of space is not: Xapian 1.4 (as
// Debian ships it) can terminate the process when a commit fails with ENOSPC
// (an exception escaping its cleanup during the unwind), and RocksDB then
// refuses writes until a write buffer's worth (64 MiB) is free again. So
// every commit first checks that the volume keeps a margin, as search
// engines' disk watermarks do.
//
// Cost: one statvfs(2) per commit, about a microsecond.
//
// Thread safety: thread-safe (no state).
#ifndef INKDEX_INDEX_DISK_SPACE_H_
#define INKDEX_INDEX_DISK_SPACE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace inkdex::index {

// Bytes available to this process on the volume holding `dir`; nullopt when
// it cannot be queried.
std::optional<uint64_t> FreeDiskBytes(const std::string& dir);

// RESOURCE_EXHAUSTED naming the volume's free bytes and `min_free_bytes`
// when the volume holding `dir` has less available; OK otherwise, when
// `min_free_bytes` is 0, or when the volume cannot be queried (a failed
// statvfs must not stop writes).
absl::Status CheckFreeDiskSpace(const std::string& dir, uint64_t min_free_bytes);

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_DISK_SPACE_H_
