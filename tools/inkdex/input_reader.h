// LineReader: reads one build input file line by line, plain text or gzip
// (detected by the gzip magic bytes, not the file name), and reports how far
// into the file (as stored on disk) it has read, for progress display.
//
// Lines are split on '\n'; a trailing '\r' is removed, and so is a UTF-8
// byte order mark at the start of the file. A line longer than
// kMaxLineBytes is not returned whole: Next reports it as oversized (so the
// caller can reject it by line number) and skips to the next line.
//
// Thread safety: not thread-safe; one reader per thread.
#ifndef INKDEX_TOOLS_INKDEX_INPUT_READER_H_
#define INKDEX_TOOLS_INKDEX_INPUT_READER_H_

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inkdex::cli {

class LineReader {
 public:
  static constexpr size_t kMaxLineBytes = 16 << 20;

  // Opens `path` ("-" = stdin). NOT_FOUND / PERMISSION_DENIED etc. name the path.
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Reads the next line into `*line`. Returns false at the end of the input
  // or on a read error (then status() is not OK). `*oversized` is set when
  // the line exceeded kMaxLineBytes (`*line` is then empty).
  bool Next(std::string* line, bool* oversized);

  // OK, or the read error (a truncated or corrupt gzip stream, an I/O error),
  // naming the file and the line reached.
  const absl::Status& status() const { return status_; }

  const std::string& path() const { return path_; }
  // 1-based number of the line last returned.
  uint64_t line_number() const { return line_number_; }
  bool gzip() const { return gzip_; }
  // Bytes of the stored file consumed so far (compressed bytes for gzip).
  uint64_t bytes_consumed() const;
  // Size of the stored file; nullopt when unknown (stdin, pipes).
  std::optional<uint64_t> file_size() const { return file_size_; }

 private:
  LineReader(std::string path, gzFile file, bool gzip, std::optional<uint64_t> file_size);
  // Appends up to one chunk to buffer_; false at end of input or on error.
  bool Fill();

  std::string path_;
  gzFile file_;
  bool gzip_;
  std::optional<uint64_t> file_size_;
  std::string buffer_;
  size_t pos_ = 0;  // start of the unread part of buffer_
  bool eof_ = false;
  uint64_t line_number_ = 0;
  absl::Status status_;
};

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_INPUT_READER_H_
