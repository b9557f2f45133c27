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
//   GetStats) use the callback API: no thread of gRPC's synchronous server
//   per call, whose hand-off of every call from a polling thread to a worker
//   thread (futex wake-ups, context switches, thread creation) cost as much
//   CPU as a small search. The handler admits the call inline on the gRPC
//   thread that delivers it (CallGuard: RESOURCE_EXHAUSTED at once beyond
//   --max-concurrent-requests), then runs it: GetArtist and GetStats (a
//   point read, counters) inline; Search, Suggest, BatchGetArtists and
//   ListStyles on ReadWorkers, one thread per core (read_workers.h says
//   why not inline), whose queue only ever holds admitted calls.
// - The writes (UpsertArtists, DeleteArtists) stay synchronous: they block
//   until the WriteCommitter's group commit, which must not hold a callback
//   thread. A server that follows a DynamoDB table refuses them
//   (ServiceInfo::stream_table).
//
// Search's and Suggest's request and response live on a protobuf arena per
// call (ArenaMessageAllocator): the response is filled in place.
//
// Deadlines: Search polls the call's cancellation and deadline while it runs
// (SearchRequest::interrupted) and stops with DEADLINE_EXCEEDED (CANCELLED
// when the client cancelled). The other reads are short and are only checked
// before they start (Search and Suggest) or not at all.
//
// Thread safety: gRPC calls the handlers concurrently from its threads; the
// service holds no per-call state.
// Ownership: the environment, holder and committer are not owned and must
// outlive the service (and the grpc::Server it is registered with, which
// must be shut down before the service is destroyed). The service owns its
// ReadWorkers; the destructor also waits for calls delayed by
// ServiceInfo::test_search_delay.
#ifndef INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_
#define INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_

#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/arena_message_allocator.h"
#include "server/index_holder.h"
#include "server/read_workers.h"
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
  // its own (not inline), so waiting calls never hold gRPC's threads: the
  // concurrency limit, deadlines and drain behave as with real slow calls.
  absl::Duration test_search_delay;
  // Threads of the ReadWorkers; <= 0: one per core.
  int read_threads = 0;
  // The DynamoDB table the server follows (--stream-table); empty: none.
  // Its artists are then the table's: UpsertArtists and DeleteArtists are
  // refused with FAILED_PRECONDITION, since such a write would make the index
  // differ from the table, and the next re-sync (a rebuild from a table scan)
  // would drop it after it was acknowledged.
  std::string stream_table;
};

// The generated ArtistSearch::Service with the read methods switched to the
// callback API (the writes keep the synchronous API).
using ArtistSearchMixedService =
    v1::ArtistSearch::WithCallbackMethod_Search<v1::ArtistSearch::WithCallbackMethod_GetArtist<
        v1::ArtistSearch::WithCallbackMethod_BatchGetArtists<
            v1::ArtistSearch::WithCallbackMethod_Suggest<
                v1::ArtistSearch::WithCallbackMethod_ListStyles<
                    v1::ArtistSearch::WithCallbackMethod_GetStats<v1::ArtistSearch::Service>>>>>>;

class ArtistSearchServiceImpl final : public ArtistSearchMixedService {
 public:
  ArtistSearchServiceImpl(CallEnvironment& env, IndexHolder& holder, WriteCommitter& committer,
                          ServiceInfo info);
  ~ArtistSearchServiceImpl() override;  // waits for delayed calls (test-only)

  // Reads: callback API (see the top of this file).
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const v1::SearchRequest* request,
                                   v1::SearchResponse* response) override;
  grpc::ServerUnaryReactor* GetArtist(grpc::CallbackServerContext* context,
                                      const v1::GetArtistRequest* request,
                                      Artist* response) override;
  grpc::ServerUnaryReactor* BatchGetArtists(grpc::CallbackServerContext* context,
                                            const v1::BatchGetArtistsRequest* request,
                                            v1::BatchGetArtistsResponse* response) override;
  grpc::ServerUnaryReactor* Suggest(grpc::CallbackServerContext* context,
                                    const v1::SuggestRequest* request,
                                    v1::SuggestResponse* response) override;
  grpc::ServerUnaryReactor* ListStyles(grpc::CallbackServerContext* context,
                                       const v1::ListStylesRequest* request,
                                       v1::ListStylesResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const v1::GetStatsRequest* request,
                                     v1::GetStatsResponse* response) override;

  // Threads running the reads (ServiceInfo::read_threads, resolved).
  int read_threads() const { return workers_.threads(); }

  // Writes: synchronous API (they block until committed).
  grpc::Status UpsertArtists(grpc::ServerContext* context, const v1::UpsertArtistsRequest* request,
                             v1::WriteArtistsResponse* response) override;
  grpc::Status DeleteArtists(grpc::ServerContext* context, const v1::DeleteArtistsRequest* request,
                             v1::WriteArtistsResponse* response) override;

 private:
  // Where an admitted read call runs: on the gRPC thread that delivered
  // it, on the ReadWorkers, or (calls waiting the test delay) on a thread of
  // its own.
  enum class ReadPlace { kInline, kWorkers, kOwnThread };
  // Search's and Suggest's: kOwnThread while ServiceInfo::test_search_delay
  // is set, else kWorkers.
  ReadPlace SearchPlace() const {
    return info_.test_search_delay > absl::ZeroDuration() ? ReadPlace::kOwnThread
                                                          : ReadPlace::kWorkers;
  }

  // Admits a read call (CallGuard), then runs `body` (grpc::Status(CallGuard&):
  // the call's work, ending with CallGuard::Finish) at `place` and finishes
  // the call with its status.
  template <typename Body>
  grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context, std::string_view method,
                                  ReadPlace place, Body body);

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
  // Search's and Suggest's messages, on an arena per call. Declared before
  // the workers: destroyed after them.
  ArenaMessageAllocator<v1::SearchRequest, v1::SearchResponse> search_messages_;
  ArenaMessageAllocator<v1::SuggestRequest, v1::SuggestResponse> suggest_messages_;
  ReadWorkers workers_;
  // Shared with each delayed call's thread, which may outlive its last use
  // of the service by a few instructions.
  const std::shared_ptr<DelayedCallThreads> delayed_calls_;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_ARTIST_SEARCH_SERVICE_H_
