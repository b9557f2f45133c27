#include "aws/http_client.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace inkdex::aws {
namespace {

struct Transfer {
  HttpResponse* response;
  size_t max_body;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer->response->body.size() + bytes > transfer->max_body) {
    transfer->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  transfer->response->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  absl::string_view line(data, bytes);
  // A new status line (after "100 Continue") starts a new header block.
  if (absl::StartsWith(line, "HTTP/")) {
    transfer->response->headers.clear();
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return bytes;
  transfer->response->headers.emplace_back(
      std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
      std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  return bytes;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

long ToMillis(absl::Duration d) { return static_cast<long>(absl::ToInt64Milliseconds(d)); }

}  // namespace

std::optional<std::string> HttpResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

CurlHttpClient::CurlHttpClient() : CurlHttpClient(Options()) {}

CurlHttpClient::CurlHttpClient(Options options) : options_(options) {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) std::abort();
  });
}

CurlHttpClient::~CurlHttpClient() {
  absl::MutexLock lock(&mutex_);
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* CurlHttpClient::AcquireHandle() {
  {
    absl::MutexLock lock(&mutex_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void CurlHttpClient::ReleaseHandle(void* handle) {
  absl::MutexLock lock(&mutex_);
  if (idle_handles_.size() < options_.max_idle_handles) {
    idle_handles_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

absl::StatusOr<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  const std::string method = absl::AsciiStrToUpper(request.method);
  if (method != "GET" && method != "POST" && method != "PUT" && method != "DELETE" &&
      method != "HEAD") {
    return absl::InvalidArgumentError(absl::StrCat("http: unsupported method \"", method, "\""));
  }
  if (!absl::StartsWithIgnoreCase(request.url, "http://") &&
      !absl::StartsWithIgnoreCase(request.url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("http: url \"", request.url, "\" is not http:// or https://"));
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  auto append_header = [&header_list](const std::string& line) {
    // Returns the list's head, or null (list untouched) when out of memory.
    curl_slist* head = curl_slist_append(header_list.get(), line.c_str());
    if (head != nullptr && header_list == nullptr) header_list.reset(head);
    return head != nullptr;
  };
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "http: header \"", name, "\" has an empty name, or CR, LF or ':' in its name or value"));
    }
    // "Name;" is curl's spelling of a header sent with an empty value.
    if (!append_header(value.empty() ? absl::StrCat(name, ";") : absl::StrCat(name, ": ", value))) {
      return absl::ResourceExhaustedError("http: out of memory building the header list");
    }
  }
  // Without this curl waits for "100 Continue" before sending larger bodies.
  if (!append_header("Expect:")) {
    return absl::ResourceExhaustedError("http: out of memory building the header list");
  }

  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (curl == nullptr) return absl::ResourceExhaustedError("http: curl_easy_init failed");
  curl_easy_reset(curl);

  HttpResponse response;
  Transfer transfer{&response, options_.max_response_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ToMillis(request.timeout));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ToMillis(request.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET" || !request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }

  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status_code);
  // The handle must not keep pointers into this call's stack.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  ReleaseHandle(curl);

  if (code == CURLE_OK) return response;
  const std::string detail = absl::StrCat("http: ", method, " ", request.url, ": ",
                                          error[0] != '\0' ? error : curl_easy_strerror(code));
  if (transfer.too_large) {
    return absl::ResourceExhaustedError(absl::StrCat("http: ", method, " ", request.url,
                                                     ": response body larger than ",
                                                     options_.max_response_bytes, " bytes"));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(detail);
  if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
    return absl::InvalidArgumentError(detail);
  }
  return absl::UnavailableError(detail);
}

}  // namespace inkdex::aws
