#include "server/admin_service.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/artist_search_service.h"
#include "server/call_guard.h"

namespace inkdex::server {

namespace {

// A repeated field's element costs its bytes plus a tag and a length: 8
// bounds those for any element under 2^49 bytes.
constexpr size_t kElementFraming = 8;

}  // namespace

AdminServiceImpl::AdminServiceImpl(CallEnvironment& env, IndexHolder& holder,
                                   WriteCommitter& committer, int64_t max_message_bytes,
                                   SlotRenumberer* renumberer)
    : env_(env),
      holder_(holder),
      committer_(committer),
      max_message_bytes_(max_message_bytes),
      message_limit_(max_message_bytes > 0 ? static_cast<size_t>(max_message_bytes) : SIZE_MAX),
      renumberer_(renumberer) {
  ParseRequestsOf("inkdex.v1.Admin", "SwapIndex", env_, Access::kWrite, this,
                  &AdminServiceImpl::SwapIndex);
  ParseRequestsOf("inkdex.v1.Admin", "VerifyIndex", env_, Access::kWrite, this,
                  &AdminServiceImpl::VerifyIndex);
  ParseStreamingRequestsOf("inkdex.v1.Admin", "ExportArtists", env_, Access::kWrite, this,
                           &AdminServiceImpl::ExportArtists);
  ParseRequestsOf("inkdex.v1.Admin", "RenumberSlots", env_, Access::kWrite, this,
                  &AdminServiceImpl::RenumberSlots);
}

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
  // A call that goes away (or a drain's deadline) stops the verification.
  absl::StatusOr<SwapResult> swapped = committer_.SwapIndex(
      request->directory(), request->verify(), [context] { return context->IsCancelled(); });
  if (!swapped.ok()) return call.Finish(ToGrpcStatus(swapped.status()));
  response->set_directory(swapped->directory);
  response->set_documents(swapped->documents);
  response->set_commit_seq(swapped->commit_seq);
  response->set_index_generation(swapped->generation);
  call.Note("documents", static_cast<int64_t>(swapped->documents));
  call.Note("index_generation", static_cast<int64_t>(swapped->generation));
  call.Note("prefetched_bytes", static_cast<int64_t>(swapped->prefetched_bytes));
  if (!swapped->prefetch.ok()) call.Note("prefetch_error", swapped->prefetch.ToString());
  return call.Finish(grpc::Status::OK);
}

