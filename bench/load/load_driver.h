// LoadDriver: sends the query mix to an inkdex-server over gRPC with the
// asynchronous API, and records every call (step_stats.h CallSample).
//
// Transport: `channels` separate HTTP/2 connections (each channel gets its
// own subchannel pool, so they do not collapse into one connection) and
// `threads` completion queues, each drained by one thread. Call i goes out on
// channel i % channels and completes on queue i % threads.
//
// Two ways to load the server:
//  * open loop (LoadSpec.rate > 0): call i is due at start + i / rate,
//    whatever happened to earlier calls. The calling thread paces the sends
//    (it sleeps until each call is due, or sends at once when behind), and a
//    call's latency runs from when it was due, so neither a slow server nor a
//    busy client hides delays (no coordinated omission). When
//    `max_outstanding` calls are already in flight a due call is not sent and
//    is recorded as kNotSent.
//  * closed loop (LoadSpec.concurrency > 0): that many calls are kept in
//    flight; each completion starts the next call at once.
// Every call carries a deadline of `deadline` from its send time. Requests
// are serialized once, before any step, and responses are not parsed: a call
// is judged by its status code alone (the server's answers are checked by
// the tests and the peers gate, not here).
//
// Thread safety: Run() is called by one thread at a time (it blocks until
// the step is over and every call has finished). The driver owns its
// channels, queues and threads; the QueryMix must outlive it.
#ifndef INKDEX_BENCH_LOAD_LOAD_DRIVER_H_
#define INKDEX_BENCH_LOAD_LOAD_DRIVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "query_mix.h"
#include "step_stats.h"

namespace inkdex::bench::load {

struct DriverOptions {
  std::string target;  // host:port
  int channels = 4;    // >= 1
  int threads = 1;     // completion-queue threads, >= 1
  absl::Duration deadline = absl::Seconds(1);
  int64_t max_outstanding = 50000;
  std::string bearer_token;  // sent as "authorization: Bearer ..." when not empty
};

struct LoadSpec {
  double rate = 0;      // > 0: open loop, calls per second
  int concurrency = 0;  // > 0: closed loop (exactly one of rate/concurrency is set)
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);
};

// The calls of one step. Times in the samples are nanoseconds since the
// step's start; the measurement window is [window_start_ns, window_end_ns).
struct StepRun {
  std::vector<CallSample> samples;
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;
  uint64_t unfinished = 0;  // calls still in flight when the driver gave up waiting
};

class LoadDriver {
 public:
  // Opens the channels and waits until each is connected (UNAVAILABLE naming
  // the target when one does not connect within `connect_timeout`).
  static absl::StatusOr<std::unique_ptr<LoadDriver>> Connect(const DriverOptions& options,
                                                             const QueryMix& mix,
                                                             absl::Duration connect_timeout);
  ~LoadDriver();
  LoadDriver(const LoadDriver&) = delete;
  LoadDriver& operator=(const LoadDriver&) = delete;

  // Runs one step: warm-up, then the measurement window, then waits for the
  // calls in flight (at most the deadline plus a few seconds).
  // `on_window_start` and `on_window_end` run on the calling thread when the
  // window opens and closes (to read CPU meters); either may be empty.
  // Successive steps continue through the mix's plan.
  // REQUIRES: exactly one of spec.rate > 0 and spec.concurrency > 0.
  StepRun Run(const LoadSpec& spec, const std::function<void()>& on_window_start,
              const std::function<void()>& on_window_end);

 private:
  struct Call;
  struct Worker {
    grpc::CompletionQueue cq;
    std::thread thread;
    absl::Mutex mu;
    std::vector<CallSample> samples ABSL_GUARDED_BY(mu);
  };

  LoadDriver(const DriverOptions& options, const QueryMix& mix);
  void WorkerLoop(Worker& worker);
  // Starts query `index` of the plan, due at `scheduled_ns` (steady clock;
  // 0: due when sent, the closed loop).
  void StartCall(uint64_t index, int64_t scheduled_ns);
  void PaceOpenLoop(const LoadSpec& spec, int64_t start_ns, const std::function<void()>& at_start,
                    const std::function<void()>& at_end, std::vector<CallSample>& not_sent);

  const DriverOptions options_;
  const QueryMix& mix_;
  // Each of the mix's queries serialized once, sent as bytes through generic
  // stubs: the load generator shares the server's cores, and neither
  // serializing requests nor parsing responses (only the status is used)
  // is load on the server. About 10 % of its CPU per call.
  std::vector<grpc::ByteBuffer> wire_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint64_t> run_id_{0};
  std::atomic<uint64_t> next_query_{0};
  std::atomic<int64_t> outstanding_{0};
  // Closed loop: completions start a new call while the steady clock is
  // before this; 0 means never (open loop).
  std::atomic<int64_t> closed_loop_end_ns_{0};
};

}  // namespace inkdex::bench::load

#endif  // INKDEX_BENCH_LOAD_LOAD_DRIVER_H_
