// UTF-8 validation of query text, which must be UTF-8 to cross the gRPC
// API (proto3 strings) and which the index would otherwise read as Latin-1.
// Kept apart so that simdjson's large header is compiled once.
//
// Cost: simdjson's SIMD validator, a few GB/s.
// Thread safety: a pure function.
#ifndef INKDEX_TEXT_UTF8_H_
#define INKDEX_TEXT_UTF8_H_

#include <string_view>

namespace inkdex::text {

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_UTF8_H_
