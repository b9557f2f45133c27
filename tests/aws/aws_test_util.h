// Helpers for the tests of service/aws: an HTTP server on a free loopback
// port that records requests and answers from a handler, a temporary
// directory, and an Environment backed by a map.
#ifndef INKDEX_TESTS_AWS_AWS_TEST_UTIL_H_
#define INKDEX_TESTS_AWS_AWS_TEST_UTIL_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/credentials.h"

class CivetServer;

namespace inkdex::aws::testing {

struct RecordedRequest {
  std::string method;
  std::string path;                            // decoded by civetweb
  std::string query;                           // as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct CannedResponse {
  CannedResponse(int status, std::string body,
                 std::vector<std::pair<std::string, std::string>> headers = {},
                 absl::Duration delay = absl::ZeroDuration())
      : status(status), body(std::move(body)), headers(std::move(headers)), delay(delay) {}

  int status;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  absl::Duration delay;  // before answering
};

// Serves every path and method on 127.0.0.1:<free port> until destroyed.
// Thread safety: the handler runs on server threads, possibly concurrently.
class TestHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;

  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  std::vector<RecordedRequest> requests() const;

 private:
  class Dispatcher;

  Handler handler_;
  mutable absl::Mutex mutex_;
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mutex_);
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

// A loopback port with nothing listening (bound, then released).
int UnusedLoopbackPort();

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string WriteFile(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// An Environment reading `variables`; unset and empty values are nullopt.
Environment MapEnvironment(std::map<std::string, std::string> variables);

}  // namespace inkdex::aws::testing

#endif  // INKDEX_TESTS_AWS_AWS_TEST_UTIL_H_
