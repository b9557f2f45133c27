// SHA-256 and HMAC-SHA256 through OpenSSL's EVP interface, as Signature
// Version 4 needs them (hex digests of canonical requests and payloads, the
// chained HMACs of the signing key).
//
// Thread safety: the functions are pure and safe to call concurrently.
#ifndef INKDEX_SERVICE_AWS_CRYPTO_H_
#define INKDEX_SERVICE_AWS_CRYPTO_H_

#include <string>
#include "absl/strings/string_view.h"

namespace inkdex::aws {

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(absl::string_view data);

// The raw 32-byte HMAC-SHA256(key, data).
std::string HmacSha256(absl::string_view key, absl::string_view data);

// Lower-case hex of the bytes of `raw`.
std::string HexEncode(absl::string_view raw);

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_CRYPTO_H_
