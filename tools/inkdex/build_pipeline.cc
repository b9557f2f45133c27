#include "build_pipeline.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "input_reader.h"
#include "item_type.h"

namespace inkdex::cli {

namespace {

// One non-blank input line waiting to be parsed.
struct SourceLine {
  std::string text;
  uint32_t file = 0;      // index into BuildOptions::inputs
  uint64_t line = 0;      // 1-based within its file
  uint64_t position = 0;  // 1-based across all inputs: the line-order version
  bool oversized = false;
};

struct LineRef {
  uint32_t file;
  uint64_t line;
};

// A batch handed to Index::Apply on another thread, with where each change
// came from so that the index's per-change results can name the line.
struct InFlightBatch {
  WriteBatch batch;
  std::vector<LineRef> origins;
  uint64_t input_bytes_after = 0;  // input consumed through this batch's last line
  std::future<absl::StatusOr<std::vector<ChangeResult>>> results;
};

constexpr auto kProgressTick = std::chrono::milliseconds(100);

bool IsBlank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

class Builder {
 public:
  Builder(Index& index, const BuildOptions& options) : index_(index), options_(options) {}

  ~Builder() {
    // The applying thread uses index_; never leave it running.
    if (in_flight_) in_flight_->results.wait();
  }

  absl::StatusOr<BuildSummary> Run() {
    auto start = std::chrono::steady_clock::now();
    progress_.emplace(options_.progress, TotalInputBytes());
    uint64_t position = 0;
    uint64_t bytes_of_finished_files = 0;
    std::vector<SourceLine> pending;
    for (uint32_t file = 0; file < options_.inputs.size(); ++file) {
      auto reader = LineReader::Open(options_.inputs[file]);
      if (!reader.ok()) return Abort(reader.status());
      SourceLine next;
      while ((*reader)->Next(&next.text, &next.oversized)) {
        ++position;
        ++summary_.lines;
        if (!next.oversized && IsBlank(next.text)) {
          ++summary_.blank_lines;
          continue;
        }
        next.file = file;
        next.line = (*reader)->line_number();
        next.position = position;
        pending.push_back(std::move(next));
        next = SourceLine();
        if (pending.size() >= static_cast<size_t>(options_.batch_size)) {
          summary_.bytes_read = bytes_of_finished_files + (*reader)->bytes_consumed();
          if (absl::Status s = ProcessBatch(pending); !s.ok()) return Abort(s);
          pending.clear();
          if (options_.cancel != nullptr && options_.cancel->load()) {
            return Abort(absl::CancelledError("interrupted"));
          }
        }
      }
      if (!(*reader)->status().ok()) return Abort((*reader)->status());
      bytes_of_finished_files += (*reader)->bytes_consumed();
    }
    summary_.bytes_read = bytes_of_finished_files;
    if (!pending.empty()) {
      if (absl::Status s = ProcessBatch(pending); !s.ok()) return Abort(s);
    }
    if (absl::Status s = AwaitApply(); !s.ok()) return s;
    progress_->Finish(summary_.bytes_read, summary_.applied);
    summary_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary_;
  }

 private:
  // The inputs' total size on disk, or nullopt if any size is unknown (stdin).
  std::optional<uint64_t> TotalInputBytes() const {
    uint64_t total = 0;
    for (const std::string& path : options_.inputs) {
      std::error_code error;
      if (path == "-" || !std::filesystem::is_regular_file(path, error)) return std::nullopt;
      uint64_t size = std::filesystem::file_size(path, error);
      if (error) return std::nullopt;
      total += size;
    }
    return total;
  }

  // Stops the build: lets the batch being applied finish, then returns `status`.
  absl::Status Abort(absl::Status status) {
    // An error of the earlier batch comes from earlier lines: report it first.
    absl::Status applied = AwaitApply();
    return applied.ok() ? status : applied;
  }

  std::string Where(uint32_t file, uint64_t line) const {
    return absl::StrCat(options_.inputs[file], ":", line);
  }

  // Counts and reports a line that is not indexed; under --strict, the error
  // that stops the build.
  absl::Status Reject(uint32_t file, uint64_t line, absl::string_view reason) {
    std::string message = absl::StrCat(Where(file, line), ": ", reason);
    ++summary_.rejected;
    if (options_.rejects_out != nullptr) *options_.rejects_out << message << "\n";
    if (summary_.first_rejects.size() < options_.max_listed) {
      summary_.first_rejects.push_back(message);
    }
    if (options_.strict) return absl::FailedPreconditionError(message);
    return absl::OkStatus();
  }

  struct ParsedLine {
    absl::StatusOr<ParsedRecord> record;
    std::optional<std::string> other_item_type;  // set: skip, not an artist item
  };

