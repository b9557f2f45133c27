// inkdex_sigv4_sign_tool: signs requests with inkdex::aws::SignRequest for
// tests/aws/sigv4_botocore_test.py, which compares the result with
// botocore's SigV4Auth.
//
// Input, one JSON object per line on stdin:
//   {"method", "url", "headers": [[name, value], ...], "body_b64",
//    "service", "region", "access_key", "secret_key", "session_token",
//    "time": "YYYYMMDDTHHMMSSZ", "add_content_sha256": bool, "s3": bool}
// Output, one JSON object per line on stdout:
//   {"headers": [[name, value], ...], "canonical_request", "string_to_sign"}
//   or {"error": message}.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "aws/sigv4.h"

namespace {

nlohmann::json SignOne(const nlohmann::json& in) {
  using inkdex::aws::Credentials;
  Credentials credentials;
  credentials.access_key_id = in.at("access_key").get<std::string>();
  credentials.secret_access_key = in.at("secret_key").get<std::string>();
  credentials.session_token = in.value("session_token", "");

  std::string payload;
  if (!absl::Base64Unescape(in.value("body_b64", ""), &payload)) {
    return {{"error", "body_b64 is not base64"}};
  }
  inkdex::aws::SignableRequest request;
  request.method = in.at("method").get<std::string>();
  request.url = in.at("url").get<std::string>();
  for (const auto& header : in.value("headers", nlohmann::json::array())) {
    request.headers.emplace_back(header.at(0).get<std::string>(), header.at(1).get<std::string>());
  }
  request.payload = payload;

  inkdex::aws::SigningParams params;
  params.service = in.at("service").get<std::string>();
  params.region = in.at("region").get<std::string>();
  params.add_content_sha256_header = in.value("add_content_sha256", false);
  params.path_rules =
      in.value("s3", false) ? inkdex::aws::UriPathRules::kS3 : inkdex::aws::UriPathRules::kStandard;
  std::string error;
  if (!absl::ParseTime("%E4Y%m%dT%H%M%SZ", in.at("time").get<std::string>(), absl::UTCTimeZone(),
                       &params.time, &error)) {
    return {{"error", "time: " + error}};
  }

  absl::StatusOr<inkdex::aws::SignedRequest> signed_request =
      inkdex::aws::SignRequest(request, credentials, params);
  if (!signed_request.ok()) return {{"error", std::string(signed_request.status().ToString())}};
  return {{"headers", signed_request->headers_to_add},
          {"canonical_request", signed_request->canonical_request},
          {"string_to_sign", signed_request->string_to_sign}};
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    nlohmann::json in = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    nlohmann::json out;
    if (in.is_discarded() || !in.is_object()) {
      out = {{"error", "input line is not a JSON object"}};
    } else {
      try {
        out = SignOne(in);
      } catch (const nlohmann::json::exception& e) {
        out = {{"error", std::string("bad input: ") + e.what()}};
      }
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"
              << std::flush;
  }
  return 0;
}
