#include "synth/synth.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "synth/text_util.h"

namespace inkdex::synth {
namespace {

// Records per unit of work: big enough that thread hand-offs cost nothing,
// small enough to keep a few MB per thread in flight.
constexpr uint64_t kBlockRecords = 4096;

void GenerateBlock(const ArtistGenerator& generator, uint64_t first, uint64_t end,
                   std::string* out) {
  out->clear();
  for (uint64_t i = first; i < end; ++i) generator.AppendJson(i, out);
}

// Generates the blocks of one round, one thread per block (the calling
// thread does the work itself if a thread cannot be started).
class Round {
 public:
  Round(const ArtistGenerator& generator, size_t blocks) : generator_(generator), out_(blocks) {}
  ~Round() { Join(); }

  void Start(uint64_t first, uint64_t end) {
    const uint64_t count = generator_.options().count;
    for (size_t b = 0; b < out_.size(); ++b) {
      uint64_t lo = std::min(count, first + b * kBlockRecords);
      uint64_t hi = std::min(end, lo + kBlockRecords);
      try {
        threads_.emplace_back(GenerateBlock, std::cref(generator_), lo, hi, &out_[b]);
      } catch (const std::system_error&) {
        GenerateBlock(generator_, lo, hi, &out_[b]);
      }
    }
  }
  void Join() {
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  const std::vector<std::string>& output() const { return out_; }

 private:
  const ArtistGenerator& generator_;
  std::vector<std::string> out_;
  std::vector<std::thread> threads_;
};

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  return absl::InternalError(Cat(what, " '", path, "': ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::string> ArtistJson(const SynthOptions& options, uint64_t i) {
  absl::StatusOr<ArtistGenerator> generator = ArtistGenerator::Create(options);
  if (!generator.ok()) return generator.status();
  std::string line;
  generator->AppendJson(i, &line);
  return line;
}

absl::Status WriteArtists(const SynthOptions& options, ChunkSink sink,
                          const ProgressCallback& progress) {
  absl::StatusOr<ArtistGenerator> generator = ArtistGenerator::Create(options);
  if (!generator.ok()) return generator.status();
  const uint64_t count = options.count;
  const size_t threads = static_cast<size_t>(options.threads);
  const uint64_t round_records = kBlockRecords * threads;

  // The calling thread writes round r while the workers generate round r+1.
  Round rounds[2] = {Round(*generator, threads), Round(*generator, threads)};
  int current = 0;
  rounds[current].Start(0, std::min(count, round_records));
  auto last_report = std::chrono::steady_clock::now();
  for (uint64_t first = 0; first < count; first += round_records) {
    rounds[current].Join();
    uint64_t next_first = first + round_records;
    if (next_first < count) {
      rounds[1 - current].Start(next_first, std::min(count, next_first + round_records));
    }
    for (const std::string& chunk : rounds[current].output()) {
      if (chunk.empty()) continue;
      if (absl::Status s = sink(chunk); !s.ok()) return s;  // ~Round joins the workers
    }
    uint64_t written = std::min(count, next_first);
    auto now = std::chrono::steady_clock::now();
    if (progress && (written == count || now - last_report > std::chrono::milliseconds(200))) {
      progress(written, count);
      last_report = now;
    }
    current = 1 - current;
  }
  return absl::OkStatus();
}

absl::Status WriteArtists(const SynthOptions& options, std::ostream& out) {
  return WriteArtists(options, [&](std::string_view chunk) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return out ? absl::OkStatus() : absl::DataLossError("synth: writing to the stream failed");
  });
}

absl::Status WriteArtistsToFile(const SynthOptions& options, const std::string& path,
                                const ProgressCallback& progress) {
  if (path.empty()) return absl::InvalidArgumentError("path: empty output path");
  if (absl::EndsWith(path, ".gz")) {
    gzFile gz = gzopen(path.c_str(), "wb1");
    if (gz == nullptr) return ErrnoError("cannot create", path);
    gzbuffer(gz, 1 << 20);
    absl::Status s = WriteArtists(
        options,
        [&](std::string_view chunk) {
          if (gzwrite(gz, chunk.data(), static_cast<unsigned>(chunk.size())) !=
              static_cast<int>(chunk.size())) {
            int err = 0;
            return absl::DataLossError(Cat("cannot write '", path, "': ", gzerror(gz, &err)));
          }
          return absl::OkStatus();
        },
        progress);
    int close_result = gzclose(gz);
    if (s.ok() && close_result != Z_OK) return ErrnoError("cannot finish writing", path);
    return s;
  }

  const bool to_stdout = path == "-";
  std::FILE* file = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) return ErrnoError("cannot create", path);
  absl::Status s = WriteArtists(
      options,
      [&](std::string_view chunk) {
        if (std::fwrite(chunk.data(), 1, chunk.size(), file) != chunk.size()) {
          return ErrnoError("cannot write", path);
        }
        return absl::OkStatus();
      },
      progress);
  int close_result = to_stdout ? std::fflush(file) : std::fclose(file);
  if (s.ok() && close_result != 0) return ErrnoError("cannot finish writing", path);
  return s;
}

}  // namespace inkdex::synth
