// ArtistSearchServiceImpl: the inkdex.v1.ArtistSearch RPCs of inkdex-server.
//
// Each handler admits the call (CallGuard: request id, token, concurrency
// limit), converts the request (api/convert.h), runs it on the index served
// at that moment (IndexHolder::Current; the call keeps that index for its
// whole duration, so a swap never fails it), and converts the result back.
// Library errors keep their code and message (messages name the field).
// Writes go through the WriteCommitter (group commit) and return once
// committed.
//
// Deadlines: Search polls the call's cancellation and deadline while it runs
// (SearchRequest::interrupted) and stops with DEADLINE_EXCEEDED (CANCELLED
// when the client cancelled). Suggest is short and is only checked before it
// starts.
//
// Thread safety: gRPC calls the handlers concurrently from its threads; the
// service holds no per-call state.
// Ownership: the environment, holder and committer are not owned and must
// outlive the service (and the grpc::Server it is registered with).
#ifndef INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_
#define INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_

#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/index_holder.h"
#include "server/write_committer.h"

namespace inkdex::server {

class CallEnvironment;  // call_environment.h

// What GetStats reports about the server itself.
struct ServiceInfo {
  std::string version;  // empty: this build's (ServerVersion())
  std::string build;    // empty: this build's compiler and build type (ServerBuild())
  // When the server started; InfinitePast (unset): when the service was
  // constructed.
  absl::Time started = absl::InfinitePast();
  // Test-only (--test-search-delay-ms): each Search and Suggest first waits
  // this long, in 1 ms steps, stopping early when the call is cancelled or
  // past its deadline. Zero in production.
  absl::Duration test_search_delay;
};

class ArtistSearchServiceImpl final : public inkdex::v1::ArtistSearch::Service {
 public:
  ArtistSearchServiceImpl(CallEnvironment& env, IndexHolder& holder, WriteCommitter& committer,
                          ServiceInfo info);

  grpc::Status Search(grpc::ServerContext* context, const v1::SearchRequest* request,
                      v1::SearchResponse* response) override;
  grpc::Status GetArtist(grpc::ServerContext* context, const v1::GetArtistRequest* request,
                         Artist* response) override;
  grpc::Status BatchGetArtists(grpc::ServerContext* context,
                               const v1::BatchGetArtistsRequest* request,
                               v1::BatchGetArtistsResponse* response) override;
  grpc::Status Suggest(grpc::ServerContext* context, const v1::SuggestRequest* request,
                       v1::SuggestResponse* response) override;
  grpc::Status ListStyles(grpc::ServerContext* context, const v1::ListStylesRequest* request,
                          v1::ListStylesResponse* response) override;
  grpc::Status UpsertArtists(grpc::ServerContext* context, const v1::UpsertArtistsRequest* request,
                             v1::WriteArtistsResponse* response) override;
  grpc::Status DeleteArtists(grpc::ServerContext* context, const v1::DeleteArtistsRequest* request,
                             v1::WriteArtistsResponse* response) override;
  grpc::Status GetStats(grpc::ServerContext* context, const v1::GetStatsRequest* request,
                        v1::GetStatsResponse* response) override;

 private:
  // Waits ServiceInfo::test_search_delay (see there). False when the call is
  // cancelled or past its deadline (then or already before).
  bool WaitTestDelay(grpc::ServerContext* context) const;

  CallEnvironment& env_;
  IndexHolder& holder_;
  WriteCommitter& committer_;
  const ServiceInfo info_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_
