// ArtistSearchServiceImpl: the inkdex.v1.ArtistSearch RPCs of inkdex-server.
//
// Each handler admits the call (CallGuard: request id, token, concurrency
// limit), converts the request (api/convert.h), runs it on the index served
// at that moment (IndexHolder::Current; the call keeps that index for its
// whole duration, so a swap never fails it), and converts the result back.
// Library errors keep their code and message (messages name the field).
//
// Two gRPC APIs, per method:
// - The reads (Search, GetArtist, BatchGetArtists, Suggest, ListStyles,
//   GetStats) use the asynchronous API, served by ReadLoops (read_loops.h):
//   one completion queue polled by one thread per core (--read-threads), each
//   call admitted when it arrives (CallGuard: RESOURCE_EXHAUSTED at once
//   beyond --max-concurrent-requests) and run on the loop thread that takes
//   it, with no hand-off between threads; GetArtist and GetStats (point
//   reads) run as soon as they are admitted, ahead of queued searches. Each
//   call's request and response live on a protobuf arena inside the call
//   (unary_read_call.h).
// - The writes (UpsertArtists, DeleteArtists) stay synchronous: they block
//   until the WriteCommitter's group commit, which must not hold a loop.
//   A server whose artists come from a DynamoDB table refuses them
//   (ServiceInfo::source_table, source_table.h).
//
// Serving the reads takes three steps around the server's life:
//   ArtistSearchServiceImpl service(env, holder, committer, info);
//   builder.RegisterService(&service);
//   service.AddReadQueue(builder);       // before BuildAndStart
//   std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
//   service.StartReads();
//   ...
//   server->Shutdown(deadline);          // the loops finish calls in flight
//   service.StopReads();
//
// Deadlines: Search polls the call's deadline (and cancellation, as far as
// the async API reports it: read_loops.h) while it runs
// (SearchRequest::interrupted) and stops with DEADLINE_EXCEEDED (CANCELLED
// when the client cancelled). The other reads are short and are only checked
// before they start (Search and Suggest) or not at all.
//
// Thread safety: the loops run calls concurrently; the service holds no
// per-call state. AddReadQueue, StartReads and StopReads are called once
// each, in that order, by one thread.
// Ownership: the environment, holder and committer are not owned and must
// outlive the service (and the grpc::Server it is registered with, which
// must be shut down, then StopReads called, before the service is
// destroyed). The service owns its ReadLoops; the destructor also waits for
// calls delayed by ServiceInfo::test_search_delay.
#ifndef INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_
#define INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/index_holder.h"
#include "server/parsed_requests.h"
#include "server/read_loops.h"
#include "server/source_table.h"
#include "server/unary_read_call.h"
#include "server/write_committer.h"

namespace inkdex::server {

class CallEnvironment;     // call_environment.h
class CallGuard;           // call_guard.h
class DelayedCallThreads;  // artist_search_service.cc: test-delayed calls' threads

// What GetStats reports about the server itself.
struct ServiceInfo {
  std::string version;  // empty: this build's (ServerVersion())
  std::string build;    // empty: this build's compiler and build type (ServerBuild())
  // When the server started; InfinitePast (unset): when the service was
  // constructed.
  absl::Time started = absl::InfinitePast();
  // Test-only (--test-search-delay-ms): each Search and Suggest first waits
  // this long, in 1 ms steps, stopping early when the call is cancelled or
  // past its deadline. Zero in production. Such a call runs on a thread of
  // its own (not on a read loop), so waiting calls never hold the loops: the
  // concurrency limit, deadlines and drain behave as with real slow calls.
  absl::Duration test_search_delay;
  // Read loop threads (ReadLoops); <= 0: one per core.
  int read_threads = 0;
  // --max-message-bytes: a Search or BatchGetArtists response larger than
  // this fails with RESOURCE_EXHAUSTED saying what to lower (gRPC would
  // refuse to send it anyway, after the call was logged and counted OK).
  // <= 0: not checked.
  int64_t max_message_bytes = 0;
  // The DynamoDB table the server's artists come from (--stream-table or
  // --bootstrap-table); empty: none. UpsertArtists and DeleteArtists are
  // then refused with FAILED_PRECONDITION (source_table.h says why).
  SourceTable source_table;
};

// The generated ArtistSearch::Service with the read methods switched to the
// asynchronous API, taking their requests as bytes so that one that does not
// parse gets INVALID_ARGUMENT naming the field (unparsable_message.h), not
// gRPC's INTERNAL (the writes keep the synchronous API).
using ArtistSearchMixedService = v1::ArtistSearch::WithRawMethod_Search<
    v1::ArtistSearch::WithRawMethod_GetArtist<v1::ArtistSearch::WithRawMethod_BatchGetArtists<
        v1::ArtistSearch::WithRawMethod_Suggest<v1::ArtistSearch::WithRawMethod_ListStyles<
            v1::ArtistSearch::WithRawMethod_GetStats<v1::ArtistSearch::Service>>>>>>;

class ArtistSearchServiceImpl final : public WithParsedRequests<ArtistSearchMixedService> {
 public:
  ArtistSearchServiceImpl(CallEnvironment& env, IndexHolder& holder, WriteCommitter& committer,
                          ServiceInfo info);
  // Stops the reads if started and not stopped (REQUIRES: the server is shut
  // down); waits for delayed calls (test-only).
  ~ArtistSearchServiceImpl() override;