  std::vector<ParsedLine> ParseAll(const std::vector<SourceLine>& lines) const {
    std::vector<ParsedLine> results(lines.size());
    const StyleTaxonomy& taxonomy = index_.taxonomy();
    auto parse_range = [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        if (lines[i].oversized) continue;
        results[i].record = ParseArtistRecord(lines[i].text, taxonomy, options_.format);
        if (!results[i].record.ok()) {
          results[i].other_item_type = NonArtistItemType(lines[i].text);
        }
      }
    };
    size_t threads = std::clamp<size_t>(lines.size() / 64, 1, std::max(1, options_.threads));
    std::vector<std::jthread> workers;
    for (size_t t = 1; t < threads; ++t) {
      workers.emplace_back(parse_range, lines.size() * t / threads,
                           lines.size() * (t + 1) / threads);
    }
    parse_range(0, lines.size() / threads);
    return results;  // the jthreads join first
  }

  // Parses `lines`, then (once the previous batch is applied) hands them to
  // Index::Apply as one batch.
  absl::Status ProcessBatch(std::vector<SourceLine>& lines) {
    std::vector<ParsedLine> parsed = ParseAll(lines);
    auto next = std::make_unique<InFlightBatch>();
    for (size_t i = 0; i < lines.size(); ++i) {
      const SourceLine& source = lines[i];
      if (source.oversized) {
        if (absl::Status s =
                Reject(source.file, source.line,
                       absl::StrCat("line longer than ", LineReader::kMaxLineBytes, " bytes"));
            !s.ok()) {
          return s;
        }
        continue;
      }
      if (parsed[i].other_item_type) {
        ++summary_.other_items;
        ++summary_.other_item_types[*parsed[i].other_item_type];
        continue;
      }
      const absl::StatusOr<ParsedRecord>& record = parsed[i].record;
      if (!record.ok()) {
        if (absl::Status s = Reject(source.file, source.line, record.status().message()); !s.ok()) {
          return s;
        }
        continue;
      }
      for (const std::string& warning : record->warnings) {
        ++summary_.warnings;
        if (summary_.first_warnings.size() < options_.max_listed) {
          summary_.first_warnings.push_back(
              absl::StrCat(Where(source.file, source.line), ": ", warning));
        }
      }
      Artist& artist = parsed[i].record->artist;
      if (artist.version() == 0) artist.set_version(options_.version_base + source.position);
      if (!seen_ids_.insert(absl::Hash<std::string>{}(artist.id())).second) {
        ++summary_.duplicate_ids;
      }
      next->batch.Upsert(std::move(artist));
      next->origins.push_back({source.file, source.line});
    }
    summary_.last_line_version = options_.version_base + lines.back().position;
    next->batch.PutMetadata(kLastLineVersionKey, absl::StrCat(summary_.last_line_version));
    next->input_bytes_after = summary_.bytes_read;
    if (absl::Status s = AwaitApply(); !s.ok()) return s;
    InFlightBatch* batch = next.get();
    batch->results =
        std::async(std::launch::async, [this, batch] { return index_.Apply(batch->batch); });
    in_flight_ = std::move(next);
    return absl::OkStatus();
  }

  // Waits for the batch being applied (keeping the progress display alive)
  // and accounts for its per-change results. Progress counts applied input,
  // not input read ahead.
  absl::Status AwaitApply() {
    if (!in_flight_) return absl::OkStatus();
    std::unique_ptr<InFlightBatch> done = std::move(in_flight_);
    while (done->results.wait_for(kProgressTick) != std::future_status::ready) {
      progress_->Update(bytes_applied_, summary_.applied);
    }
    absl::StatusOr<std::vector<ChangeResult>> results = done->results.get();
    if (!results.ok()) return results.status();
    bytes_applied_ = done->input_bytes_after;
    size_t n = std::min(results->size(), done->origins.size());
    for (size_t i = 0; i < n; ++i) {
      const ChangeResult& result = (*results)[i];
      switch (result.outcome) {
        case ChangeResult::Outcome::kApplied:
          ++summary_.applied;
          break;
        case ChangeResult::Outcome::kStale:
          ++summary_.stale;
          break;
        case ChangeResult::Outcome::kRejected:
          if (absl::Status s = Reject(done->origins[i].file, done->origins[i].line, result.reason);
              !s.ok()) {
            return s;
          }
          break;
      }
    }
    progress_->Update(bytes_applied_, summary_.applied);
    return absl::OkStatus();
  }

  Index& index_;
  const BuildOptions& options_;
  BuildSummary summary_;
  absl::flat_hash_set<size_t> seen_ids_;  // hashes of the artistIds read so far
  std::unique_ptr<InFlightBatch> in_flight_;
  std::optional<BuildProgress> progress_;
  uint64_t bytes_applied_ = 0;  // input bytes through the last applied batch
};

}  // namespace

absl::StatusOr<BuildSummary> RunBuild(Index& index, const BuildOptions& options) {
  return Builder(index, options).Run();
}

}  // namespace inkdex::cli
