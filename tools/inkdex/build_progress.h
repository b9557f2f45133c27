// BuildProgress: the progress display of `inkdex build` on stderr.
//
// On a terminal: a bar redrawn in place (bytes read of the input total,
// artists indexed, artists/s, ETA). Otherwise (a log, CI): one plain line
// every `log_every`. Mode kOff prints nothing. While a build
// reads records ahead to sort them by location, nothing is indexed yet: the
// display then says how many are held, so a long first read does not look
// like a hang.
//
// Thread safety: not thread-safe; called from the build's main thread.
#ifndef INKDEX_TOOLS_INKDEX_BUILD_PROGRESS_H_
#define INKDEX_TOOLS_INKDEX_BUILD_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace inkdex::cli {

class BuildProgress {
 public:
  enum class Mode { kAuto, kBar, kLog, kOff };  // kAuto: kBar if stderr is a terminal, else kLog

  // `total_bytes`: the inputs' total stored size, when known; `log_every`:
  // the kLog interval (BuildOptions::progress_every).
  // REQUIRES: log_every > 0.
  BuildProgress(Mode mode, std::optional<uint64_t> total_bytes,
                std::chrono::milliseconds log_every);

  // Reports the state: input bytes through the records indexed, artists
  // indexed, and records read but not indexed yet (held to be sorted).
  // Redraws only when enough time has passed.
  void Update(uint64_t bytes_read, uint64_t artists, uint64_t held = 0);
  // Draws the final state and ends the bar's line.
  void Finish(uint64_t bytes_read, uint64_t artists);
  // A line saying what the build does next (after Finish): "inkdex build:
  // <what>...".
  void Note(const std::string& what);

 private:
  void Draw(uint64_t bytes_read, uint64_t artists, uint64_t held, bool final);

  Mode mode_;
  std::optional<uint64_t> total_bytes_;
  std::chrono::milliseconds log_every_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_BUILD_PROGRESS_H_
