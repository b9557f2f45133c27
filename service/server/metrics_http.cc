#include "server/metrics_http.h"

#include <CivetServer.h>
#include <prometheus/text_serializer.h>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace inkdex::server {

namespace {

// See Start() for why.
constexpr int kWorkerThreads = 8;
constexpr int kRequestTimeoutMs = 2000;

// civetweb reports why it could not start only through the log callback, on
// the thread that constructs the server; Start collects those messages here.
thread_local std::vector<std::string>* startup_messages = nullptr;

int OnCivetLog(const mg_connection* /*connection*/, const char* message) {
  if (startup_messages != nullptr) startup_messages->emplace_back(message);
  return 1;  // handled: civetweb prints nothing itself
}

// `head`: a HEAD request's answer (the headers of the GET answer, no body).
// `extra_headers`: whole header lines, each ending in CRLF.
void SendResponse(mg_connection* connection, int code, std::string_view reason,
                  std::string_view content_type, std::string_view body, bool head = false,
                  std::string_view extra_headers = "") {
  mg_printf(connection,
            "HTTP/1.1 %d %.*s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n%.*s\r\n",
            code, static_cast<int>(reason.size()), reason.data(),
            static_cast<int>(content_type.size()), content_type.data(), body.size(),
            static_cast<int>(extra_headers.size()), extra_headers.data());
  if (!head) mg_write(connection, body.data(), body.size());
}

// Opens and closes a TCP connection to `address` (IP:PORT as address()
// gives it; a wildcard host means loopback). Failures are ignored: the
// caller only wants the listener's poll() to return.
void WakeListener(const std::string& address) {
  const size_t colon = address.rfind(':');
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return;
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    (void)::connect(fd, found->ai_addr, found->ai_addrlen);
    ::close(fd);
  }
  ::freeaddrinfo(found);
}

// "HOST:PORT" -> HOST, "PORT" -> "" (civetweb's forms).
std::string_view ListenHost(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return {};
  return listen.substr(0, colon);
}

}  // namespace

namespace {

// A read-only resource: GET answers, HEAD answers with the GET answer's
// status and headers only (load balancers and container health checks
// probe with HEAD), any other method gets 405 naming the allowed ones
// (civetweb's default for an unhandled method is a misleading 404).
class ReadOnlyHandler : public CivetHandler {
 public:
  bool handleGet(CivetServer* /*server*/, mg_connection* connection) override {
    Answer(connection, false);
    return true;
  }
  bool handleHead(CivetServer* /*server*/, mg_connection* connection) override {
    Answer(connection, true);
    return true;
  }
  bool handlePost(CivetServer* /*server*/, mg_connection* connection) override {
    return NotAllowed(connection);
  }
  bool handlePut(CivetServer* /*server*/, mg_connection* connection) override {
    return NotAllowed(connection);
  }
  bool handleDelete(CivetServer* /*server*/, mg_connection* connection) override {
    return NotAllowed(connection);
  }
  bool handlePatch(CivetServer* /*server*/, mg_connection* connection) override {
    return NotAllowed(connection);
  }
  bool handleOptions(CivetServer* /*server*/, mg_connection* connection) override {
    return NotAllowed(connection);
  }

 protected:
  // Sends the answer; `head`: headers only.
  virtual void Answer(mg_connection* connection, bool head) = 0;

 private:
  static bool NotAllowed(mg_connection* connection) {
    SendResponse(connection, 405, "Method Not Allowed", "text/plain; charset=utf-8",
                 "only GET and HEAD\n", false, "Allow: GET, HEAD\r\n");
    return true;
  }
};

}  // namespace

class MetricsHttpServer::MetricsHandler : public ReadOnlyHandler {
 public:
  explicit MetricsHandler(const Options& options) : options_(options) {}

 private:
  void Answer(mg_connection* connection, bool head) override {
    if (options_.before_scrape) options_.before_scrape();
    const std::string body = prometheus::TextSerializer().Serialize(options_.registry->Collect());
    SendResponse(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, head);
  }

  const Options& options_;
};

class MetricsHttpServer::HealthHandler : public ReadOnlyHandler {
 public:
  explicit HealthHandler(const std::atomic<bool>& serving) : serving_(serving) {}

 private:
  void Answer(mg_connection* connection, bool head) override {
    if (serving_.load(std::memory_order_relaxed)) {
      SendResponse(connection, 200, "OK", "text/plain; charset=utf-8", "ok\n", head);
    } else {
      SendResponse(connection, 503, "Service Unavailable", "text/plain; charset=utf-8",
                   "not serving\n", head);
    }
  }

  const std::atomic<bool>& serving_;
};

MetricsHttpServer::MetricsHttpServer(Options options) : options_(std::move(options)) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

void MetricsHttpServer::Stop() {
  if (server_ == nullptr) return;
  // civetweb 1.15's listener thread notices the stop flag only when its
  // poll() (2 s quantum) returns; connecting to the port wakes it, so a stop
  // takes milliseconds instead of up to 2 s of the 10 s shutdown budget.
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    server_->close();
    closed.store(true);
  });
  const absl::Time give_up = absl::Now() + absl::Seconds(3);
  while (!closed.load() && absl::Now() < give_up) {
    WakeListener(address_);
    absl::SleepFor(absl::Milliseconds(5));
  }
  closer.join();
  server_.reset();
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(Options options) {
  if (options.listen.empty()) {
    return absl::InvalidArgumentError("metrics listen address is empty");
  }
  if (options.listen.find(',') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen address '", options.listen, "' names more than one port"));
  }
  if (options.registry == nullptr) options.registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<MetricsHttpServer> http(new MetricsHttpServer(std::move(options)));
  http->metrics_handler_ = std::make_unique<MetricsHandler>(http->options_);
  http->health_handler_ = std::make_unique<HealthHandler>(http->serving_);

  // Probes must not queue behind idle or half-sent connections: each holds a
  // worker thread until its request arrives or the request timeout passes.
  // Several workers and a timeout far below a probe's period (a request here
  // is one short line) keep /healthz answering; keep-alive is off, as every
  // response closes its connection anyway.
  const std::vector<std::string> civet_options = {
      "listening_ports",    http->options_.listen,
      "num_threads",        std::to_string(kWorkerThreads),
      "request_timeout_ms", std::to_string(kRequestTimeoutMs),
      "enable_keep_alive",  "no",
  };
  CivetCallbacks callbacks;
  callbacks.log_message = OnCivetLog;
  std::vector<std::string> messages;
  startup_messages = &messages;
  try {
    http->server_ = std::make_unique<CivetServer>(civet_options, &callbacks);
  } catch (const CivetException& e) {
    startup_messages = nullptr;
    if (messages.empty()) messages.emplace_back(e.what());
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on '", http->options_.listen,
                                               "': ", absl::StrJoin(messages, "; ")));
  }
  startup_messages = nullptr;

  const std::vector<int> ports = http->server_->getListeningPorts();
  if (ports.empty() || ports[0] <= 0) {
    return absl::UnavailableError(
        absl::StrCat("metrics server on '", http->options_.listen, "' reports no bound port"));
  }
  http->port_ = ports[0];
  const std::string_view host = ListenHost(http->options_.listen);
  http->address_ = absl::StrCat(host.empty() ? "0.0.0.0" : std::string(host), ":", http->port_);
  http->server_->addHandler("/metrics", http->metrics_handler_.get());
  http->server_->addHandler("/healthz", http->health_handler_.get());
  return http;
}

}  // namespace inkdex::server
