#include "service_server/shell_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>

namespace inkdex::server::testing {

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

HttpResponse HttpGet(int port, const std::string& path) { return HttpRequest(port, "GET", path); }

HttpResponse HttpRequest(int port, const std::string& method, const std::string& path) {
  HttpResponse response;
  const int fd = ConnectLoopback(port);
  if (fd < 0) return response;
  const std::string request = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return response;
  }
  std::string raw;
  char buffer[16384];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0)
    raw.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) return response;
  response.headers = raw.substr(0, end);
  response.body = raw.substr(end + 4);
  const size_t space = raw.find(' ');
  if (space != std::string::npos) response.status = std::atoi(raw.c_str() + space + 1);
  return response;
}

LogCapture::LogCapture() {
  std::FILE* file = std::tmpfile();
  if (file != nullptr) {
    fd_ = ::dup(fileno(file));
    std::fclose(file);
  }
  EXPECT_GE(fd_, 0) << "cannot create a temporary log file";
}

LogCapture::~LogCapture() {
  if (fd_ >= 0) ::close(fd_);
}

std::string LogCapture::Text() const {
  std::string text;
  char buffer[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd_, buffer, sizeof(buffer), offset);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

std::vector<nlohmann::json> LogCapture::Lines() const {
  std::vector<nlohmann::json> lines;
  std::istringstream in(Text());
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "not a JSON line: " << line;
    if (!parsed.is_discarded()) lines.push_back(std::move(parsed));
  }
  return lines;
}

double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      size_t matched = 0;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        auto it = labels.find(label.name);
        if (it != labels.end() && it->second == label.value) ++matched;
      }
      if (matched != labels.size()) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter:
          return metric.counter.value;
        case prometheus::MetricType::Gauge:
          return metric.gauge.value;
        case prometheus::MetricType::Histogram:
          return static_cast<double>(metric.histogram.sample_count);
        default:
          return -1;
      }
    }
  }
  return -1;
}

}  // namespace inkdex::server::testing