grpc::Status AdminServiceImpl::VerifyIndex(grpc::ServerContext* context,
                                           const v1::VerifyIndexRequest* request,
                                           v1::VerifyIndexResponse* response) {
  CallGuard call(env_, context, "VerifyIndex", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  if (!verify_mu_.TryLock()) {
    return call.Finish(grpc::Status(grpc::StatusCode::ABORTED,
                                    "another VerifyIndex is running (one at a time); retry "
                                    "once it has finished"));
  }
  const ServedIndex served = holder_.Served();
  VerifyOptions options;
  options.cancelled = [context] { return context->IsCancelled(); };
  options.check_postings = request->check_postings();
  absl::StatusOr<VerifyReport> report = served.index->Verify(options);
  verify_mu_.Unlock();
  call.Note("index_generation", static_cast<int64_t>(served.generation));
  if (!report.ok()) return call.Finish(ToGrpcStatus(report.status()));
  response->set_consistent(report->ok());
  response->set_documents_checked(report->documents_checked);
  response->set_tombstones_checked(report->tombstones_checked);
  response->set_searchable_checked(report->searchable_checked);
  response->set_postings_checked(report->postings_checked);
  response->set_commit_seq(report->commit_seq);
  response->set_index_directory(served.directory);
  response->set_index_generation(served.generation);
  // Up to 1,000 problems of a few hundred bytes each; under a small
  // --max-message-bytes the list is cut, saying so, rather than the answer
  // failing to send.
  constexpr size_t kCutLineBytes = 160;  // the closing line and its framing
  size_t shown = 0, bytes = response->ByteSizeLong();
  for (const std::string& problem : report->problems) {
    bytes += problem.size() + kElementFraming;
    if (bytes + kCutLineBytes > message_limit_) break;
    response->add_problems(problem);
    ++shown;
  }
  if (shown < report->problems.size()) {
    response->add_problems(absl::StrCat(report->problems.size() - shown,
                                        " more problem(s) not listed: the answer would be larger "
                                        "than the server's --max-message-bytes"));
  }
  call.Note("documents_checked", static_cast<int64_t>(report->documents_checked));
  call.Note("commit_seq", static_cast<int64_t>(report->commit_seq));
  call.Note("problems", static_cast<int64_t>(report->problems.size()));
  return call.Finish(grpc::Status::OK);
}

grpc::Status AdminServiceImpl::ExportArtists(
    grpc::ServerContext* context, const v1::ExportArtistsRequest* request,
    const MessageWriter<v1::ExportArtistsResponse>& write) {
  CallGuard call(env_, context, "ExportArtists", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  call.Note("searchable_only", request->searchable_only() ? "true" : "false");
  const std::shared_ptr<Index> index = holder_.Current();
  v1::ExportArtistsResponse message;
  size_t message_bytes = 0;
  int64_t artists = 0, messages = 0;
  auto send = [&]() -> absl::Status {
    if (!write(message)) {
      return absl::CancelledError(
          absl::StrCat("export: the client stopped reading after ", artists, " artists"));
    }
    ++messages;
    message.Clear();
    message_bytes = 0;
    return absl::OkStatus();
  };
  absl::Status status = index->ForEachArtist(
      [&](const Artist& artist) -> absl::Status {
        if (context->IsCancelled()) {
          return absl::CancelledError(
              absl::StrCat("export: cancelled after ", artists, " artists"));
        }
        const size_t bytes = artist.ByteSizeLong() + kElementFraming;
        if (bytes > message_limit_) {
          return absl::ResourceExhaustedError(
              absl::StrCat("export: artist '", artist.id(), "' is ", bytes,
                           " bytes, more than the server's --max-message-bytes (",
                           max_message_bytes_, "); raise --max-message-bytes"));
        }
        if (message.artists_size() > 0 && message_bytes + bytes > message_limit_) {
          if (absl::Status s = send(); !s.ok()) return s;
        }
        *message.add_artists() = artist;
        message_bytes += bytes;
        ++artists;
        if (message.artists_size() >= kExportMessageArtists ||
            message_bytes >= kExportMessageBytes) {
          return send();
        }
        return absl::OkStatus();
      },
      /*include_hidden=*/!request->searchable_only());
  if (status.ok() && message.artists_size() > 0) status = send();
  call.Note("artists", artists);
  call.Note("messages", messages);
  return call.Finish(ToGrpcStatus(status));
}

namespace {

void SetLayout(const SlotLayout& layout, v1::SlotLayout* out) {
  out->set_artists(layout.artists);
  out->set_breaks(layout.breaks);
  out->set_drift(layout.Drift());
}

}  // namespace

grpc::Status AdminServiceImpl::RenumberSlots(grpc::ServerContext* context,
                                             const v1::RenumberSlotsRequest* request,
                                             v1::RenumberSlotsResponse* response) {
  CallGuard call(env_, context, "RenumberSlots", Access::kWrite);
  if (!call.admitted()) return call.Finish(call.admission());
  const double min_drift = request->min_drift();
  if (!(min_drift >= 0 && min_drift <= 1)) {
    return call.Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     absl::StrCat("min_drift: must be between 0 and 1, not ", min_drift)));
  }
  if (renumberer_ == nullptr) {
    return call.Finish(grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        "this server cannot renumber while serving: start it with --renumber-online (or "
        "--renumber-online-at-drift), which keeps --index as a generation symlink; or stop it "
        "and run `inkdex repair --index DIR`"));
  }
  call.Note("min_drift", absl::StrCat(min_drift));
  absl::StatusOr<SlotRenumbering> run =
      renumberer_->RunAsked(min_drift, [context] { return context->IsCancelled(); });
  if (!run.ok()) return call.Finish(ToGrpcStatus(run.status()));
  const SlotRenumbering& done = *run;
  SetLayout(done.before, response->mutable_before());
  if (done.skipped) {
    call.Note("renumbered", "false");
    return call.Finish(grpc::Status::OK);
  }
  call.Note("directory", done.directory);
  if (!done.status.ok()) return call.Finish(ToGrpcStatus(done.status));
  const RenumberResult& r = done.result;
  response->set_renumbered(true);
  if (absl::StatusOr<SlotLayout> after = holder_.CurrentSlotLayout(absl::Now()); after.ok()) {
    SetLayout(*after, response->mutable_after());
  }
  response->set_directory(r.swap.directory);
  response->set_documents(r.swap.documents);
  response->set_commit_seq(r.swap.commit_seq);
  response->set_index_generation(r.swap.generation);
  response->set_replayed_changes(r.replayed_changes);
  response->set_copy_ms(absl::ToDoubleMilliseconds(r.copy_time));
  response->set_open_ms(absl::ToDoubleMilliseconds(r.open_time));
  response->set_replay_ms(absl::ToDoubleMilliseconds(r.replay_time));
  response->set_writes_held_ms(absl::ToDoubleMilliseconds(r.held_time));
  for (const std::string& removed : done.removed) response->add_removed(removed);
  call.Note("renumbered", "true");
  call.Note("index_generation", static_cast<int64_t>(r.swap.generation));
  call.Note("replayed_changes", static_cast<int64_t>(r.replayed_changes));
  return call.Finish(grpc::Status::OK);
}

}  // namespace inkdex::server
