// Index generations: how a stream-fed inkdex-server replaces its whole index
// (bootstrap, re-sync) while the old one keeps serving, and finds the new one
// after a restart.
//
// The --index path is a symlink to a generation directory beside it,
// "<path>.gen-<unix micros>". A re-sync builds the next generation in a new
// directory, the server swaps it in (WriteCommitter::SwapIndex), then the
// symlink is replaced atomically (rename(2) of a new link over it). A crash
// at any point leaves the symlink naming a complete index: the old one until
// the rename, the new one after. Generation directories the link does not
// name are leftovers (a re-sync cut short, a replaced generation) and are
// removed by RemoveStaleGenerations while nothing has them open.
//
// Thread safety: functions of the file system; callers serialize them per
// path.
#ifndef INKDEX_SERVICE_STREAM_INDEX_GENERATIONS_H_
#define INKDEX_SERVICE_STREAM_INDEX_GENERATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inkdex::stream {

// Makes `path` a symlink to a generation directory: a missing path gets a
// new, empty generation; a real directory (an index built by `inkdex build`)
// is renamed into the first generation. An existing symlink is left as is.
// REQUIRES: no index is open at `path` (call before opening it).
absl::Status EnsureGenerationLayout(const std::string& path);

// A fresh generation directory name for `path` (not created).
std::string NewGenerationDir(const std::string& path);

// Atomically points `path` at `generation_dir` (a directory beside it).
absl::Status PointAt(const std::string& path, const std::string& generation_dir);

// The generation directory `path` names now (absolute).
absl::StatusOr<std::string> CurrentGeneration(const std::string& path);

// Removes every "<path>.gen-*" directory except the current one and those
// in `keep`; returns the removed ones.
absl::StatusOr<std::vector<std::string>> RemoveStaleGenerations(
    const std::string& path, const std::vector<std::string>& keep = {});

}  // namespace inkdex::stream

#endif  // INKDEX_SERVICE_STREAM_INDEX_GENERATIONS_H_
