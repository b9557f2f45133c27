// Reading an index's files into the operating system's page cache ahead of
// the searches that need them (Index::PrefetchSearchIndex).
//
// Why read rather than posix_fadvise(WILLNEED): the advice only starts the
// reads, and a server that reports itself ready must know the pages are
// there. A read copies each 4 MiB through one buffer that is reused.
//
// Thread safety: the functions share no state.
#ifndef INKDEX_INDEX_FILE_PREFETCH_H_
#define INKDEX_INDEX_FILE_PREFETCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "inkdex/index.h"

namespace inkdex::index {

// The regular files directly in `dir`, in the order a search needs them:
// the posting lists (postlist.glass) first, then the documents' data and
// term lists, then the rest by name. Missing `dir`: no files.
std::vector<std::string> SearchIndexFilesInPrefetchOrder(const std::string& dir);

// Reads `paths` in order, each from its start, until options.max_bytes are
// read. search_index_bytes is the sum of the files' sizes. A file that no
// longer exists is skipped; another read error is INTERNAL naming the file.
absl::StatusOr<PrefetchReport> ReadIntoPageCache(const std::vector<std::string>& paths,
                                                 const PrefetchOptions& options);

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_FILE_PREFETCH_H_