  // Adds the read loops' completion queue to `builder`. REQUIRES: the
  // service is registered with `builder`, which has not built its server.
  void AddReadQueue(grpc::ServerBuilder& builder);
  // Starts the read loops. REQUIRES: AddReadQueue, and the server built.
  void StartReads();
  // Takes the loops' last events and joins them. REQUIRES: the server has
  // been shut down (grpc::Server::Shutdown returned).
  void StopReads();

  // Threads running the reads (ServiceInfo::read_threads, resolved); 0
  // before StartReads.
  int read_threads() const { return loops_ != nullptr ? loops_->threads() : 0; }

  // Writes: synchronous API (they block until committed).
  grpc::Status UpsertArtists(grpc::ServerContext* context, const v1::UpsertArtistsRequest* request,
                             v1::WriteArtistsResponse* response) override;
  grpc::Status DeleteArtists(grpc::ServerContext* context, const v1::DeleteArtistsRequest* request,
                             v1::WriteArtistsResponse* response) override;

 private:
  // What each read method's calls share (unary_read_call.h).
  void DefineReadMethods();

  // The reads' work once admitted; each returns the call's status.
  grpc::Status RunSearch(CallGuard& call, grpc::ServerContextBase* context,
                         const v1::SearchRequest& request, v1::SearchResponse* response);
  grpc::Status RunGetArtist(CallGuard& call, const v1::GetArtistRequest& request, Artist* response);
  grpc::Status RunBatchGetArtists(CallGuard& call, const v1::BatchGetArtistsRequest& request,
                                  v1::BatchGetArtistsResponse* response);
  grpc::Status RunSuggest(CallGuard& call, grpc::ServerContextBase* context,
                          const v1::SuggestRequest& request, v1::SuggestResponse* response);
  grpc::Status RunListStyles(CallGuard& call, v1::ListStylesResponse* response);
  grpc::Status RunGetStats(CallGuard& call, v1::GetStatsResponse* response);

  // Waits ServiceInfo::test_search_delay (see there). False when the call is
  // cancelled or past its deadline (then or already before).
  bool WaitTestDelay(const grpc::ServerContextBase* context) const;

  CallEnvironment& env_;
  IndexHolder& holder_;
  WriteCommitter& committer_;
  const ServiceInfo info_;
  const int read_threads_;
  AsyncReadMethod<v1::SearchRequest, v1::SearchResponse> search_;
  AsyncReadMethod<v1::GetArtistRequest, Artist> get_artist_;
  AsyncReadMethod<v1::BatchGetArtistsRequest, v1::BatchGetArtistsResponse> batch_get_artists_;
  AsyncReadMethod<v1::SuggestRequest, v1::SuggestResponse> suggest_;
  AsyncReadMethod<v1::ListStylesRequest, v1::ListStylesResponse> list_styles_;
  AsyncReadMethod<v1::GetStatsRequest, v1::GetStatsResponse> get_stats_;
  // Shared with each delayed call's thread, which may outlive its last use
  // of the service by a few instructions.
  const std::shared_ptr<DelayedCallThreads> delayed_calls_;
  // After the methods: its calls use them until it is destroyed.
  std::unique_ptr<ReadLoops> loops_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_
