// HttpClient: the minimal HTTP/1.1 client the AWS code needs (the
// container credentials endpoint now, DynamoDB and DynamoDB Streams
// later), and CurlHttpClient, its libcurl implementation.
//
// A response with any HTTP status is a successful Send: interpreting 4xx
// and 5xx is the caller's business (AWS puts its error type in the body).
// Send fails only when no complete response arrived: DeadlineExceeded on a
// timeout, Unavailable on connection or transfer errors, ResourceExhausted
// when the body passes max_response_bytes, InvalidArgument on a bad request.
//
// Redirects are not followed and no proxy from the environment is used
// unless the caller's URL points at it (requests go where they are signed
// for).
//
// Thread safety: CurlHttpClient::Send may be called concurrently. Each call
// borrows a curl handle from a small pool, so sequential calls reuse
// connections (keep-alive) and concurrent calls each get their own.
#ifndef INKDEX_SERVICE_AWS_HTTP_CLIENT_H_
#define INKDEX_SERVICE_AWS_HTTP_CLIENT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace inkdex::aws {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE, HEAD
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Duration timeout = absl::Seconds(10);  // the whole exchange
  absl::Duration connect_timeout = absl::Seconds(2);
};

struct HttpResponse {
  long status_code = 0;
  std::string body;
  // In arrival order, names as the server wrote them.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header named `name` (case-insensitive); nullopt when absent.
  std::optional<std::string> Header(absl::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

class CurlHttpClient final : public HttpClient {
 public:
  struct Options {
    size_t max_response_bytes = 64 << 20;
    size_t max_idle_handles = 16;  // handles (and their connections) kept
  };

  CurlHttpClient();
  explicit CurlHttpClient(Options options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  const Options options_;
  absl::Mutex mutex_;
  std::vector<void*> idle_handles_ ABSL_GUARDED_BY(mutex_);  // CURL*
};

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_HTTP_CLIENT_H_
