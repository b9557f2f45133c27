#include "server/idle_connection_closer.h"

#include <grpc/grpc.h>

namespace inkdex::server {

IdleConnectionCloser::IdleConnectionCloser(grpc::Server& server, const RequestLimiter& limiter,
                                           Options options)
    : server_(server), limiter_(limiter), options_(options), thread_([this] { Watch(); }) {}

IdleConnectionCloser::~IdleConnectionCloser() {
  done_.Notify();
  thread_.join();
}

void IdleConnectionCloser::Watch() {
  absl::Time quiet_since = absl::InfiniteFuture();
  while (!done_.WaitForNotificationWithTimeout(options_.poll)) {
    if (limiter_.in_flight() > 0) {
      quiet_since = absl::InfiniteFuture();
      continue;
    }
    const absl::Time now = absl::Now();
    if (quiet_since == absl::InfiniteFuture()) quiet_since = now;
    if (now - quiet_since < options_.quiet) continue;
    // Safe once Shutdown has begun (the constructor's REQUIRES): the calls
    // are done, and the connections left are only waited for.
    grpc_server_cancel_all_calls(server_.c_server());
    closed_.store(true, std::memory_order_release);
    return;
  }
}

}  // namespace inkdex::server
