#include "server/admin_service.h"

#include "server/artist_search_service.h"
#include "server/call_guard.h"

namespace inkdex::server {

AdminServiceImpl::AdminServiceImpl(CallEnvironment& env, WriteCommitter& committer)
    : env_(env), committer_(committer) {}

grpc::Status AdminServiceImpl::SwapIndex(grpc::ServerContext* context,
                                         const v1::SwapIndexRequest* request,
                                         v1::SwapIndexResponse* response) {
  CallGuard call(env_, context, "SwapIndex", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  if (request->directory().empty()) {
    return call.Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "directory: required"));
  }
  call.Note("directory", request->directory());
  call.Note("verify", request->verify() ? "true" : "false");
  absl::StatusOr<SwapResult> swapped =
      committer_.SwapIndex(request->directory(), request->verify());
  if (!swapped.ok()) return call.Finish(ToGrpcStatus(swapped.status()));
  response->set_directory(swapped->directory);
  response->set_documents(swapped->documents);
  response->set_commit_seq(swapped->commit_seq);
  response->set_index_generation(swapped->generation);
  call.Note("documents", static_cast<int64_t>(swapped->documents));
  call.Note("index_generation", static_cast<int64_t>(swapped->generation));
  return call.Finish(grpc::Status::OK);
}

}  // namespace inkdex::server
