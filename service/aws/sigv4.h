// AWS Signature Version 4 for HTTP requests signed in headers
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html).
//
// SignRequest computes the headers a request needs (X-Amz-Date,
// X-Amz-Security-Token with temporary credentials, optionally
// x-amz-content-sha256, and Authorization); the caller adds them to the
// request it sends. The rules follow the AWS specification and agree with
// botocore's SigV4Auth (checked by tests/aws/sigv4_botocore_test.py):
//
//  * The URL's path and query are taken as sent on the wire (already
//    percent-encoded, or not: raw bytes are allowed and encoded here).
//  * Canonical URI, for every service but S3: dot segments and empty
//    segments removed (RFC 3986 5.2.4), then every byte outside the RFC 3986
//    unreserved set and '/' percent-encoded, so an escape already in the
//    path is encoded a second time, as the specification requires. With
//    UriPathRules::kS3 the path is decoded and encoded once, not normalised.
//  * Canonical query: each "name=value" (or bare "name") split on '&',
//    percent-decoded ('+' is a literal plus), re-encoded with upper-case hex
//    outside the unreserved set, sorted by encoded name then value.
//  * Canonical headers: every request header except Authorization,
//    User-Agent, Expect and X-Amzn-Trace-Id (hops and proxies change those),
//    plus Host derived from the URL when absent; names lower-cased, values
//    trimmed with inner runs of spaces and tabs collapsed to one space,
//    repeated names joined with ',' in request order, sorted by name.
//  * Payload hash: the request's own x-amz-content-sha256 header when it
//    has one (e.g. "UNSIGNED-PAYLOAD"), else SHA-256 of the payload.
//
// Thread safety: all functions are pure and safe to call concurrently.
#ifndef INKDEX_SERVICE_AWS_SIGV4_H_
#define INKDEX_SERVICE_AWS_SIGV4_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aws/credentials.h"

namespace inkdex::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A request as it will be sent. The payload is not owned.
struct SignableRequest {
  std::string method;  // "GET", "POST", ...; signed upper-cased
  std::string url;     // absolute http(s) URL: scheme://host[:port]/path?query
  HeaderList headers;  // as the client will send them; any X-Amz-Date,
                       // X-Amz-Security-Token or Authorization is replaced
  absl::string_view payload;
};

enum class UriPathRules {
  kStandard,  // every service but S3: normalised, encoded twice
  kS3,        // S3: not normalised, encoded once
};

struct SigningParams {
  std::string service;  // signing name, e.g. "dynamodb"
  std::string region;   // e.g. "eu-west-1"
  absl::Time time;      // the request time; signatures are valid 15 minutes
  UriPathRules path_rules = UriPathRules::kStandard;
  // Also send (and sign) x-amz-content-sha256 with the payload hash; S3
  // requires it, other services accept it.
  bool add_content_sha256_header = false;
};

struct SignedRequest {
  // The headers to add to the request, in this order: X-Amz-Date,
  // X-Amz-Security-Token (temporary credentials only), x-amz-content-sha256
  // (when asked for), Authorization.
  HeaderList headers_to_add;
  // The intermediate values, for tests and for debugging a
  // SignatureDoesNotMatch (AWS returns its own canonical request then).
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
};

// Signs `request`. Errors (InvalidArgument) name the offending field: a bad
// URL, an empty method/service/region, header names that are not HTTP
// tokens, header values with CR, LF or NUL, a malformed percent-escape in
// the query, credentials without an access key id or secret.
absl::StatusOr<SignedRequest> SignRequest(const SignableRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params);

// The building blocks, exposed for tests.

// Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ (and '/' when
// `keep_slash`), with upper-case hex.
std::string UriEncode(absl::string_view text, bool keep_slash);

// Decodes %XX escapes; '+' stays '+'. InvalidArgument on a truncated or
// non-hex escape, naming `what`.
absl::StatusOr<std::string> UriDecode(absl::string_view text, absl::string_view what);

// The canonical URI of a wire path (see the rules above).
absl::StatusOr<std::string> CanonicalUri(absl::string_view path, UriPathRules rules);

// The canonical query string of a wire query (without the '?').
absl::StatusOr<std::string> CanonicalQueryString(absl::string_view query);

// The canonical header block ("name:value\n" per signed header) and the
// signed header list ("a;b;c"). `host` is used when `headers` has no Host.
struct CanonicalHeaderSet {
  std::string canonical;
  std::string signed_names;
};
absl::StatusOr<CanonicalHeaderSet> CanonicalHeaders(const HeaderList& headers,
                                                    absl::string_view host);

// The signing key: HMAC chain over "AWS4" + secret, date (YYYYMMDD), region,
// service, "aws4_request".
std::string DeriveSigningKey(absl::string_view secret_access_key, absl::string_view date,
                             absl::string_view region, absl::string_view service);

// "YYYYMMDDTHHMMSSZ" in UTC.
std::string FormatAmzDate(absl::Time time);

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_SIGV4_H_
