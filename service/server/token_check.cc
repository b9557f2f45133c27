#include "server/token_check.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace inkdex::server {

namespace {

constexpr std::string_view kBearer = "Bearer";

// Tokens are capped so a hostile file cannot make the server hold megabytes.
constexpr size_t kMaxTokenBytes = 4096;

absl::Status CheckTokenBytes(std::string_view token, const std::string& where) {
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": the token is empty"));
  if (token.size() > kMaxTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the token is longer than ", kMaxTokenBytes, " bytes"));
  }
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": the token may hold only printable ASCII without spaces (gRPC metadata)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<std::string_view> ParseBearerToken(std::string_view authorization) {
  if (authorization.size() <= kBearer.size() || authorization[kBearer.size()] != ' ') {
    return std::nullopt;
  }
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (absl::ascii_tolower(authorization[i]) != absl::ascii_tolower(kBearer[i])) {
      return std::nullopt;
    }
  }
  std::string_view token = authorization.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

TokenCheck::TokenCheck(std::string_view write_token, std::string_view read_token) {
  if (!write_token.empty()) write_digest_ = Hash(write_token);
  if (!read_token.empty()) read_digest_ = Hash(read_token);
}

TokenCheck::Digest TokenCheck::Hash(std::string_view token) {
  Digest digest{};
  unsigned int size = 0;
  // SHA-256 cannot fail on an in-memory buffer with the default provider.
  EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

bool TokenCheck::Matches(const std::optional<Digest>& expected, const Digest& presented) {
  return expected.has_value() &&
         CRYPTO_memcmp(expected->data(), presented.data(), presented.size()) == 0;
}

absl::Status TokenCheck::Check(Access access, std::optional<std::string_view> authorization) const {
  if (access == Access::kWrite && !writes_enabled()) {
    return absl::FailedPreconditionError(
        "writes are disabled: start the server with --write-token-file");
  }
  if (access == Access::kRead && reads_open()) return absl::OkStatus();
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(
        "this method needs the metadata 'authorization: Bearer <token>'");
  }
  std::optional<std::string_view> token = ParseBearerToken(*authorization);
  if (!token.has_value()) {
    return absl::UnauthenticatedError("authorization metadata must be 'Bearer <token>'");
  }
  const Digest presented = Hash(*token);
  // Both digests are compared whatever the first gives, so timing does not
  // tell which token matched.
  const bool write_ok = Matches(write_digest_, presented);
  const bool read_ok = Matches(read_digest_, presented);
  if (write_ok || (access == Access::kRead && read_ok)) return absl::OkStatus();
  return absl::PermissionDeniedError(access == Access::kWrite
                                         ? "the bearer token is not the write token"
                                         : "the bearer token is not a read or write token");
}

absl::StatusOr<std::string> CleanToken(std::string_view token, std::string_view source) {
  while (!token.empty() && absl::ascii_isspace(static_cast<unsigned char>(token.back()))) {
    token.remove_suffix(1);
  }
  if (absl::Status status = CheckTokenBytes(token, std::string(source)); !status.ok()) {
    return status;
  }
  return std::string(token);
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path, std::string_view flag) {
  const std::string where = absl::StrCat(std::string(flag), " ", path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": cannot open the token file: ", std::strerror(errno)));
  }
  // Room for the longest token plus trailing whitespace; a file that fills it
  // is refused as too long.
  std::string content(kMaxTokenBytes + 64, '\0');
  size_t size = 0;
  while (size < content.size()) {
    const ssize_t n = ::read(fd, content.data() + size, content.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": cannot read the token file: ", std::strerror(error)));
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (size == content.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the token is longer than ", kMaxTokenBytes, " bytes"));
  }
  content.resize(size);
  return CleanToken(content, where);
}

}  // namespace inkdex::server
