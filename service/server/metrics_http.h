// MetricsHttpServer: inkdex-server's HTTP side (civetweb), beside gRPC.
//
//   GET /metrics  Prometheus text format (version 0.0.4) of a registry, via
//                 prometheus::TextSerializer; `before_scrape` runs first so
//                 gauges computed on demand are current.
//   GET /healthz  200 "ok" while serving, 503 "not serving" while the server
//                 is starting or draining (SetServing).
// Anything else is 404. Every response closes its connection; a connection
// that has not sent its whole request within 2 s is closed, and 8 worker
// threads serve, so a few idle clients cannot hold up a probe.
//
// Thread safety: thread-safe; handlers run on civetweb's worker threads,
// `before_scrape` included (it must be thread-safe).
// Ownership: the server shares the registry; stops serving on destruction.
#ifndef INKDEX_SERVICE_SERVER_METRICS_HTTP_H_
#define INKDEX_SERVICE_SERVER_METRICS_HTTP_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "absl/status/statusor.h"

class CivetServer;

namespace inkdex::server {

class MetricsHttpServer {
 public:
  struct Options {
    // IP:PORT ("127.0.0.1:9464", "[::1]:9464") or PORT; port 0 picks a free
    // port (see port()).
    std::string listen;
    std::shared_ptr<prometheus::Registry> registry;
    std::function<void()> before_scrape;  // may be empty
  };

  // Binds and starts serving, with /healthz answering 503 until
  // SetServing(true). Errors (INVALID_ARGUMENT for a bad address, UNAVAILABLE
  // when it cannot bind) carry civetweb's reason and the address.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(Options options);
  ~MetricsHttpServer();  // Stop()

  // Stops serving and joins civetweb's threads (milliseconds: see the .cc).
  // No handler runs after it returns. Idempotent.
  void Stop();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }
  // The listen host with the bound port, e.g. "127.0.0.1:41234".
  const std::string& address() const { return address_; }

  void SetServing(bool serving) { serving_.store(serving, std::memory_order_relaxed); }
  bool serving() const { return serving_.load(std::memory_order_relaxed); }

 private:
  class MetricsHandler;
  class HealthHandler;

  explicit MetricsHttpServer(Options options);

  Options options_;
  std::atomic<bool> serving_{false};
  int port_ = 0;
  std::string address_;
  // Declared before server_ so civetweb stops before its handlers go.
  std::unique_ptr<MetricsHandler> metrics_handler_;
  std::unique_ptr<HealthHandler> health_handler_;
  std::unique_ptr<CivetServer> server_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_METRICS_HTTP_H_
