#include "build_pipeline.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "inkdex/bulk_loader.h"
#include "input_reader.h"
#include "item_type.h"

namespace inkdex::cli {

namespace {

// The payload that marks a stop under --strict (IsStrictStop).
constexpr char kStrictStopPayload[] = "inkdex.cli/build-strict-stop";

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

bool IsBlank(absl::string_view text) { return absl::StripAsciiWhitespace(text).empty(); }

// A run of input lines, as the reader hands them to the parsers.
struct LineChunk {
  std::vector<SourceLine> lines;  // the non-blank ones
  uint64_t lines_read = 0;        // blank ones included
  uint64_t blank_lines = 0;
  uint64_t bytes_read = 0;  // input consumed through its last line, all files
  bool last = false;        // nothing follows
};

// Reads the inputs a chunk ahead on a thread of its own, so that reading
// (and gunzipping) the next lines overlaps parsing and loading the current
// ones: the build's main thread otherwise read between chunks while the
// second core idled (bench/ANALYSIS.md "Build: where the two cores idle").
// Memory: at most kChunksAhead chunks of `chunk_lines` lines waiting.
// Thread safety: Next from one thread. The destructor stops the reader.
class ChunkReadAhead {
 public:
  static constexpr size_t kChunksAhead = 2;

  ChunkReadAhead(const std::vector<std::string>& inputs, size_t chunk_lines)
      : inputs_(inputs), chunk_lines_(chunk_lines), thread_([this] { Read(); }) {}
  ~ChunkReadAhead() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

  // The next chunk in input order, or the error that ended the reading (a
  // file that cannot be opened or read). REQUIRES: no earlier chunk was last.
  absl::StatusOr<LineChunk> Next() {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !ready_.empty(); };
    mu_.Await(absl::Condition(&ready));
    absl::StatusOr<LineChunk> chunk = std::move(ready_.front());
    ready_.pop_front();
    return chunk;
  }

 private:
  // False when the reader is to stop.
  bool Hand(absl::StatusOr<LineChunk> chunk) {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stop_ || ready_.size() < kChunksAhead;
    };
    mu_.Await(absl::Condition(&room));
    if (stop_) return false;
    ready_.push_back(std::move(chunk));
    return true;
  }

  void Read() {
    uint64_t position = 0;
    uint64_t bytes_of_finished_files = 0;
    LineChunk chunk;
    for (uint32_t file = 0; file < inputs_.size(); ++file) {
      auto reader = LineReader::Open(inputs_[file]);
      if (!reader.ok()) {
        Hand(reader.status());
        return;
      }
      SourceLine next;
      while ((*reader)->Next(&next.text, &next.oversized)) {
        ++position;
        ++chunk.lines_read;
        if (!next.oversized && IsBlank(next.text)) {
          ++chunk.blank_lines;
          continue;
        }
        next.file = file;
        next.line = (*reader)->line_number();
        next.position = position;
        chunk.lines.push_back(std::move(next));
        next = SourceLine();
        if (chunk.lines.size() >= chunk_lines_) {
          chunk.bytes_read = bytes_of_finished_files + (*reader)->bytes_consumed();
          if (!Hand(std::exchange(chunk, LineChunk()))) return;
        }
      }
      if (!(*reader)->status().ok()) {
        Hand((*reader)->status());
        return;
      }
      bytes_of_finished_files += (*reader)->bytes_consumed();
    }
    chunk.bytes_read = bytes_of_finished_files;
    chunk.last = true;
    Hand(std::move(chunk));
  }

  const std::vector<std::string>& inputs_;
  const size_t chunk_lines_;
  absl::Mutex mu_;
  std::deque<absl::StatusOr<LineChunk>> ready_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once the rest is ready
};

class Builder {
 public:
  Builder(Index& index, const BuildOptions& options)
      : index_(index),
        options_(options),
        loader_(index, {.batch_size = static_cast<size_t>(std::max(1, options.batch_size))}) {}

