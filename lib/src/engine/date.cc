#include "engine/date.h"

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace inkdex::engine {

std::optional<int32_t> ParseIsoDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int m = (s[5] - '0') * 10 + (s[6] - '0');
  const int d = (s[8] - '0') * 10 + (s[9] - '0');
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;  // normalized
  return static_cast<int32_t>(day - absl::CivilDay(1970, 1, 1));
}

std::string FormatIsoDay(int32_t day) {
  return absl::FormatCivilTime(absl::CivilDay(1970, 1, 1) + day);
}

int32_t TodayUtc() {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return static_cast<int32_t>(today - absl::CivilDay(1970, 1, 1));
}

}  // namespace inkdex::engine
