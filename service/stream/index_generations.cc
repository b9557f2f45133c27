#include "stream/index_generations.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace inkdex::stream {
namespace {

namespace fs = std::filesystem;

absl::Status FsError(const std::string& what, const fs::path& p, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat(what, " ", p.string(), ": ", ec.message()));
}

std::string GenerationPrefix(const fs::path& path) {
  return absl::StrCat(path.filename().string(), ".gen-");
}

// `path` without a trailing slash, so filename() and parent_path() work.
fs::path Normal(const std::string& path) {
  fs::path p(path);
  if (!p.has_filename()) p = p.parent_path();
  return p;
}

}  // namespace

std::string NewGenerationDir(const std::string& path) {
  const fs::path p = Normal(path);
  return (p.parent_path() / absl::StrCat(GenerationPrefix(p), absl::ToUnixMicros(absl::Now())))
      .string();
}

absl::Status PointAt(const std::string& path, const std::string& generation_dir) {
  const fs::path p = Normal(path);
  const fs::path target = fs::path(generation_dir).filename();
  const fs::path link = p.parent_path() / absl::StrCat(p.filename().string(), ".link-tmp");
  std::error_code ec;
  fs::remove(link, ec);
  fs::create_directory_symlink(target, link, ec);
  if (ec) return FsError("cannot create symlink", link, ec);
  fs::rename(link, p, ec);  // atomic over an existing symlink
  if (ec) return FsError("cannot replace symlink", p, ec);
  return absl::OkStatus();
}

absl::Status EnsureGenerationLayout(const std::string& path) {
  const fs::path p = Normal(path);
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(p, ec);
  if (fs::is_symlink(st)) return absl::OkStatus();
  const std::string gen = NewGenerationDir(path);
  if (fs::is_directory(st)) {
    fs::rename(p, gen, ec);
    if (ec) return FsError("cannot move the index into a generation directory", p, ec);
  } else if (fs::exists(st)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--index ", path, ": exists and is neither a directory nor a symlink"));
  } else {
    fs::create_directories(gen, ec);
    if (ec) return FsError("cannot create", gen, ec);
  }
  return PointAt(path, gen);
}

absl::StatusOr<std::string> CurrentGeneration(const std::string& path) {
  std::error_code ec;
  const fs::path resolved = fs::canonical(Normal(path), ec);
  if (ec) return FsError("cannot resolve", Normal(path), ec);
  return resolved.string();
}

absl::StatusOr<std::vector<std::string>> RemoveStaleGenerations(
    const std::string& path, const std::vector<std::string>& keep) {
  const fs::path p = Normal(path);
  absl::StatusOr<std::string> current = CurrentGeneration(path);
  if (!current.ok()) return current.status();
  std::vector<std::string> kept = keep;
  kept.push_back(*current);
  for (std::string& k : kept) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(k, ec);
    if (!ec) k = c.string();
  }
  const std::string prefix = GenerationPrefix(p);
  std::vector<std::string> removed;
  std::error_code ec;
  const fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  for (const fs::directory_entry& e : fs::directory_iterator(parent, ec)) {
    const std::string name = e.path().filename().string();
    if (!absl::StartsWith(name, prefix) || !e.is_directory() || e.is_symlink()) continue;
    const std::string full = fs::weakly_canonical(e.path()).string();
    if (std::find(kept.begin(), kept.end(), full) != kept.end()) continue;
    std::error_code rm;
    fs::remove_all(e.path(), rm);
    if (rm) return FsError("cannot remove stale generation", e.path(), rm);
    removed.push_back(full);
  }
  if (ec) return FsError("cannot list", parent, ec);
  return removed;
}

}  // namespace inkdex::stream
