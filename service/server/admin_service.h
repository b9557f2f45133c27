// AdminServiceImpl: the inkdex.v1.Admin RPCs of inkdex-server (operating the
// server; every method needs the write token).
//
// SwapIndex replaces the served index by one built offline, through
// WriteCommitter::SwapIndex (pending writes are committed to the old index
// first; calls in flight finish on the old index; on any error the served
// index is unchanged).
//
// Thread safety: gRPC calls the handlers concurrently; the service holds no
// per-call state.
// Ownership: the environment and committer are not owned and must outlive
// the service.
#ifndef INKDEX_SERVICE_SERVER_ADMIN_SERVICE_H_
#define INKDEX_SERVICE_SERVER_ADMIN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/write_committer.h"

namespace inkdex::server {

class CallEnvironment;  // call_environment.h

class AdminServiceImpl final : public inkdex::v1::Admin::Service {
 public:
  AdminServiceImpl(CallEnvironment& env, WriteCommitter& committer);

  grpc::Status SwapIndex(grpc::ServerContext* context, const v1::SwapIndexRequest* request,
                         v1::SwapIndexResponse* response) override;

 private:
  CallEnvironment& env_;
  WriteCommitter& committer_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_ADMIN_SERVICE_H_
