// Calendar days as integers (days since 1970-01-01), the form guest-spot
// date ranges and query dates take inside the engine.
//
// Thread safety: pure functions.
#ifndef INKDEX_ENGINE_DATE_H_
#define INKDEX_ENGINE_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inkdex::engine {

// "YYYY-MM-DD" (a valid calendar date) to its day number; nullopt otherwise.
std::optional<int32_t> ParseIsoDay(std::string_view s);
// A day number as "YYYY-MM-DD".
std::string FormatIsoDay(int32_t day);
// Today's day number in UTC.
int32_t TodayUtc();

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_DATE_H_
