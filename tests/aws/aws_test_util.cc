#include "aws/aws_test_util.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace inkdex::aws::testing {
namespace {

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// civetweb 1.15's listener notices a stop only when its 2 s poll returns;
// a connection wakes it.
void Poke(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  close(fd);
}

}  // namespace

class TestHttpServer::Dispatcher : public CivetHandler {
 public:
  explicit Dispatcher(TestHttpServer& owner) : owner_(owner) {}
  bool handleGet(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handlePost(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handlePut(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handleDelete(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handleHead(CivetServer*, mg_connection* connection) override { return Serve(connection); }

 private:
  bool Serve(mg_connection* connection) {
    const mg_request_info* info = mg_get_request_info(connection);
    RecordedRequest request;
    request.method = info->request_method;
    request.path = info->local_uri != nullptr ? info->local_uri : "";
    request.query = info->query_string != nullptr ? info->query_string : "";
    for (int i = 0; i < info->num_headers; ++i) {
      request.headers[absl::AsciiStrToLower(info->http_headers[i].name)] =
          info->http_headers[i].value;
    }
    char buffer[4096];
    int read = 0;
    while ((read = mg_read(connection, buffer, sizeof(buffer))) > 0)
      request.body.append(buffer, read);
    {
      absl::MutexLock lock(&owner_.mutex_);
      owner_.requests_.push_back(request);
    }
    const CannedResponse response = owner_.handler_(request);
    absl::SleepFor(response.delay);
    std::string head =
        absl::StrCat("HTTP/1.1 ", response.status, " ", StatusText(response.status),
                     "\r\nContent-Length: ", response.body.size(), "\r\nConnection: close\r\n");
    for (const auto& [name, value] : response.headers)
      absl::StrAppend(&head, name, ": ", value, "\r\n");
    head += "\r\n";
    mg_write(connection, head.data(), head.size());
    if (request.method != "HEAD") mg_write(connection, response.body.data(), response.body.size());
    return true;
  }

  TestHttpServer& owner_;
};

TestHttpServer::TestHttpServer(Handler handler) : handler_(std::move(handler)) {
  dispatcher_ = std::make_unique<Dispatcher>(*this);
  server_ = std::make_unique<CivetServer>(std::vector<std::string>{
      "listening_ports", "127.0.0.1:0", "num_threads", "8", "request_timeout_ms", "10000"});
  const std::vector<int> ports = server_->getListeningPorts();
  if (ports.empty() || ports[0] <= 0) throw std::runtime_error("test server bound no port");
  port_ = ports[0];
  server_->addHandler("/", dispatcher_.get());
}

TestHttpServer::~TestHttpServer() {
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    server_->close();
    closed.store(true);
  });
  while (!closed.load()) {
    Poke(port_);
    absl::SleepFor(absl::Milliseconds(5));
  }
  closer.join();
}

std::string TestHttpServer::base_url() const { return absl::StrCat("http://127.0.0.1:", port_); }

std::vector<RecordedRequest> TestHttpServer::requests() const {
  absl::MutexLock lock(&mutex_);
  return requests_;
}

int UnusedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot reserve a loopback port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "inkdex-aws-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::WriteFile(const std::string& name, const std::string& contents) const {
  const std::string full = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(full).parent_path());
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + full);
  return full;
}

Environment MapEnvironment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

}  // namespace inkdex::aws::testing
