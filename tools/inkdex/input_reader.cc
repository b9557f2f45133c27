#include "input_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace inkdex::cli {

namespace {

constexpr size_t kChunkBytes = 1 << 20;

absl::Status ErrnoError(int error, const std::string& what) {
  std::string message = absl::StrCat(what, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
      return absl::PermissionDeniedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, path);
  struct stat st;
  std::optional<uint64_t> size;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
  }
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = st.st_size;
  // Peek at the magic bytes only where we can seek back; elsewhere zlib's
  // transparent mode still reads either form.
  bool gzip = false;
  if (size) {
    unsigned char magic[2] = {0, 0};
    gzip = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  }
  gzFile file = gzdopen(fd, "rb");
  if (file == nullptr) {
    close(fd);
    return absl::ResourceExhaustedError(absl::StrCat(path, ": cannot allocate a zlib stream"));
  }
  gzbuffer(file, kChunkBytes);
  return std::unique_ptr<LineReader>(new LineReader(path, file, gzip, size));
}

LineReader::LineReader(std::string path, gzFile file, bool gzip, std::optional<uint64_t> file_size)
    : path_(std::move(path)), file_(file), gzip_(gzip), file_size_(file_size) {}

LineReader::~LineReader() { gzclose(file_); }

uint64_t LineReader::bytes_consumed() const {
  z_off_t offset = gzoffset(file_);
  return offset < 0 ? 0 : static_cast<uint64_t>(offset);
}

bool LineReader::Fill() {
  if (eof_ || !status_.ok()) return false;
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  int n = gzread(file_, buffer_.data() + old_size, kChunkBytes);
  if (n < 0) {
    int code = 0;
    const char* message = gzerror(file_, &code);
    buffer_.resize(old_size);
    status_ = absl::DataLossError(absl::StrCat(path_, ":", line_number_ + 1, ": read error: ",
                                               code == Z_ERRNO ? std::strerror(errno) : message));
    return false;
  }
  buffer_.resize(old_size + n);
  if (n == 0) {
    eof_ = true;
    // zlib reports a truncated gzip stream only through gzerror at the end.
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    if (code != Z_OK) {
      status_ = absl::DataLossError(
          absl::StrCat(path_, ":", line_number_ + 1, ": read error: ", message));
    }
    return false;
  }
  return true;
}

bool LineReader::Next(std::string* line, bool* oversized) {
  *oversized = false;
  line->clear();
  size_t scanned = pos_;
  while (true) {
    size_t newline = buffer_.find('\n', scanned);
    if (newline != std::string::npos) {
      if (!*oversized) line->assign(buffer_, pos_, newline - pos_);
      pos_ = newline + 1;
      break;
    }
    if (buffer_.size() - pos_ > kMaxLineBytes) {
      // Drop what we have of the oversized line and keep looking for its end.
      *oversized = true;
      pos_ = buffer_.size();
    }
    scanned = buffer_.size() - pos_;  // offset after Fill() compacts the buffer
    if (!Fill()) {
      if (!status_.ok()) return false;
      if (pos_ >= buffer_.size() && !*oversized) return false;
      if (!*oversized) line->assign(buffer_, pos_, std::string::npos);
      pos_ = buffer_.size();
      break;
    }
    scanned = pos_ + scanned;
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  // A UTF-8 byte order mark (Windows editors write one) is not part of the
  // first record.
  if (line_number_ == 0 && absl::StartsWith(*line, "\xEF\xBB\xBF")) line->erase(0, 3);
  ++line_number_;
  return true;
}

}  // namespace inkdex::cli
