// ForEachInputLine: walks the lines of several input files in order (plain
// or gzip, "-" = stdin, through LineReader), naming each line "FILE:LINE",
// for the commands that read records or ids line by line and report bad
// lines by position (upsert, delete).
//
// Thread safety: a free function; reads files on the calling thread.
#ifndef INKDEX_TOOLS_INKDEX_INPUT_LINES_H_
#define INKDEX_TOOLS_INKDEX_INPUT_LINES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace inkdex::cli {

// One input line. `text` is empty when `oversized` (longer than
// LineReader::kMaxLineBytes; the line was skipped).
struct InputLine {
  std::string origin;  // "FILE:LINE", LINE 1-based
  const std::string& text;
  bool oversized;
};

// Calls `on_line` for every line of `inputs`, blank lines included. Returns
// the first non-OK status of `on_line` (and stops there), an error opening or
// reading a file (naming it), else OK.
absl::Status ForEachInputLine(const std::vector<std::string>& inputs,
                              const std::function<absl::Status(InputLine)>& on_line);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_INPUT_LINES_H_
