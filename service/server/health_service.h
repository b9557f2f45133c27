// HealthService: the standard grpc.health.v1.Health service of
// inkdex-server, in place of gRPC C++'s built-in one
// (grpc::EnableDefaultHealthCheckService).
//
// Why not the built-in one: it is written with the callback API, and a
// server with any callback method starts gRPC's callback threads, which
// poll the same sockets as the read loops and hand the calls they read over
// to them: a context switch or two per call (read_loops.h). This one uses
// the synchronous API: Check answers at once; Watch holds one of gRPC's
// synchronous threads for as long as a client watches (load balancers and
// probes: a handful per server).
//
// Semantics are the built-in service's: the server as a whole is the
// service "", and every name given at construction is known; Check answers
// SERVING or NOT_SERVING, NOT_FOUND for an unknown name; Watch sends the
// current status at once (SERVICE_UNKNOWN for an unknown name) and then every
// change. Shutdown (the drain) makes everything NOT_SERVING for good and
// ends the watches, so they never hold up grpc::Server::Shutdown.
//
// Example:
//   HealthService health({"inkdex.v1.ArtistSearch"});
//   builder.RegisterService(&health);
//   ...
//   health.SetServing(true);
//   ...
//   health.Shutdown();  // before server->Shutdown
//
// Thread safety: thread-safe.
// Ownership: must outlive the grpc::Server it is registered with.
#ifndef INKDEX_SERVICE_SERVER_HEALTH_SERVICE_H_
#define INKDEX_SERVICE_SERVER_HEALTH_SERVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace inkdex::server {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  // `services`: the names known besides "" (the server). Everything starts
  // NOT_SERVING.
  explicit HealthService(std::vector<std::string> services);

  // Sets the status of the server and every known service, unless Shutdown
  // has been called.
  void SetServing(bool serving);
  // NOT_SERVING from now on (SetServing is ignored after); ends the watches.
  void Shutdown();

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

  // How often a waiting Watch looks whether its client has gone (the
  // synchronous API has no cancellation callback).
  static constexpr absl::Duration kWatchPollInterval = absl::Milliseconds(200);

 private:
  using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
  Status StatusOf(const std::string& service) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::flat_hash_set<std::string> services_;  // "" included
  mutable absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t changes_ ABSL_GUARDED_BY(mu_) = 0;  // counts status changes and Shutdown
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_HEALTH_SERVICE_H_
