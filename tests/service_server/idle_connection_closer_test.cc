#include "server/idle_connection_closer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/request_limiter.h"

namespace inkdex::server {
namespace idle_connection_closer_test {

// A client that opens an HTTP/2 connection and then never reads it, as a
// frozen Lambda's: it will not see a GOAWAY, and never closes.
class SilentClient {
 public:
  explicit SilentClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    // The client preface, then an empty SETTINGS frame.
    static constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0";
    connected_ = connected_ && ::write(fd_, kPreface, sizeof(kPreface) - 1) ==
                                   static_cast<ssize_t>(sizeof(kPreface) - 1);
  }
  ~SilentClient() { ::close(fd_); }
  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A started server on a free loopback port with one (generic, never
// answered) service, as gRPC starts no server without one, and a thread
// polling its queue, which is what reads its connections.
struct TestServer {
  TestServer() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterAsyncGenericService(&generic);
    queue = builder.AddCompletionQueue();
    server = builder.BuildAndStart();
    poller = std::thread([this] {
      void* tag = nullptr;
      bool ok = false;
      while (queue->Next(&tag, &ok)) {
      }
    });
  }
  // REQUIRES: the server was shut down.
  ~TestServer() {
    queue->Shutdown();
    poller.join();
  }
  int port = 0;
  grpc::AsyncGenericService generic;
  std::unique_ptr<grpc::ServerCompletionQueue> queue;
  std::unique_ptr<grpc::Server> server;
  std::thread poller;
};

// A server with a client connection that the client does not close when the
// GOAWAY comes, and a call still counted as in flight: the closer waits for the call, then closes
// the connection, and Shutdown returns long before its deadline.
TEST(IdleConnectionCloserTest, ClosesIdleConnectionsOnlyOnceNoCallIsInFlight) {
  TestServer test;
  ASSERT_NE(test.server, nullptr);
  grpc::Server* server = test.server.get();
  SilentClient client(test.port);
  ASSERT_TRUE(client.connected());
  absl::SleepFor(absl::Milliseconds(200));  // the server has taken the connection

  RequestLimiter limiter(4);
  ASSERT_TRUE(limiter.TryAcquire());  // a call still running
  IdleConnectionCloser::Options options;
  options.quiet = absl::Milliseconds(50);
  options.poll = absl::Milliseconds(5);
  const absl::Time start = absl::Now();
  bool closed_while_in_flight = true;
  absl::Duration shutdown_took;
  {
    IdleConnectionCloser closer(*server, limiter, options);
    std::thread call_ends([&] {
      absl::SleepFor(absl::Milliseconds(400));
      closed_while_in_flight = closer.closed();
      limiter.Release();
    });
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
    shutdown_took = absl::Now() - start;
    call_ends.join();
  }
  EXPECT_FALSE(closed_while_in_flight) << "closed while a call was in flight";
  EXPECT_GE(shutdown_took, absl::Milliseconds(400));
  EXPECT_LT(shutdown_took, absl::Seconds(4)) << "waited for the idle client";
}

TEST(IdleConnectionCloserTest, DestroyedBeforeTheQuietSpellItClosesNothing) {
  TestServer test;
  ASSERT_NE(test.server, nullptr);
  grpc::Server* server = test.server.get();
  RequestLimiter limiter(4);
  IdleConnectionCloser::Options options;
  options.quiet = absl::Hours(1);
  {
    IdleConnectionCloser closer(*server, limiter, options);
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
    EXPECT_FALSE(closer.closed());
  }
}

}  // namespace idle_connection_closer_test
}  // namespace inkdex::server
