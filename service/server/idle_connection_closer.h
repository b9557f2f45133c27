// IdleConnectionCloser: ends a drain's wait for clients that do not close.
//
// grpc::Server::Shutdown sends each connection a GOAWAY and then waits, up
// to its deadline, for the calls in flight and for every client to close
// its connection. A client that is not reading its socket when the GOAWAY
// comes (an AWS Lambda frozen between invocations, a Python channel between
// calls) closes late or never: a drain with no call left then waited ~5 s
// (a Python client's own timer) to the whole deadline for nothing. Once
// Shutdown has begun no new call is taken, so when the admitted calls
// (RequestLimiter) have stayed at zero for `quiet`, this closes every
// connection (grpc_server_cancel_all_calls, as Shutdown itself does at its
// deadline) and Shutdown returns.
//
//   IdleConnectionCloser closer(server, env.limiter());
//   server.Shutdown(deadline);  // returns once the calls are done
//   // ~IdleConnectionCloser stops watching.
//
// Cost: a thread that reads an atomic every `poll` until it closes the
// connections or is destroyed.
// Thread safety: construct it right before Shutdown and destroy it after;
// `server` and `limiter` must outlive it.
#ifndef INKDEX_SERVICE_SERVER_IDLE_CONNECTION_CLOSER_H_
#define INKDEX_SERVICE_SERVER_IDLE_CONNECTION_CLOSER_H_

#include <atomic>
#include <thread>

#include <grpcpp/server.h>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/request_limiter.h"

namespace inkdex::server {

class IdleConnectionCloser {
 public:
  struct Options {
    // Long enough for the last responses to leave (a call leaves the
    // limiter when its handler ends, before gRPC has sent its status).
    absl::Duration quiet = absl::Milliseconds(500);
    absl::Duration poll = absl::Milliseconds(10);
  };

  // REQUIRES: server.Shutdown is called right after, on this thread.
  IdleConnectionCloser(grpc::Server& server, const RequestLimiter& limiter, Options options);
  IdleConnectionCloser(grpc::Server& server, const RequestLimiter& limiter)
      : IdleConnectionCloser(server, limiter, Options()) {}
  ~IdleConnectionCloser();
  IdleConnectionCloser(const IdleConnectionCloser&) = delete;
  IdleConnectionCloser& operator=(const IdleConnectionCloser&) = delete;

  // Whether it has closed the connections (for the drain's log line).
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  void Watch();

  grpc::Server& server_;
  const RequestLimiter& limiter_;
  const Options options_;
  absl::Notification done_;
  std::atomic<bool> closed_{false};
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_IDLE_CONNECTION_CLOSER_H_
