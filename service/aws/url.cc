#include "aws/url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace inkdex::aws {

std::string ParsedUrl::HostHeader() const {
  const int default_port = scheme == "https" ? 443 : 80;
  if (!port.has_value() || *port == default_port) return host;
  return absl::StrCat(host, ":", *port);
}

absl::StatusOr<ParsedUrl> ParseUrl(absl::string_view url) {
  auto invalid = [url](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("url \"", url, "\": ", why));
  };
  ParsedUrl parsed;
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos)
    return invalid("no scheme (expected http:// or https://)");
  parsed.scheme = absl::AsciiStrToLower(url.substr(0, scheme_end));
  if (parsed.scheme != "http" && parsed.scheme != "https") {
    return invalid(absl::StrCat("scheme \"", parsed.scheme, "\" is not http or https"));
  }
  absl::string_view rest = url.substr(scheme_end + 3);
  if (const size_t hash = rest.find('#'); hash != absl::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t authority_end = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, authority_end);
  absl::string_view path_and_query =
      authority_end == absl::string_view::npos ? absl::string_view() : rest.substr(authority_end);

  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    parsed.has_userinfo = true;
    authority = authority.substr(at + 1);
  }
  absl::string_view host = authority;
  absl::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return invalid("unterminated IPv6 literal");
    host = authority.substr(0, close + 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("junk after the IPv6 literal");
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != absl::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return invalid("empty host");
  parsed.host = absl::AsciiStrToLower(host);
  if (!port.empty()) {
    int number = 0;
    if (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
      return invalid(absl::StrCat("port \"", port, "\" is not a number in 1..65535"));
    }
    parsed.port = number;
  }

  const size_t question = path_and_query.find('?');
  parsed.path = std::string(path_and_query.substr(0, question));
  if (parsed.path.empty()) parsed.path = "/";
  if (question != absl::string_view::npos) {
    parsed.has_query = true;
    parsed.query = std::string(path_and_query.substr(question + 1));
  }
  return parsed;
}

bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view octet : octets) {
    int value = 0;
    if (!absl::SimpleAtoi(octet, &value) || value < 0 || value > 255) return false;
  }
  return true;
}

}  // namespace inkdex::aws
