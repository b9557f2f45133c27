// Helpers for the tests of inkdex-server's shell (log, metrics, guard):
// capturing the JSON log in a temporary file, reading metric values back
// from a registry, and a minimal HTTP client.
#ifndef INKDEX_TESTS_SERVICE_SERVER_SHELL_TEST_UTIL_H_
#define INKDEX_TESTS_SERVICE_SERVER_SHELL_TEST_UTIL_H_

#include <map>
#include <string>
#include <vector>

#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

namespace inkdex::server::testing {

struct HttpResponse {
  int status = 0;  // 0: no answer
  std::string headers;
  std::string body;
};

// METHOD http://127.0.0.1:PORT/PATH over a plain socket (HTTP/1.0), no body.
HttpResponse HttpRequest(int port, const std::string& method, const std::string& path);

// HttpRequest(port, "GET", path).
HttpResponse HttpGet(int port, const std::string& path);

// A TCP connection to 127.0.0.1:PORT (the caller closes it); -1 on failure.
int ConnectLoopback(int port);

// An anonymous temporary file to hand to JsonLog / CallEnvironmentOptions.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  int fd() const { return fd_; }
  std::string Text() const;
  // Each line parsed; a line that is not JSON fails the test and is skipped.
  std::vector<nlohmann::json> Lines() const;

 private:
  int fd_ = -1;
};

// The value of the sample of metric family `name` whose labels include all
// of `labels` (a counter's or gauge's value, a histogram's sample count);
// -1 when there is no such sample.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels = {});

}  // namespace inkdex::server::testing

#endif  // INKDEX_TESTS_SERVICE_SERVER_SHELL_TEST_UTIL_H_
