// AdminServiceImpl: the inkdex.v1.Admin RPCs of inkdex-server (operating the
// server; every method needs the write token).
//
// SwapIndex replaces the served index by one built offline, through
// WriteCommitter::SwapIndex (pending writes are committed to the old index
// first; calls in flight finish on the old index; on any error the served
// index is unchanged).
//
// VerifyIndex runs Index::Verify on the served index: one commit is checked,
// so the index's writes wait for it (~3-4 s per 1,000,000 artists); one at a
// time (a second gets ABORTED rather than queueing behind the first, its
// writes waiting twice as long). It stops when its call is cancelled (the
// client went away, or the drain's deadline passed). Its problems are cut
// to fit --max-message-bytes, a last line saying how many more there were.
//
// ExportArtists streams Index::ForEachArtist of the served index in messages
// of at most kExportMessageArtists artists and kExportMessageBytes bytes (and
// under --max-message-bytes), paced by the client through gRPC's flow
// control; it stops when its call is cancelled or a write fails.
//
// RenumberSlots has the SlotRenumberer renumber the served index now
// (SlotRenumberer::RunAsked): FAILED_PRECONDITION when the server has none
// (neither --renumber-online nor --renumber-online-at-drift); stops when its
// call is cancelled.
//
// Each call works on the index that was served when it started (a swap
// meanwhile does not move it) and holds one of --max-concurrent-requests
// while it runs.
//
// Thread safety: gRPC calls the handlers concurrently; the service holds no
// per-call state (only the lock that keeps verifications one at a time).
// Ownership: the environment, holder, committer and renumberer are not
// owned and must outlive the service.
#ifndef INKDEX_SERVICE_SERVER_ADMIN_SERVICE_H_
#define INKDEX_SERVICE_SERVER_ADMIN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/index_holder.h"
#include "server/parsed_requests.h"
#include "server/slot_renumberer.h"
#include "server/write_committer.h"

namespace inkdex::server {

class CallEnvironment;  // call_environment.h

// ExportArtists' messages: at most this many artists, and a message is sent
// once its artists reach this many bytes (so at most this plus one artist).
inline constexpr int kExportMessageArtists = 1000;
inline constexpr size_t kExportMessageBytes = size_t{1} << 20;

class AdminServiceImpl final : public WithParsedRequests<inkdex::v1::Admin::Service> {
 public:
  // `max_message_bytes`: the server's --max-message-bytes (gRPC refuses to
  // send a larger message); <= 0: not checked.
  // `renumberer`: null when the server cannot renumber online; not owned.
  AdminServiceImpl(CallEnvironment& env, IndexHolder& holder, WriteCommitter& committer,
                   int64_t max_message_bytes, SlotRenumberer* renumberer = nullptr);

  grpc::Status SwapIndex(grpc::ServerContext* context, const v1::SwapIndexRequest* request,
                         v1::SwapIndexResponse* response) override;
  grpc::Status VerifyIndex(grpc::ServerContext* context, const v1::VerifyIndexRequest* request,
                           v1::VerifyIndexResponse* response) override;
  grpc::Status RenumberSlots(grpc::ServerContext* context, const v1::RenumberSlotsRequest* request,
                             v1::RenumberSlotsResponse* response) override;

 private:
  // ExportArtists, writing its messages through `write` (served over bytes,
  // parsed_requests.h, in place of the generated ServerWriter method).
  grpc::Status ExportArtists(grpc::ServerContext* context, const v1::ExportArtistsRequest* request,
                             const MessageWriter<v1::ExportArtistsResponse>& write);

  CallEnvironment& env_;
  IndexHolder& holder_;
  WriteCommitter& committer_;
  const int64_t max_message_bytes_;
  const size_t message_limit_;        // max_message_bytes_, or SIZE_MAX when not checked
  SlotRenumberer* const renumberer_;  // may be null
  absl::Mutex verify_mu_;             // held by the running VerifyIndex
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_ADMIN_SERVICE_H_