  absl::StatusOr<BuildSummary> Run() {
    auto start = std::chrono::steady_clock::now();
    progress_.emplace(options_.progress, TotalInputBytes(), options_.progress_every);
    ChunkReadAhead read_ahead(options_.inputs,
                              static_cast<size_t>(std::max(1, options_.batch_size)));
    for (;;) {
      absl::StatusOr<LineChunk> chunk = read_ahead.Next();
      if (!chunk.ok()) return chunk.status();
      summary_.lines += chunk->lines_read;
      summary_.blank_lines += chunk->blank_lines;
      summary_.bytes_read = chunk->bytes_read;
      if (!chunk->lines.empty()) {
        if (absl::Status s = ProcessLines(chunk->lines); !s.ok()) return s;
      }
      if (chunk->last) break;
      if (Cancelled()) return absl::CancelledError("interrupted");
      if (loader_.size() >= WindowSize()) {
        if (absl::Status s = ApplyHeld(); !s.ok()) return s;
      }
    }
    if (absl::Status s = ApplyHeld(); !s.ok()) return s;
    progress_->Finish(summary_.bytes_read, summary_.applied);
    if (options_.deferred_search_index) {
      progress_->Note(absl::StrFormat("indexing the text of %d artists (one writer per core)",
                                      summary_.applied));
      if (absl::Status s = index_.BuildDeferredSearchIndex(); !s.ok()) return s;
    }
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

  bool Cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

  // Records held before they are sorted by location and applied.
  size_t WindowSize() const {
    return options_.order_window == 0 ? static_cast<size_t>(std::max(1, options_.batch_size))
                                      : options_.order_window;
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
    if (options_.strict) {
      absl::Status stop = absl::FailedPreconditionError(message);
      stop.SetPayload(kStrictStopPayload, absl::Cord());
      return stop;
    }
    return absl::OkStatus();
  }

  using ParsedLine = RecordLine;

  std::vector<ParsedLine> ParseAll(const std::vector<SourceLine>& lines) const {
    std::vector<ParsedLine> results(lines.size());
    const StyleTaxonomy& taxonomy = index_.taxonomy();
    auto parse_range = [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        if (lines[i].oversized) continue;
        results[i] = ReadRecordLine(lines[i].text, taxonomy, options_.format);
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

  // Parses `lines` and hands their records to the loader; reports the lines
  // that are not records.
  absl::Status ProcessLines(const std::vector<SourceLine>& lines) {
    std::vector<ParsedLine> parsed = ParseAll(lines);
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
      loader_.Add(artist, origins_.size());
      origins_.push_back({source.file, source.line});
    }
    summary_.last_line_version = options_.version_base + lines.back().position;
    progress_->Update(bytes_applied_, summary_.applied, loader_.size());
    return absl::OkStatus();
  }

  // Applies the held records sorted by location (BulkLoader) and accounts
  // for their per-record results. Progress counts applied input
  // (interpolated over the window), not input read ahead.
  absl::Status ApplyHeld() {
    const uint64_t bytes_before = bytes_applied_;
    const uint64_t bytes_after = summary_.bytes_read;
    auto on_result = [this](uint64_t tag, const ChangeResult& result) -> absl::Status {
      switch (result.outcome) {
        case ChangeResult::Outcome::kApplied:
          ++summary_.applied;
          break;
        case ChangeResult::Outcome::kStale:
          ++summary_.stale;
          break;
        case ChangeResult::Outcome::kRejected:
          return Reject(origins_[tag].file, origins_[tag].line, result.reason);
      }
      return absl::OkStatus();
    };
    auto after_batch = [&](size_t applied, size_t total) -> absl::Status {
      bytes_applied_ =
          bytes_before + (bytes_after - bytes_before) * applied / std::max<size_t>(total, 1);
      progress_->Update(bytes_applied_, summary_.applied, total - applied);
      if (applied < total && Cancelled()) return absl::CancelledError("interrupted");
      return absl::OkStatus();
    };
    // The held records' line versions go up to last_line_version, and any
    // batch may hold the highest (batches follow location, not lines): it is
    // stored before them, so that a build stopped part way (interrupted,
    // killed, a full disk) leaves the next --append a base above every
    // version it committed, and that append's lines win over them.
    if (summary_.last_line_version > 0) {
      WriteBatch base;
      base.PutMetadata(kLastLineVersionKey, absl::StrCat(summary_.last_line_version));
      if (absl::StatusOr<std::vector<ChangeResult>> stored = index_.Apply(base); !stored.ok()) {
        return stored.status();
      }
    }
    absl::Status status = loader_.Flush(on_result, after_batch);
    origins_.clear();
    bytes_applied_ = bytes_after;
    progress_->Update(bytes_applied_, summary_.applied);
    return status;
  }

  Index& index_;
  const BuildOptions& options_;
  BuildSummary summary_;
  absl::flat_hash_set<size_t> seen_ids_;  // hashes of the artistIds read so far
  BulkLoader loader_;
  std::vector<LineRef> origins_;  // where each held record came from, by loader tag
  std::optional<BuildProgress> progress_;
  uint64_t bytes_applied_ = 0;  // input bytes through the last applied batch
};

}  // namespace

absl::StatusOr<BuildSummary> RunBuild(Index& index, const BuildOptions& options) {
  return Builder(index, options).Run();
}

bool IsStrictStop(const absl::Status& status) {
  return absl::IsFailedPrecondition(status) && status.GetPayload(kStrictStopPayload).has_value();
}

}  // namespace inkdex::cli
