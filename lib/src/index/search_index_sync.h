// How the search index (Xapian) is made durable without an fsync per commit.
//
// The document store (RocksDB) is synced at every commit and holds
// everything; the Xapian database is derived from it, and an index whose
// Xapian database is behind the store is brought up to date from the
// store's commit log at open (IndexImpl::Recover). So Xapian's own fsyncs
// (several table files per commit, ~20 % of a stream commit's time) only
// matter when the OS loses written-but-unsynced pages: a power loss or a
// kernel crash, after which glass may hold a version file pointing at blocks
// that never reached the disk, with no checksum to notice.
//
// The contract: while an index is open for writing with sync on, its
// document store holds kUnsyncedSearchIndexBootKey = the boot id of the
// running kernel, written with the first commit. A clean close fsyncs every
// Xapian file and then deletes the key. At open, a key holding another boot
// id means the machine restarted while Xapian had unsynced writes: text/ is
// discarded unread (it may not even open) and rebuilt from the store before
// the open returns (about as long as `inkdex build`). A process crash (kill -9) keeps the
// same boot id, and the page cache kept every write: normal recovery.
// Without a boot id (not Linux), Xapian is synced at every commit as before.
#ifndef INKDEX_INDEX_SEARCH_INDEX_SYNC_H_
#define INKDEX_INDEX_SEARCH_INDEX_SYNC_H_

#include <string>

#include "absl/status/status.h"

namespace inkdex::index {

inline constexpr char kUnsyncedSearchIndexBootKey[] = "inkdex.index.unsynced_search_boot";

// The running kernel's boot id (/proc/sys/kernel/random/boot_id), or "" when
// the system has none.
std::string CurrentBootId();

// fsyncs every regular file in `dir` and then `dir` itself.
// INTERNAL naming the file on failure.
absl::Status SyncDirectoryFiles(const std::string& dir);

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_SEARCH_INDEX_SYNC_H_
