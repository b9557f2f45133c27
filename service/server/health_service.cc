#include "server/health_service.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace inkdex::server {
namespace {

using grpc::health::v1::HealthCheckResponse;

absl::flat_hash_set<std::string> WithServer(std::vector<std::string> services) {
  absl::flat_hash_set<std::string> known(std::make_move_iterator(services.begin()),
                                         std::make_move_iterator(services.end()));
  known.insert("");
  return known;
}

}  // namespace

HealthService::HealthService(std::vector<std::string> services)
    : services_(WithServer(std::move(services))) {}

void HealthService::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  if (shut_down_ || serving_ == serving) return;
  serving_ = serving;
  ++changes_;
}

void HealthService::Shutdown() {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  shut_down_ = true;
  serving_ = false;
  ++changes_;
}

HealthService::Status HealthService::StatusOf(const std::string& service) const {
  if (!services_.contains(service)) return HealthCheckResponse::SERVICE_UNKNOWN;
  return serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::Status HealthService::Check(grpc::ServerContext* /*context*/,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  absl::MutexLock lock(&mu_);
  const Status status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("service: unknown service '", request->service(), "'"));
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  uint64_t seen = 0;
  bool first = true;
  for (;;) {
    HealthCheckResponse response;
    bool shut_down = false;
    {
      absl::MutexLock lock(&mu_);
      auto changed = [this, &seen]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return changes_ != seen; };
      if (!first) {
        mu_.AwaitWithTimeout(absl::Condition(&changed), kWatchPollInterval);
        if (!changed()) {
          if (context->IsCancelled()) return grpc::Status::CANCELLED;
          continue;
        }
      }
      first = false;
      seen = changes_;
      shut_down = shut_down_;
      response.set_status(StatusOf(request->service()));
    }
    if (!writer->Write(response)) return grpc::Status::CANCELLED;  // the client has gone
    if (shut_down) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
    }
  }
}

}  // namespace inkdex::server
