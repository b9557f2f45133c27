#include "aws/sigv4.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aws/crypto.h"
#include "aws/url.h"

namespace inkdex::aws {
namespace {

constexpr absl::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr absl::string_view kContentSha256Header = "x-amz-content-sha256";

bool IsUnreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// RFC 7230 token characters: what an HTTP header name may contain.
bool IsTokenChar(unsigned char c) {
  return absl::ascii_isalnum(c) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != absl::string_view::npos;
}

// Headers the signature must not cover: Authorization carries it, and
// proxies or the HTTP client may add or rewrite the others.
bool IsUnsignedHeader(absl::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "x-amzn-trace-id";
}

// Headers SignRequest itself sets; the caller's copies are dropped.
bool IsReplacedHeader(absl::string_view lower_name, bool has_token) {
  return lower_name == "authorization" || lower_name == "x-amz-date" ||
         (has_token && lower_name == "x-amz-security-token");
}

// Trims spaces and tabs and collapses inner runs of them to one space.
std::string TrimAll(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 5.2.4, plus the removal of empty segments ("a//b" -> "a/b") that
// AWS services expect; a trailing '/' is kept.
std::string RemoveDotSegments(absl::string_view path) {
  std::vector<absl::string_view> kept;
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out = path.front() == '/' ? "/" : "";
  absl::StrAppend(&out, absl::StrJoin(kept, "/"));
  if (path.back() == '/' && !kept.empty()) out.push_back('/');
  return out;
}

}  // namespace

std::string UriEncode(absl::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

absl::StatusOr<std::string> UriDecode(absl::string_view text, absl::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": malformed percent-escape \"",
                                                     text.substr(i, 3), "\" at offset ", i));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

absl::StatusOr<std::string> CanonicalUri(absl::string_view path, UriPathRules rules) {
  if (path.empty()) return std::string("/");
  if (rules == UriPathRules::kS3) {
    absl::StatusOr<std::string> decoded = UriDecode(path, "url path");
    if (!decoded.ok()) return decoded.status();
    return UriEncode(*decoded, /*keep_slash=*/true);
  }
  return UriEncode(RemoveDotSegments(path), /*keep_slash=*/true);
}

absl::StatusOr<std::string> CanonicalQueryString(absl::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (absl::string_view component : absl::StrSplit(query, '&')) {
    if (component.empty()) continue;
    const size_t equals = component.find('=');
    absl::string_view name = component.substr(0, equals);
    absl::string_view value =
        equals == absl::string_view::npos ? absl::string_view() : component.substr(equals + 1);
    absl::StatusOr<std::string> decoded_name = UriDecode(name, "url query parameter name");
    if (!decoded_name.ok()) return decoded_name.status();
    absl::StatusOr<std::string> decoded_value =
        UriDecode(value, absl::StrCat("url query parameter \"", *decoded_name, "\""));
    if (!decoded_value.ok()) return decoded_value.status();
    pairs.emplace_back(UriEncode(*decoded_name, false), UriEncode(*decoded_value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  return absl::StrJoin(pairs, "&", absl::PairFormatter("="));
}

absl::StatusOr<CanonicalHeaderSet> CanonicalHeaders(const HeaderList& headers,
                                                    absl::string_view host) {
  // std::map keeps names sorted; values of a repeated name keep request order.
  std::map<std::string, std::vector<std::string>> by_name;
  for (const auto& [name, value] : headers) {
    if (name.empty() ||
        !std::all_of(name.begin(), name.end(), [](char c) { return IsTokenChar(c); })) {
      return absl::InvalidArgumentError(
          absl::StrCat("header name \"", absl::CEscape(name), "\" is not an HTTP token"));
    }
    if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("header \"", name, "\": value contains CR, LF or NUL"));
    }
    std::string lower = absl::AsciiStrToLower(name);
    if (IsUnsignedHeader(lower)) continue;
    by_name[std::move(lower)].push_back(TrimAll(value));
  }
  if (!by_name.contains("host")) by_name["host"].push_back(std::string(host));

  CanonicalHeaderSet set;
  std::vector<absl::string_view> names;
  for (const auto& [name, values] : by_name) {
    absl::StrAppend(&set.canonical, name, ":", absl::StrJoin(values, ","), "\n");
    names.push_back(name);
  }
  set.signed_names = absl::StrJoin(names, ";");
  return set;
}

std::string DeriveSigningKey(absl::string_view secret_access_key, absl::string_view date,
                             absl::string_view region, absl::string_view service) {
  std::string key = HmacSha256(absl::StrCat("AWS4", secret_access_key), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, "aws4_request");
}

std::string FormatAmzDate(absl::Time time) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", time, absl::UTCTimeZone());
}

absl::StatusOr<SignedRequest> SignRequest(const SignableRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params) {
  auto missing = [](absl::string_view field) {
    return absl::InvalidArgumentError(absl::StrCat("sigv4: ", field, " is empty"));
  };
  if (request.method.empty()) return missing("method");
  if (params.service.empty()) return missing("service");
  if (params.region.empty()) return missing("region");
  if (credentials.access_key_id.empty()) return missing("credentials access key id");
  if (credentials.secret_access_key.empty()) return missing("credentials secret access key");
  absl::StatusOr<ParsedUrl> url = ParseUrl(request.url);
  if (!url.ok()) return url.status();

  const std::string amz_date = FormatAmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  const bool has_token = !credentials.session_token.empty();

  SignedRequest signed_request;
  HeaderList& added = signed_request.headers_to_add;
  added.emplace_back("X-Amz-Date", amz_date);
  if (has_token) added.emplace_back("X-Amz-Security-Token", credentials.session_token);

  HeaderList headers;
  std::string payload_hash;
  for (const auto& header : request.headers) {
    const std::string lower = absl::AsciiStrToLower(header.first);
    if (IsReplacedHeader(lower, has_token)) continue;
    if (lower == kContentSha256Header && payload_hash.empty()) {
      payload_hash = TrimAll(header.second);
    }
    headers.push_back(header);
  }
  if (payload_hash.empty()) {
    payload_hash = Sha256Hex(request.payload);
    if (params.add_content_sha256_header) {
      added.emplace_back(std::string(kContentSha256Header), payload_hash);
    }
  }
  headers.insert(headers.end(), added.begin(), added.end());

  absl::StatusOr<std::string> uri = CanonicalUri(url->path, params.path_rules);
  if (!uri.ok()) return uri.status();
  absl::StatusOr<std::string> query = CanonicalQueryString(url->query);
  if (!query.ok()) return query.status();
  absl::StatusOr<CanonicalHeaderSet> canonical_headers =
      CanonicalHeaders(headers, url->HostHeader());
  if (!canonical_headers.ok()) return canonical_headers.status();

  signed_request.canonical_request = absl::StrCat(
      absl::AsciiStrToUpper(request.method), "\n", *uri, "\n", *query, "\n",
      canonical_headers->canonical, "\n", canonical_headers->signed_names, "\n", payload_hash);
  const std::string scope =
      absl::StrCat(date, "/", params.region, "/", params.service, "/aws4_request");
  signed_request.string_to_sign = absl::StrCat(kAlgorithm, "\n", amz_date, "\n", scope, "\n",
                                               Sha256Hex(signed_request.canonical_request));
  signed_request.signature = HexEncode(HmacSha256(
      DeriveSigningKey(credentials.secret_access_key, date, params.region, params.service),
      signed_request.string_to_sign));
  added.emplace_back("Authorization",
                     absl::StrCat(kAlgorithm, " Credential=", credentials.access_key_id, "/", scope,
                                  ", SignedHeaders=", canonical_headers->signed_names,
                                  ", Signature=", signed_request.signature));
  return signed_request;
}

}  // namespace inkdex::aws
