#include "server/artist_search_service.h"

#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "api/convert.h"
#include "server/call_guard.h"
#include "server/server_flags.h"

namespace inkdex::server {
namespace {

constexpr size_t kMaxIdBytes = 256;
// How many missing ids a NOT_FOUND message names.
constexpr size_t kMissingIdsShown = 10;

bool PastDeadline(const grpc::ServerContextBase* context) {
  return std::chrono::system_clock::now() > context->deadline();
}

bool Interrupted(const grpc::ServerContextBase* context) {
  return context->IsCancelled() || PastDeadline(context);
}

// The status of a call that stopped because it was interrupted. The client's
// own deadline timer usually cancels the call a little before the server's
// copy of the deadline (sent as a relative timeout, so it starts later)
// passes; a cancellation that close to the deadline is the deadline.
grpc::Status InterruptedStatus(const grpc::ServerContextBase* context) {
  constexpr auto kDeadlineSlack = std::chrono::milliseconds(50);
  if (std::chrono::system_clock::now() + kDeadlineSlack >= context->deadline()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "deadline exceeded: the call was stopped at its deadline");
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled by the client");
}

// A library error for a call that may have been interrupted: the searcher
// reports CANCELLED (`interrupted`, which here also covers the deadline) or
// DEADLINE_EXCEEDED (its own copy of the deadline); the call's deadline
// decides which.
grpc::Status CallStatus(const grpc::ServerContextBase* context, const absl::Status& status) {
  if (absl::IsCancelled(status) || absl::IsDeadlineExceeded(status)) {
    return InterruptedStatus(context);
  }
  return ToGrpcStatus(status);
}

// RESOURCE_EXHAUSTED when `response` is larger than `max_bytes` (> 0),
// naming the flag and `what_to_lower` (empty: nothing the caller can
// lower); OK otherwise.
grpc::Status CheckResponseSize(const google::protobuf::Message& response, int64_t max_bytes,
                               absl::string_view what_to_lower) {
  if (max_bytes <= 0) return grpc::Status::OK;
  const size_t bytes = response.ByteSizeLong();
  if (bytes <= static_cast<size_t>(max_bytes)) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("response: ", bytes, " bytes, more than the server's --max-message-bytes (",
                   max_bytes, "); ", what_to_lower, what_to_lower.empty() ? "" : ", or ",
                   "raise --max-message-bytes"));
}

// Checks one artist id of a request; `field` names it in the message.
absl::Status CheckId(const std::string& id, const std::string& field) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be at most ", kMaxIdBytes, " bytes, got ", id.size()));
  }
  return absl::OkStatus();
}

// Commits a prepared upsert or delete and fills the per-item response.
// A batch whose answer could pass `max_message_bytes` (> 0) is refused
// before it is committed: refused after, its changes would be applied while
// the caller saw only an error.
grpc::Status CommitPrepared(CallGuard& call, WriteCommitter& committer, int64_t max_message_bytes,
                            absl::StatusOr<api::PreparedWrite> prepared,
                            v1::WriteArtistsResponse* response) {
  if (!prepared.ok()) return call.Finish(ToGrpcStatus(prepared.status()));
  call.Note("items", static_cast<int64_t>(prepared->items.size()));
  call.Note("changes", static_cast<int64_t>(prepared->batch.size()));
  if (const size_t bound = api::WriteResponseBytesBound(*prepared);
      max_message_bytes > 0 && bound > static_cast<size_t>(max_message_bytes)) {
    return call.Finish(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("response: could take ", bound,
                     " bytes (a result per item, with its reason), more than the server's "
                     "--max-message-bytes (",
                     max_message_bytes,
                     "); nothing was applied: send fewer items per call, or raise "
                     "--max-message-bytes")));
  }
  absl::StatusOr<CommitOutcome> outcome = committer.Write(prepared->batch);
  if (!outcome.ok()) return call.Finish(ToGrpcStatus(outcome.status()));
  *response = api::WriteResultsToProto(*prepared, outcome->results, outcome->commit_seq);
  int64_t applied = 0, stale = 0, rejected = 0;
  for (const v1::WriteResult& result : response->results()) {
    switch (result.outcome()) {
      case v1::WriteResult::OUTCOME_APPLIED:
        ++applied;
        break;
      case v1::WriteResult::OUTCOME_STALE:
        ++stale;
        break;
      default:
        ++rejected;
        break;
    }
  }
  call.Note("applied", applied);
  call.Note("stale", stale);
  call.Note("rejected", rejected);
  call.Note("commit_seq", static_cast<int64_t>(outcome->commit_seq));
  return call.Finish(grpc::Status::OK);
}

