// ServerProcess: one inkdex-server child process serving an index directory
// on 127.0.0.1 at a port the kernel picks, for the gRPC peer (grpc_peer.h).
//
// Start forks and execs `binary --index DIR --listen 127.0.0.1:0
// --metrics-listen off --log-level warn` with the caller's environment less
// every INKDEX_* variable (a token, listen address or limit set in the
// caller's shell must not change what is measured), stdout a pipe and stderr
// an unlinked temporary file. It waits for the server's
// {"event":"listening","grpc":"HOST:PORT"} line on stdout; a server that
// exits first, or prints no such line within `start_timeout`, is stopped and
// reported as an error carrying the end of its stderr.
//
// Stop (also run by the destructor): SIGTERM, a wait of up to kStopTimeout
// (the server drains calls for up to 8 s), then SIGKILL; the child is always
// reaped, so no server outlives its ServerProcess. Should this process die
// without stopping it, the kernel sends the server SIGTERM
// (PR_SET_PDEATHSIG). That signal follows the *thread* that called Start:
// REQUIRES: the thread calling Start outlives the ServerProcess (the main
// thread, in the benchmark and the tests).
//
// Thread safety: Start, Stop and destruction from one thread; pid(),
// address() and ResidentBytes() from any thread while it runs.
#ifndef INKDEX_BENCH_PEERS_INKDEX_GRPC_SERVER_PROCESS_H_
#define INKDEX_BENCH_PEERS_INKDEX_GRPC_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace inkdex::bench {

class ServerProcess {
 public:
  static constexpr absl::Duration kStopTimeout = absl::Seconds(15);

  // REQUIRES: `index_dir` holds an index (the server creates an empty one
  // where there is none).
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                              const std::string& index_dir,
                                                              absl::Duration start_timeout);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // Stops and reaps the server. OK when it exited with status 0 after
  // SIGTERM; INTERNAL naming the exit status or signal otherwise (it is gone
  // either way). Idempotent.
  absl::Status Stop();

  pid_t pid() const { return pid_; }
  // "127.0.0.1:PORT", as the server reported it.
  const std::string& address() const { return address_; }
  // The server's VmRSS (/proc/<pid>/status), bytes; 0 once stopped or when
  // /proc cannot be read.
  uint64_t ResidentBytes() const;

 private:
  ServerProcess(pid_t pid, int stderr_fd) : pid_(pid), stderr_fd_(stderr_fd) {}

  // Reads stdout until the listening line; sets address_.
  absl::Status AwaitListening(int stdout_fd, absl::Duration timeout);
  // The last few KiB the server wrote to stderr, for error messages.
  std::string StderrTail() const;

  pid_t pid_ = -1;  // -1 once reaped
  int stderr_fd_ = -1;
  std::string address_;
};

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_INKDEX_GRPC_SERVER_PROCESS_H_
