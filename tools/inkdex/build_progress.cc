#include "build_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_format.h"

namespace inkdex::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kBarInterval = std::chrono::milliseconds(150);
constexpr int kBarWidth = 28;

std::string Megabytes(uint64_t bytes) { return absl::StrFormat("%.1f MB", bytes / 1e6); }

std::string Duration(double seconds) {
  int s = static_cast<int>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, s / 60 % 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

}  // namespace

BuildProgress::BuildProgress(Mode mode, std::optional<uint64_t> total_bytes,
                             std::chrono::milliseconds log_every)
    : mode_(mode),
      total_bytes_(total_bytes),
      log_every_(log_every),
      start_(Clock::now()),
      last_draw_(start_) {
  if (mode_ == Mode::kAuto) mode_ = isatty(STDERR_FILENO) ? Mode::kBar : Mode::kLog;
  if (total_bytes_ && *total_bytes_ == 0) total_bytes_.reset();
}

void BuildProgress::Update(uint64_t bytes_read, uint64_t artists, uint64_t held) {
  if (mode_ == Mode::kOff) return;
  auto now = Clock::now();
  if (now - last_draw_ < (mode_ == Mode::kBar ? kBarInterval : log_every_)) return;
  last_draw_ = now;
  Draw(bytes_read, artists, held, false);
}

void BuildProgress::Finish(uint64_t bytes_read, uint64_t artists) {
  if (mode_ == Mode::kBar) Draw(bytes_read, artists, 0, true);
  // A log only gets lines while the build is long enough to need them; the
  // summary follows anyway.
}

void BuildProgress::Note(const std::string& what) {
  if (mode_ == Mode::kOff) return;
  std::fprintf(stderr, "inkdex build: %s...\n", what.c_str());
}

void BuildProgress::Draw(uint64_t bytes_read, uint64_t artists, uint64_t held, bool final) {
  double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  double rate = seconds > 0 ? artists / seconds : 0;
  std::string where = Megabytes(bytes_read);
  std::string eta;
  double fraction = -1;
  if (total_bytes_) {
    fraction = std::min(1.0, static_cast<double>(bytes_read) / *total_bytes_);
    where += " / " + Megabytes(*total_bytes_);
    if (!final && fraction > 0.01) eta = "  ETA " + Duration(seconds * (1 - fraction) / fraction);
  }
  std::string stats = absl::StrFormat("%s  %d artists  %.0f artists/s%s", where, artists, rate,
                                      final ? "  " + Duration(seconds) : eta);
  if (held > 0) stats += absl::StrFormat("  (%d read ahead, to index sorted by location)", held);
  if (mode_ == Mode::kLog) {
    if (fraction >= 0) {
      std::fprintf(stderr, "inkdex build: %3.0f%%  %s\n", fraction * 100, stats.c_str());
    } else {
      std::fprintf(stderr, "inkdex build: %s\n", stats.c_str());
    }
    return;
  }
  std::string bar;
  if (fraction >= 0) {
    int filled = static_cast<int>(fraction * kBarWidth);
    bar = absl::StrFormat("[%s%s] %3.0f%%  ", std::string(filled, '#'),
                          std::string(kBarWidth - filled, '.'), fraction * 100);
  }
  // \r and clear-to-end-of-line redraw in place.
  std::fprintf(stderr, "\r%s%s\x1b[K%s", bar.c_str(), stats.c_str(), final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace inkdex::cli