// FAILED_PRECONDITION for a direct write to a server whose artists come
// from a table (ServiceInfo::source_table); OK when they come from none.
grpc::Status CheckDirectWritesAllowed(const char* method, const SourceTable& source) {
  if (source.empty()) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      absl::StrCat(method, ": this server follows the DynamoDB table '", source.name, "' (",
                   source.flag,
                   "), which is the source of its artists: write to the table, whose stream "
                   "brings the change here; a direct write would make the index differ from the "
                   "table, and a re-sync or a new replica's bootstrap scan would not have it"));
}

}  // namespace

// The threads of calls that wait ServiceInfo::test_search_delay (test-only):
// one detached thread per such call, counted so that the service's
// destructor can wait until none is left.
// Thread safety: thread-safe.
class DelayedCallThreads : public std::enable_shared_from_this<DelayedCallThreads> {
 public:
  // Runs `job` on a new thread.
  void Start(absl::AnyInvocable<void() &&> job) {
    {
      absl::MutexLock lock(&mu_);
      ++running_;
    }
    // The thread keeps this object alive past its last use of the service.
    std::thread([self = shared_from_this(), job = std::move(job)]() mutable {
      std::move(job)();
      absl::MutexLock lock(&self->mu_);
      --self->running_;
    }).detach();
  }

  void WaitUntilNoneRunning() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* running) { return *running == 0; }, &running_));
  }

 private:
  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
};

