// CallGuard: what every RPC handler of inkdex-server does first and last.
//
// On construction it admits the call: assigns a request id (the caller's
// `x-request-id` metadata, or a generated one, echoed in the initial
// metadata), checks the bearer token the method's access level needs
// (constant-time comparison; tokens never logged), and takes a slot from the
// concurrency limiter (RESOURCE_EXHAUSTED at once when all are taken). On
// Finish it records the call: the per-method/status request counter and
// latency histogram, the in-flight gauge, and one JSON log line with the
// request id, method, status code, duration and the handler's detail fields.
//
// Usage in a handler (synchronous API; an asynchronous read call does the
// same in two steps, unary_read_call.h, and hands the returned status to its
// responder's Finish):
//   grpc::Status ArtistSearchService::UpsertArtists(grpc::ServerContext* ctx,
//                                                   const v1::UpsertArtistsRequest* req,
//                                                   v1::WriteArtistsResponse* resp) {
//     CallGuard call(env_, ctx, "UpsertArtists", Access::kWrite);
//     if (!call.admitted()) return call.Finish(call.admission());
//     ...
//     call.Note("applied", applied);
//     return call.Finish(grpc::Status::OK);
//   }
// The context is any API's (grpc::ServerContextBase). The request id goes
// out with the initial metadata, so REQUIRES: the guard is constructed
// before the call sends its initial metadata (before an asynchronous call's
// Finish).
//
// Thread safety: a CallGuard belongs to one call (one thread); the
// CallEnvironment it points at is shared and thread-safe.
// Ownership: the guard does not own the environment, which must outlive it.
#ifndef INKDEX_SERVICE_SERVER_CALL_GUARD_H_
#define INKDEX_SERVICE_SERVER_CALL_GUARD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/token_check.h"  // Access

namespace inkdex::server {

class CallEnvironment;  // call_environment.h: tokens, limiter, metrics, log

// The same code and message; absl and gRPC share the canonical codes.
grpc::Status ToGrpcStatus(const absl::Status& status);

class CallGuard {
 public:
  // `context` may be null (tests): no metadata, no request id echoed.
  CallGuard(CallEnvironment& env, grpc::ServerContextBase* context, std::string_view method,
            Access access);
  ~CallGuard();  // a guard never Finished records its call as INTERNAL
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;

  bool admitted() const { return admission_.ok(); }
  // Why the call was refused (UNAUTHENTICATED, PERMISSION_DENIED,
  // FAILED_PRECONDITION, RESOURCE_EXHAUSTED); OK when admitted.
  const grpc::Status& admission() const { return admission_; }
  const std::string& request_id() const { return request_id_; }
  // When the guard was constructed: the call's admission.
  absl::Time start() const { return start_; }

  // Adds a field to the call's log line (never put tokens or whole records
  // here: ids, counts and sizes only).
  void Note(std::string_view key, std::string_view value);
  void Note(std::string_view key, int64_t value);

  // Records the call with `status` (metrics + log line) and returns it.
  // REQUIRES: called at most once.
  grpc::Status Finish(grpc::Status status);

 private:
  CallEnvironment& env_;
  grpc::ServerContextBase* context_;
  std::string method_;
  std::string request_id_;
  grpc::Status admission_;
  bool holds_slot_ = false;
  bool finished_ = false;
  absl::Time start_;
  std::string notes_;  // JSON members, ",\"k\":v" each
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_CALL_GUARD_H_
