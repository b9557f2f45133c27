// ReadLoops: the threads that serve inkdex-server's reads through gRPC's
// asynchronous API: one completion queue polled by one thread per core,
// each call run by the thread that takes it, with no hand-off.
//
// Why: with the callback API, gRPC 1.51 on Linux delivers every call through
// two "nexting" threads that poll one shared completion queue, and the call
// then went to a worker thread: ~4.7 context switches per call at 3,000
// calls/s, and switches are dear in the VMs this runs on (a third of the
// server's CPU was in the kernel, half of that scheduling). Here the thread
// that polls reads the call, runs it and writes the answer itself, and
// sleeps only when there is nothing to do. One queue for all threads, not
// one each: gRPC gives a call to the queue its connection belongs to, so with
// a queue per thread a busy thread's connections queued calls while another
// thread idled (p99 at 3,000 calls/s: ~10 ms, against ~6 ms with one queue).
// Nothing else in the server may use the callback API (its threads would
// poll the same sockets and hand the calls over again): hence
// health_service.h.
//
// Admission stays at once: before it runs a call, a thread takes every event
// that is ready on the queue without waiting (AsyncNext with a zero
// deadline), and admits or refuses each arrived call (AsyncReadCall::Admit:
// CallGuard, the concurrency limiter). Admitted calls wait in a FIFO shared
// by the threads, so --max-concurrent-requests bounds what waits; point
// reads (AsyncReadCall::RunsAtAdmission) skip it and run at once. A thread
// that leaves admitted calls waiting while another sleeps wakes it (a
// grpc::Alarm due at once): the only cross-thread wake-up, and only under a
// backlog.
//
// Costs and limits: a call waits at most the run time of the calls ahead of
// it on every thread before it is admitted or refused. Client cancellation
// reaches a running call only through a thread taking the call's "done"
// event, which happens only when a thread is free: a call still stops at
// its deadline (the context's deadline needs no event) but may run to its
// end when the client cancels it. A call that waits on a thread of its own
// (AsyncReadCall::Run may hand it to one) sees cancellation as usual.
//
// Example:
//   std::unique_ptr<grpc::ServerCompletionQueue> queue = builder.AddCompletionQueue();
//   std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
//   ReadLoops loops(std::move(queue), {make_search_call, make_suggest_call}, threads);
//   loops.Start();
//   ...
//   server->Shutdown(deadline);  // the loops finish the calls in flight
//   loops.Stop();
//
// Thread safety: Start and Stop are called by one thread, once each.
// Ownership: owns its queue, its threads and every call object from the
// moment it is armed until gRPC has delivered its last event.
#ifndef INKDEX_SERVICE_SERVER_READ_LOOPS_H_
#define INKDEX_SERVICE_SERVER_READ_LOOPS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace inkdex::server {

class ReadLoops;

// One call of an async-API unary method, from the request armed on a
// completion queue until gRPC has delivered the call's last event. A
// subclass holds the method's context, messages and responder.
// Thread safety: each method is called once, in the order Arm, Admit, Run,
// each by one thread at a time (Arm by the thread that started the loops or
// took the arrival of the call this one replaces; Admit by the thread that
// took this one's arrival; Run by whichever loop thread takes it from the
// admitted queue, or a thread the call hands itself to); ReadLoops counts the
// call's last events and deletes it, so a subclass needs no locking of its own.
class AsyncReadCall {
 public:
  // What a tag on a loop's queue stands for.
  enum class Event : uint8_t { kArrived, kFinished, kDone, kWake };
  struct Tag {
    AsyncReadCall* call;  // null for kWake
    Event event;
  };

  AsyncReadCall() = default;
  virtual ~AsyncReadCall() = default;
  AsyncReadCall(const AsyncReadCall&) = delete;
  AsyncReadCall& operator=(const AsyncReadCall&) = delete;

  // Asks gRPC for the next call of this method on `queue`: registers
  // tag(kDone) with the context's AsyncNotifyWhenDone, then requests the call
  // with tag(kArrived) (both on `queue`).
  virtual void Arm(grpc::ServerCompletionQueue* queue) = 0;
  // The call has arrived: admits it (true: to be Run) or refuses it, having
  // started its Finish with tag(kFinished) (false).
  virtual bool Admit() = 0;
  // True: an admitted call runs at once on the thread that admitted it,
  // ahead of the admitted queue. For point reads that take microseconds
  // (GetArtist, GetStats), so that a backlog of searches never delays them
  // by more than the call a thread is running.
  virtual bool RunsAtAdmission() const { return false; }
  // Runs the admitted call and starts its Finish with tag(kFinished).
  virtual void Run() = 0;
  // A new, unarmed call of the same method: it replaces this one on the
  // queue once this one has arrived.
  virtual std::unique_ptr<AsyncReadCall> Fresh() const = 0;

 protected:
  void* tag(Event event) { return &tags_[static_cast<int>(event)]; }

 private:
  friend class ReadLoops;
  Tag tags_[3] = {{this, Event::kArrived}, {this, Event::kFinished}, {this, Event::kDone}};
  // Events still to come once the call has arrived: kFinished and kDone,
  // which any thread may take, in either order, kDone possibly before the
  // thread that took kArrived has handled it (a client that cancels at once).
  std::atomic<int> pending_events_{2};
};

class ReadLoops {
 public:
  // Makes an unarmed call of one method.
  using CallFactory = std::function<std::unique_ptr<AsyncReadCall>()>;

  // `threads` threads poll `queue`, which keeps `armed_per_method` calls of
  // every method requested. REQUIRES: threads >= 1; the queue comes from the
  // ServerBuilder of the server whose service the factories' calls request
  // from.
  ReadLoops(std::unique_ptr<grpc::ServerCompletionQueue> queue, std::vector<CallFactory> methods,
            int threads, int armed_per_method = 16);
  ~ReadLoops();  // Stop()s if not stopped
  ReadLoops(const ReadLoops&) = delete;
  ReadLoops& operator=(const ReadLoops&) = delete;

  // Arms the methods' calls and starts the threads. REQUIRES: the server is
  // started.
  void Start();
  // Shuts the queue down, takes its last events and joins the threads.
  // REQUIRES: the server has been shut down (grpc::Server::Shutdown has
  // returned: no call is in flight any more), or was never started.
  void Stop();

  // Threads started (0 before Start).
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Loop();
  // Handles one event taken off the queue.
  void Handle(void* tag, bool ok);
  // The oldest admitted call (null: none); `backlog`: others still wait.
  AsyncReadCall* PopAdmitted(bool* backlog);
  // Wakes one sleeping thread, if any.
  void WakeOneSleeping();

  const std::vector<CallFactory> methods_;
  const int thread_count_;
  const int armed_per_method_;
  std::unique_ptr<grpc::ServerCompletionQueue> queue_;
  grpc::Alarm wake_;  // after queue_: destroyed before it
  AsyncReadCall::Tag wake_tag_{nullptr, AsyncReadCall::Event::kWake};
  std::atomic<int> sleeping_{0};       // threads waiting in Next
  std::atomic<bool> wake_set_{false};  // wake_ is set and not yet taken
  std::vector<std::thread> threads_;
  bool stopped_ = false;

  absl::Mutex mu_;
  std::deque<AsyncReadCall*> admitted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_READ_LOOPS_H_