namespace {

// The resolved number of read loops: <= 0 is one per core.
int ResolveReadThreads(int threads) {
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

ArtistSearchServiceImpl::ArtistSearchServiceImpl(CallEnvironment& env, IndexHolder& holder,
                                                 WriteCommitter& committer, ServiceInfo info)
    : env_(env),
      holder_(holder),
      committer_(committer),
      info_([&info] {
        if (info.version.empty()) info.version = ServerVersion();
        if (info.build.empty()) info.build = ServerBuild();
        if (info.started == absl::InfinitePast()) info.started = absl::Now();
        return std::move(info);
      }()),
      read_threads_(ResolveReadThreads(info_.read_threads)),
      delayed_calls_(std::make_shared<DelayedCallThreads>()) {
  DefineReadMethods();
  ParseRequestsOf("inkdex.v1.ArtistSearch", "UpsertArtists", env_, Access::kWrite, this,
                  &ArtistSearchServiceImpl::UpsertArtists);
  ParseRequestsOf("inkdex.v1.ArtistSearch", "DeleteArtists", env_, Access::kWrite, this,
                  &ArtistSearchServiceImpl::DeleteArtists);
}

ArtistSearchServiceImpl::~ArtistSearchServiceImpl() {
  loops_.reset();
  delayed_calls_->WaitUntilNoneRunning();
}

void ArtistSearchServiceImpl::DefineReadMethods() {
  // Each method: its name, how to ask gRPC for its next call (the generated
  // RequestX), and its body.
  auto define = [this](auto& method, std::string name, auto request, auto body) {
    method.name = std::move(name);
    method.env = &env_;
    method.request = [this, request](auto* context, auto* message, auto* responder,
                                     grpc::ServerCompletionQueue* queue, void* tag) {
      (this->*request)(context, message, responder, queue, queue, tag);
    };
    method.body = std::move(body);
  };
  define(
      search_, "Search", &ArtistSearchServiceImpl::RequestSearch,
      [this](CallGuard& call, grpc::ServerContextBase* context, const v1::SearchRequest& request,
             v1::SearchResponse* response) { return RunSearch(call, context, request, response); });
  define(get_artist_, "GetArtist", &ArtistSearchServiceImpl::RequestGetArtist,
         [this](CallGuard& call, grpc::ServerContextBase*, const v1::GetArtistRequest& request,
                Artist* response) { return RunGetArtist(call, request, response); });
  define(batch_get_artists_, "BatchGetArtists", &ArtistSearchServiceImpl::RequestBatchGetArtists,
         [this](CallGuard& call, grpc::ServerContextBase*,
                const v1::BatchGetArtistsRequest& request, v1::BatchGetArtistsResponse* response) {
           return RunBatchGetArtists(call, request, response);
         });
  define(suggest_, "Suggest", &ArtistSearchServiceImpl::RequestSuggest,
         [this](CallGuard& call, grpc::ServerContextBase* context,
                const v1::SuggestRequest& request, v1::SuggestResponse* response) {
           return RunSuggest(call, context, request, response);
         });
  define(list_styles_, "ListStyles", &ArtistSearchServiceImpl::RequestListStyles,
         [this](CallGuard& call, grpc::ServerContextBase*, const v1::ListStylesRequest&,
                v1::ListStylesResponse* response) { return RunListStyles(call, response); });
  define(get_stats_, "GetStats", &ArtistSearchServiceImpl::RequestGetStats,
         [this](CallGuard& call, grpc::ServerContextBase*, const v1::GetStatsRequest&,
                v1::GetStatsResponse* response) { return RunGetStats(call, response); });
  // Point reads: a backlog of searches must not hold them up.
  get_artist_.runs_at_admission = true;
  get_stats_.runs_at_admission = true;
  if (info_.test_search_delay > absl::ZeroDuration()) {
    auto own_thread = [calls = delayed_calls_](absl::AnyInvocable<void() &&> job) {
      calls->Start(std::move(job));
    };
    search_.run_elsewhere = own_thread;
    suggest_.run_elsewhere = own_thread;
  }
}

void ArtistSearchServiceImpl::AddReadQueue(grpc::ServerBuilder& builder) {
  std::vector<ReadLoops::CallFactory> methods = {
      CallFactoryOf(search_),  CallFactoryOf(get_artist_),  CallFactoryOf(batch_get_artists_),
      CallFactoryOf(suggest_), CallFactoryOf(list_styles_), CallFactoryOf(get_stats_)};
  loops_ =
      std::make_unique<ReadLoops>(builder.AddCompletionQueue(), std::move(methods), read_threads_);
}

void ArtistSearchServiceImpl::StartReads() { loops_->Start(); }

void ArtistSearchServiceImpl::StopReads() { loops_->Stop(); }

bool ArtistSearchServiceImpl::WaitTestDelay(const grpc::ServerContextBase* context) const {
  const absl::Time end = absl::Now() + info_.test_search_delay;
  while (absl::Now() < end && !Interrupted(context)) absl::SleepFor(absl::Milliseconds(1));
  return !Interrupted(context);
}

grpc::Status ArtistSearchServiceImpl::RunSearch(CallGuard& call, grpc::ServerContextBase* context,
                                                const v1::SearchRequest& request,
                                                v1::SearchResponse* response) {
  // Taken first: a call that is in flight when the index is swapped
  // finishes on the index it started on.
  const std::shared_ptr<Index> index = holder_.Current();
  absl::StatusOr<SearchRequest> query = api::FromProto(request);
  if (!query.ok()) return call.Finish(ToGrpcStatus(query.status()));
  if (!WaitTestDelay(context)) return call.Finish(InterruptedStatus(context));
  query->interrupted = [context] { return Interrupted(context); };
  if (context->deadline() != std::chrono::system_clock::time_point::max()) {
    query->deadline = absl::FromChrono(context->deadline());
  }
  absl::StatusOr<SearchResponse> result = index->Search(*query);
  if (!result.ok()) return call.Finish(CallStatus(context, result.status()));
  api::ToProto(*result, response);
  call.Note("total", result->total);
  call.Note("hits", static_cast<int64_t>(result->hits.size()));
  call.Note("commit_seq", static_cast<int64_t>(result->commit_seq));
  return call.Finish(
      CheckResponseSize(*response, info_.max_message_bytes,
                        "lower limit (the page size) or top_cities, or leave explain off"));
}

grpc::Status ArtistSearchServiceImpl::RunGetArtist(CallGuard& call,
                                                   const v1::GetArtistRequest& request,
                                                   Artist* response) {
  if (absl::Status s = CheckId(request.id(), "id"); !s.ok()) {
    return call.Finish(ToGrpcStatus(s));
  }
  call.Note("id", request.id());
  // Get is NOT_FOUND for an unknown, deleted or opted-out artist.
  absl::StatusOr<Artist> artist = holder_.Current()->Get(request.id());
  if (!artist.ok()) return call.Finish(ToGrpcStatus(artist.status()));
  *response = *std::move(artist);
  // The record is whatever was stored; only the limit can change.
  return call.Finish(CheckResponseSize(*response, info_.max_message_bytes, ""));
}

grpc::Status ArtistSearchServiceImpl::RunBatchGetArtists(CallGuard& call,
                                                         const v1::BatchGetArtistsRequest& request,
                                                         v1::BatchGetArtistsResponse* response) {
  const int count = request.ids_size();
  if (count < 1 || count > api::kMaxBatchGetIds) {
    return call.Finish(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("ids: must hold 1..", api::kMaxBatchGetIds, " ids, got ", count)));
  }
  for (int i = 0; i < count; ++i) {
    if (absl::Status s = CheckId(request.ids(i), absl::StrCat("ids[", i, "]")); !s.ok()) {
      return call.Finish(ToGrpcStatus(s));
    }
  }
  call.Note("ids", count);
  const std::shared_ptr<Index> index = holder_.Current();
  std::vector<std::string> missing;
  for (const std::string& id : request.ids()) {
    absl::StatusOr<Artist> artist = index->Get(id);
    if (absl::IsNotFound(artist.status())) {
      missing.push_back(id);
    } else if (!artist.ok()) {
      return call.Finish(ToGrpcStatus(artist.status()));
    } else {
      *response->add_artists() = *std::move(artist);
    }
  }
  call.Note("missing", static_cast<int64_t>(missing.size()));
  if (!missing.empty() && !request.allow_missing()) {
    response->Clear();
    const size_t shown = std::min(missing.size(), kMissingIdsShown);
    return call.Finish(
        grpc::Status(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("ids: ", missing.size(), " artist(s) not found: ",
                                  absl::StrJoin(missing.begin(), missing.begin() + shown, ", "),
                                  missing.size() > shown ? ", ..." : "")));
  }
  for (std::string& id : missing) response->add_missing_ids(std::move(id));
  return call.Finish(
      CheckResponseSize(*response, info_.max_message_bytes, "ask for fewer ids per call"));
}

grpc::Status ArtistSearchServiceImpl::RunSuggest(CallGuard& call, grpc::ServerContextBase* context,
                                                 const v1::SuggestRequest& request,
                                                 v1::SuggestResponse* response) {
  const std::shared_ptr<Index> index = holder_.Current();
  absl::StatusOr<SuggestRequest> query = api::FromProto(request);
  if (!query.ok()) return call.Finish(ToGrpcStatus(query.status()));
  if (!WaitTestDelay(context)) return call.Finish(InterruptedStatus(context));
  absl::StatusOr<std::vector<Suggestion>> suggestions = index->Suggest(*query);
  if (!suggestions.ok()) return call.Finish(CallStatus(context, suggestions.status()));
  api::ToProto(*suggestions, response);
  call.Note("suggestions", static_cast<int64_t>(suggestions->size()));
  return call.Finish(grpc::Status::OK);
}

grpc::Status ArtistSearchServiceImpl::RunListStyles(CallGuard& call,
                                                    v1::ListStylesResponse* response) {
  const std::shared_ptr<Index> index = holder_.Current();
  // Stats and StyleCounts each read the index's latest commit, so a commit
  // landing between the two makes the counts newer than commit_seq. Reading
  // the sequence first keeps the promise that matters to a client waiting
  // for its write: the counts include at least commit `commit_seq`.
  const uint64_t commit_seq = index->Stats().commit_seq;
  *response = api::StylesToProto(index->taxonomy(), index->StyleCounts(), commit_seq);
  call.Note("styles", response->styles_size());
  return call.Finish(grpc::Status::OK);
}

grpc::Status ArtistSearchServiceImpl::UpsertArtists(grpc::ServerContext* context,
                                                    const v1::UpsertArtistsRequest* request,
                                                    v1::WriteArtistsResponse* response) {
  CallGuard call(env_, context, "UpsertArtists", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  if (grpc::Status s = CheckDirectWritesAllowed("UpsertArtists", info_.source_table); !s.ok()) {
    return call.Finish(s);
  }
  return CommitPrepared(call, committer_, info_.max_message_bytes,
                        api::PrepareUpserts(*request, holder_.Current()->taxonomy()), response);
}

grpc::Status ArtistSearchServiceImpl::DeleteArtists(grpc::ServerContext* context,
                                                    const v1::DeleteArtistsRequest* request,
                                                    v1::WriteArtistsResponse* response) {
  CallGuard call(env_, context, "DeleteArtists", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  if (grpc::Status s = CheckDirectWritesAllowed("DeleteArtists", info_.source_table); !s.ok()) {
    return call.Finish(s);
  }
  return CommitPrepared(call, committer_, info_.max_message_bytes, api::PrepareDeletes(*request),
                        response);
}

grpc::Status ArtistSearchServiceImpl::RunGetStats(CallGuard& call, v1::GetStatsResponse* response) {
  const ServedIndex served = holder_.Served();
  *response = api::StatsToProto(served.index->Stats());
  response->set_index_directory(served.directory);
  response->set_version(info_.version);
  response->set_build(info_.build);
  response->set_started_unix_micros(absl::ToUnixMicros(info_.started));
  response->set_index_generation(served.generation);
  if (absl::StatusOr<SlotLayout> layout = holder_.CurrentSlotLayout(absl::Now()); layout.ok()) {
    *response->mutable_slot_layout() = api::SlotLayoutToProto(*layout);
  }
  call.Note("documents", static_cast<int64_t>(response->documents()));
  return call.Finish(grpc::Status::OK);
}

}  // namespace inkdex::server
