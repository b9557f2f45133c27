#include "workload.h"

#include <string_view>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "inkdex/index.h"
#include "inkdex/record.h"
#include "synth/synth.h"

namespace inkdex::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kMarkerName[] = "inkdex-bench.complete";

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Everything that determines the index contents; a marker with other text is
// stale (older parameters or a different generator version).
std::string MarkerText(uint64_t artists) {
  return absl::StrCat("inkdex benchmark index\nartists=", artists, "\nseed=", kSynthSeed,
                      "\ntoday=", kDataDay, "\nbatch=", kBatchSize,
                      "\nversions=record+1\norder=cell\nsynth=", synth::kOutputVersion, "\n");
}

}  // namespace

absl::StatusOr<RecordLines> GenerateRecordLines(uint64_t count) {
  synth::SynthOptions options;
  options.count = count;
  options.seed = kSynthSeed;
  options.today = kDataDay;
  RecordLines out;
  absl::Status s = synth::WriteArtists(options, [&](std::string_view chunk) {
    out.buffer.append(chunk);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  out.lines.reserve(count);
  std::string_view rest = out.buffer;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    out.lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  if (out.lines.size() != count) {
    return absl::InternalError(
        absl::StrCat("synth: expected ", count, " lines, got ", out.lines.size()));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Index>> OpenEmptyOfflineIndex(const std::string& dir) {
  IndexOptions options;
  options.sync = false;
  options.defer_search_index = true;  // as `inkdex build` opens a new index
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  if (!index.ok()) return index.status();
  if ((*index)->Stats().documents != 0) {
    return absl::FailedPreconditionError(absl::StrCat(dir, ": already holds an index"));
  }
  return index;
}

absl::Status FlushAllOrFail(BulkLoader& loader, uint64_t* applied) {
  return loader.Flush([applied](uint64_t record, const ChangeResult& cr) {
    if (cr.outcome != ChangeResult::Outcome::kApplied) {
      return absl::InternalError(absl::StrCat("record ", record, ": not applied: ", cr.reason));
    }
    if (applied != nullptr) ++*applied;
    return absl::OkStatus();
  });
}

absl::Status BuildIndexFromLines(const std::string& dir, const std::vector<std::string_view>& lines,
                                 BuildTimings* timings) {
  *timings = BuildTimings();
  const Clock::time_point open_start = Clock::now();
  absl::StatusOr<std::unique_ptr<Index>> index = OpenEmptyOfflineIndex(dir);
  if (!index.ok()) return index.status();
  timings->apply_seconds += SecondsSince(open_start);

  // As `inkdex build` does: every record held, then applied sorted by
  // location (inkdex/bulk_loader.h), kBatchSize a commit.
  BulkLoader loader(**index, {.batch_size = kBatchSize});
  const Clock::time_point parse_start = Clock::now();
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StatusOr<ParsedRecord> r =
        ParseArtistRecord(lines[i], (*index)->taxonomy(), RecordFormat::kJson);
    if (!r.ok())
      return absl::InvalidArgumentError(absl::StrCat("record ", i, ": ", r.status().message()));
    r->artist.set_version(i + 1);
    loader.Add(r->artist, i);
  }
  timings->parse_seconds += SecondsSince(parse_start);

  const Clock::time_point apply_start = Clock::now();
  absl::Status applied = FlushAllOrFail(loader, &timings->applied);
  if (applied.ok()) applied = (*index)->BuildDeferredSearchIndex();
  timings->apply_seconds += SecondsSince(apply_start);
  if (!applied.ok()) return applied;

  const uint64_t documents = (*index)->Stats().documents;
  if (documents != lines.size()) {
    return absl::InternalError(absl::StrCat(dir, ": index counts ", documents, " documents, ",
                                            lines.size(), " were applied"));
  }
  const Clock::time_point close_start = Clock::now();
  index->reset();
  timings->apply_seconds += SecondsSince(close_start);

  std::ofstream marker(fs::path(dir) / kMarkerName, std::ios::trunc);
  marker << MarkerText(lines.size());
  marker.close();
  if (!marker) return absl::UnavailableError(absl::StrCat(dir, ": cannot write ", kMarkerName));
  return absl::OkStatus();
}

std::string BenchIndexDir(const std::string& build_dir, uint64_t artists) {
  const char* env = std::getenv("INKDEX_BENCH_DIR");
  const fs::path base =
      env != nullptr && *env != '\0' ? fs::path(env) : fs::path(build_dir) / "bench-data";
  return (base / std::to_string(artists)).string();
}

bool BenchIndexComplete(const std::string& dir, uint64_t artists) {
  std::ifstream in(fs::path(dir) / kMarkerName);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  return text.str() == MarkerText(artists);
}

absl::Status EnsureBenchIndex(const std::string& dir, uint64_t artists) {
  if (BenchIndexComplete(dir, artists)) return absl::OkStatus();
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("remove ", dir, ": ", ec.message()));
  fs::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("create ", dir, ": ", ec.message()));
  std::cerr << "bench: generating " << artists << " synthetic artists\n";
  absl::StatusOr<RecordLines> records = GenerateRecordLines(artists);
  if (!records.ok()) return records.status();
  std::cerr << "bench: building the index in " << dir << "\n";
  BuildTimings timings;
  return BuildIndexFromLines(dir, records->lines, &timings);
}

bool ListsBenchmarksOnly(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--benchmark_list_tests" || arg == "--benchmark_list_tests=true") return true;
  }
  return false;
}

}  // namespace inkdex::bench
