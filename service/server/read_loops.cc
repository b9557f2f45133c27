#include "server/read_loops.h"

#include <utility>

#include <grpc/support/time.h>

namespace inkdex::server {

ReadLoops::ReadLoops(std::unique_ptr<grpc::ServerCompletionQueue> queue,
                     std::vector<CallFactory> methods, int threads, int armed_per_method)
    : methods_(std::move(methods)),
      thread_count_(threads),
      armed_per_method_(armed_per_method),
      queue_(std::move(queue)) {}

ReadLoops::~ReadLoops() {
  if (!stopped_) Stop();
}

void ReadLoops::Start() {
  // Armed before the threads start, so no call of a method waits in gRPC
  // for want of a request while the loops come up.
  for (const CallFactory& make : methods_) {
    for (int i = 0; i < armed_per_method_; ++i) make().release()->Arm(queue_.get());
  }
  threads_.reserve(thread_count_);
  for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { Loop(); });
}

void ReadLoops::Stop() {
  stopped_ = true;
  queue_->Shutdown();
  if (!threads_.empty()) {
    for (std::thread& thread : threads_) thread.join();
    return;
  }
  // Never started (the server failed to start): a queue must be drained
  // before it is destroyed.
  void* tag = nullptr;
  bool ok = false;
  while (queue_->Next(&tag, &ok)) Handle(tag, ok);
}

void ReadLoops::Loop() {
  const gpr_timespec no_wait = gpr_time_0(GPR_CLOCK_MONOTONIC);
  void* tag = nullptr;
  bool ok = false;
  for (;;) {
    // Every event ready now first: each arrived call is admitted or refused
    // before this thread runs anything, so calls never wait unseen by the
    // limiter behind the one running.
    while (queue_->AsyncNext(&tag, &ok, no_wait) == grpc::CompletionQueue::GOT_EVENT) {
      Handle(tag, ok);
    }
    bool backlog = false;
    if (AsyncReadCall* call = PopAdmitted(&backlog)) {
      if (backlog) WakeOneSleeping();
      call->Run();
      continue;
    }
    // Nothing to run: sleep until the queue has an event (a call arriving,
    // a call's last events, or a wake-up). A call admitted by another
    // thread meanwhile is run by that thread.
    sleeping_.fetch_add(1, std::memory_order_seq_cst);
    const bool got = queue_->Next(&tag, &ok);
    sleeping_.fetch_sub(1, std::memory_order_relaxed);
    if (!got) return;  // shut down, and every event taken
    Handle(tag, ok);
  }
}

void ReadLoops::Handle(void* tag, bool ok) {
  auto* t = static_cast<AsyncReadCall::Tag*>(tag);
  AsyncReadCall* call = t->call;
  switch (t->event) {
    case AsyncReadCall::Event::kWake:
      wake_set_.store(false, std::memory_order_release);
      return;
    case AsyncReadCall::Event::kArrived:
      if (!ok) {
        // The server is shutting down: the request was never matched, and
        // gRPC delivers nothing else for it (not even its done tag).
        delete call;
        return;
      }
      // Its replacement first: the method always has calls armed. After the
      // server's shutdown has begun, that request fails at once.
      call->Fresh().release()->Arm(queue_.get());
      if (!call->Admit()) return;
      if (call->RunsAtAdmission()) {
        call->Run();
        return;
      }
      {
        absl::MutexLock lock(&mu_);
        admitted_.push_back(call);
      }
      return;
    case AsyncReadCall::Event::kFinished:
    case AsyncReadCall::Event::kDone:
      // Either may come first, and to any thread.
      if (call->pending_events_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete call;
      return;
  }
}

AsyncReadCall* ReadLoops::PopAdmitted(bool* backlog) {
  absl::MutexLock lock(&mu_);
  if (admitted_.empty()) return nullptr;
  AsyncReadCall* call = admitted_.front();
  admitted_.pop_front();
  *backlog = !admitted_.empty();
  return call;
}

void ReadLoops::WakeOneSleeping() {
  if (sleeping_.load(std::memory_order_seq_cst) == 0) return;
  if (wake_set_.exchange(true, std::memory_order_acq_rel)) return;  // one is coming
  wake_.Set(queue_.get(), gpr_now(GPR_CLOCK_MONOTONIC), &wake_tag_);
}

}  // namespace inkdex::server
