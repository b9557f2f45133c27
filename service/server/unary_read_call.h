// UnaryReadCall: one call of an async-API unary read method of
// inkdex-server (ReadLoops' AsyncReadCall for a given request and response
// type), and AsyncReadMethod, what a method's calls share.
//
// A call owns its grpc::ServerContext, its responder, and its request and
// response on a protobuf arena whose first block is inside the call: a
// Search response (~20 hits and ~30 facet values, each a message with a few
// strings) is bump-allocated there and freed with the call, where on the
// heap its allocations and destructors were ~6 % of the server's CPU at 1M
// artists. The method's body fills the response in place (an assignment from
// a message on the heap would deep-copy it onto the arena).
//
// The request arrives as bytes and is parsed here, after admission, so that
// one that does not parse is answered INVALID_ARGUMENT naming the field
// (parsed_requests.h, unparsable_message.h) rather than by gRPC's INTERNAL; the answer is
// serialized here too.
//
// Admission (CallGuard: request id, token, limiter) happens when the call
// arrives, on its loop; the body runs when a loop takes it from the admitted
// queue, at once for a point read (AsyncReadMethod::runs_at_admission), or
// elsewhere when the method says so (AsyncReadMethod::run_elsewhere; the
// test-only search delay gives such calls a thread of their own).
//
// Thread safety: see AsyncReadCall. Ownership: ReadLoops owns the calls; the
// method, and the environment it points at, must outlive every call.
#ifndef INKDEX_SERVICE_SERVER_UNARY_READ_CALL_H_
#define INKDEX_SERVICE_SERVER_UNARY_READ_CALL_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>

#include "absl/functional/any_invocable.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/call_environment.h"
#include "server/call_guard.h"
#include "server/parsed_requests.h"
#include "server/read_loops.h"

namespace inkdex::server {

template <typename Request, typename Response>
struct AsyncReadMethod {
  // Asks gRPC for the next call (the generated raw method's RequestX, with
  // `queue` as both its call and notification queue): the request comes as
  // bytes, and the answer goes as bytes.
  using RequestFn = std::function<void(grpc::ServerContext*, grpc::ByteBuffer*,
                                       grpc::ServerAsyncResponseWriter<grpc::ByteBuffer>*,
                                       grpc::ServerCompletionQueue* queue, void* tag)>;
  // The admitted call's work: returns its status, having called
  // CallGuard::Finish.
  using Body =
      std::function<grpc::Status(CallGuard&, grpc::ServerContextBase*, const Request&, Response*)>;

  std::string name;  // for the log and metrics: "Search"
  CallEnvironment* env = nullptr;
  RequestFn request;
  Body body;
  // Set: the admitted call's work is handed to this instead of run on the
  // loop that takes it (it must run the job exactly once).
  std::function<void(absl::AnyInvocable<void() &&>)> run_elsewhere;
  // A point read: runs on the thread that admits it, ahead of the queued
  // calls (AsyncReadCall::RunsAtAdmission).
  bool runs_at_admission = false;
};

template <typename Request, typename Response>
class UnaryReadCall final : public AsyncReadCall {
 public:
  using Method = AsyncReadMethod<Request, Response>;

  explicit UnaryReadCall(const Method& method)
      : method_(method),
        arena_(ArenaOptionsFor(block_)),
        request_(google::protobuf::Arena::CreateMessage<Request>(&arena_)),
        response_(google::protobuf::Arena::CreateMessage<Response>(&arena_)),
        responder_(&context_) {}

  void Arm(grpc::ServerCompletionQueue* queue) override {
    context_.AsyncNotifyWhenDone(tag(Event::kDone));
    method_.request(&context_, &request_bytes_, &responder_, queue, tag(Event::kArrived));
  }

  bool Admit() override {
    guard_.emplace(*method_.env, &context_, method_.name, Access::kRead);
    if (!guard_->admitted()) {
      Finish(guard_->Finish(guard_->admission()));
      return false;
    }
    if (grpc::Status parsed = ParseRequest(request_bytes_, request_); !parsed.ok()) {
      Finish(guard_->Finish(parsed));
      return false;
    }
    request_bytes_.Clear();
    return true;
  }

  void Run() override {
    if (!method_.runs_at_admission) {
      method_.env->metrics().RecordQueueWait(absl::Now() - guard_->start());
    }
    if (method_.run_elsewhere) {
      method_.run_elsewhere([this] { Work(); });
    } else {
      Work();
    }
  }

  bool RunsAtAdmission() const override { return method_.runs_at_admission; }

  std::unique_ptr<AsyncReadCall> Fresh() const override {
    return std::make_unique<UnaryReadCall>(method_);
  }

 private:
  // A Search response of 20 hits with all facets fits (~12 KB of messages
  // and strings); larger ones take more blocks from the heap.
  static constexpr size_t kInlineArenaBytes = 16 * 1024;

  static google::protobuf::ArenaOptions ArenaOptionsFor(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = kInlineArenaBytes;
    return options;
  }

  void Work() { Finish(method_.body(*guard_, &context_, *request_, response_)); }

  // Ends the call: the guard has recorded it (metrics, log line) and is
  // dropped before the answer goes out, so a client that has its answer
  // never sees the call still counted in flight.
  void Finish(grpc::Status status) {
    guard_.reset();
    grpc::ByteBuffer response_bytes;
    bool own_buffer = false;
    if (status.ok()) {
      status =
          grpc::SerializationTraits<Response>::Serialize(*response_, &response_bytes, &own_buffer);
    }
    if (status.ok()) {
      responder_.Finish(response_bytes, status, tag(Event::kFinished));
    } else {
      responder_.FinishWithError(status, tag(Event::kFinished));
    }
  }

  const Method& method_;
  grpc::ServerContext context_;
  alignas(std::max_align_t) char block_[kInlineArenaBytes];
  google::protobuf::Arena arena_;   // after block_: destroyed before it
  Request* request_;                // on arena_
  Response* response_;              // on arena_
  grpc::ByteBuffer request_bytes_;  // until parsed
  grpc::ServerAsyncResponseWriter<grpc::ByteBuffer> responder_;
  std::optional<CallGuard> guard_;
};

// The ReadLoops factory of `method`'s calls. REQUIRES: `method` outlives the
// loops.
template <typename Request, typename Response>
ReadLoops::CallFactory CallFactoryOf(const AsyncReadMethod<Request, Response>& method) {
  return [&method] { return std::make_unique<UnaryReadCall<Request, Response>>(method); };
}

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_UNARY_READ_CALL_H_
