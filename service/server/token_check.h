// TokenCheck: the bearer-token rules of inkdex-server, and loading tokens.
//
// Rules (Access is the level a method needs):
//   kWrite: refused with FAILED_PRECONDITION when the server has no write
//           token; otherwise the `authorization: Bearer <write token>`
//           metadata is required: absent or malformed -> UNAUTHENTICATED,
//           another token -> PERMISSION_DENIED.
//   kRead:  open when the server has no read token; otherwise the read token
//           or the write token is required (same codes as above).
// Comparison is constant-time: both sides are hashed with SHA-256 and the
// digests compared with CRYPTO_memcmp, so neither the content nor the length
// of the configured token leaks through timing. Error messages never contain
// a token, presented or configured.
//
// Thread safety: a TokenCheck is immutable after construction; Check may be
// called from any number of threads.
#ifndef INKDEX_SERVICE_SERVER_TOKEN_CHECK_H_
#define INKDEX_SERVICE_SERVER_TOKEN_CHECK_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inkdex::server {

enum class Access {
  kRead,   // open unless the server has a read token
  kWrite,  // needs the write token; refused when none is configured
};

// The token of an `authorization` metadata value "Bearer <token>" (scheme
// case-insensitive, one or more spaces); nullopt when the value has another
// shape or an empty token.
std::optional<std::string_view> ParseBearerToken(std::string_view authorization);

class TokenCheck {
 public:
  // An empty token means "not configured".
  TokenCheck(std::string_view write_token, std::string_view read_token);

  bool writes_enabled() const { return write_digest_.has_value(); }
  bool reads_open() const { return !read_digest_.has_value(); }

  // OK when a call with `authorization` (the metadata value; nullopt when
  // absent) may run a method that needs `access`; otherwise the status the
  // call fails with (see the rules above).
  absl::Status Check(Access access, std::optional<std::string_view> authorization) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest Hash(std::string_view token);
  static bool Matches(const std::optional<Digest>& expected, const Digest& presented);

  std::optional<Digest> write_digest_;
  std::optional<Digest> read_digest_;
};

// Loads a token from `path`, the value of `flag` (named in errors). Trailing
// whitespace (the newline editors add) is dropped. A token must be non-empty
// and printable ASCII without spaces (what gRPC metadata can carry);
// an unreadable file, an empty one or one with other bytes is an error
// naming `flag` and the path (never the content).
absl::StatusOr<std::string> ReadTokenFile(const std::string& path, std::string_view flag);

// Checks a token given directly (an environment variable `source`), with the
// same trimming and rules as ReadTokenFile.
absl::StatusOr<std::string> CleanToken(std::string_view token, std::string_view source);

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_TOKEN_CHECK_H_
