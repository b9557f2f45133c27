// ParsedUrl: the parts of an absolute http(s) URL that request signing and
// the HTTP client need (scheme, host, port, path and query as written).
//
// The path and query are kept exactly as they appear in the URL, i.e. as
// they go on the wire: percent-escapes are not decoded here.
//
// Thread safety: a plain value type.
#ifndef INKDEX_SERVICE_AWS_URL_H_
#define INKDEX_SERVICE_AWS_URL_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace inkdex::aws {

struct ParsedUrl {
  std::string scheme;         // lower-case: "http" or "https"
  std::string host;           // lower-case; an IPv6 literal keeps its brackets
  std::optional<int> port;    // only when the URL names one
  std::string path;           // "/" when the URL has none
  std::string query;          // without the '?'; empty when absent
  bool has_query = false;     // "http://h/?" has an empty query
  bool has_userinfo = false;  // "user:pass@" was present (and dropped)

  // The Host header a client sends for this URL: host, plus ":port" unless
  // the port is the scheme's default (80 for http, 443 for https).
  std::string HostHeader() const;
};

// Parses "scheme://[userinfo@]host[:port][/path][?query][#fragment]".
// Errors (InvalidArgument) name the URL and what is wrong: a scheme other
// than http/https, an empty host, a port that is not 1..65535.
absl::StatusOr<ParsedUrl> ParseUrl(absl::string_view url);

// True when `host` (as in ParsedUrl::host) is a loopback address:
// "localhost", 127.0.0.0/8 or [::1].
bool IsLoopbackHost(absl::string_view host);

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_URL_H_
