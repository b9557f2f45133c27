// The CLI's side of inkdex-server: the --server flags every command that can
// talk to a running server takes, and ServerClient, a blocking gRPC client
// over the inkdex.v1.ArtistSearch API that speaks the library's types (via
// service/api/convert.h) so that a command prints a server's answer with the
// same code that prints a local index's.
//
// Errors: every RPC failure comes back as an absl::Status with the gRPC code
// (the two enumerations agree), so the CLI's ReportError and exit codes apply
// unchanged: INVALID_ARGUMENT (the server names the field) exits 2 like a
// local validation error, everything else 1. Failures of the connection
// itself (UNAVAILABLE, DEADLINE_EXCEEDED) and of authentication say which
// flag to look at.
//
// Tokens: --token-file FILE (its content, surrounding whitespace trimmed),
// else for reads INKDEX_READ_TOKEN then INKDEX_TOKEN, for writes
// INKDEX_WRITE_TOKEN then INKDEX_TOKEN. Sent as `authorization: Bearer
// <token>` metadata; never printed.
//
// Thread safety: ServerFlags is plain data. A ServerClient is used from one
// thread (the CLI is single-threaded); gRPC itself would allow more.
#ifndef INKDEX_TOOLS_INKDEX_SERVER_CLIENT_H_
#define INKDEX_TOOLS_INKDEX_SERVER_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inkdex/index.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"
#include "inkdex/v1/artist_search.grpc.pb.h"

namespace inkdex::cli {

// Which token a command sends: reads need one only when the server has a
// read token (the write token is accepted for reads too); writes always.
enum class Access { kRead, kWrite };

inline constexpr int kDefaultTimeoutMs = 10000;
// The default of commands whose one call reads the whole index (verify,
// export: ~15-25 s per 1,000,000 artists).
inline constexpr int kWholeIndexTimeoutMs = 3600 * 1000;

struct ServerFlags {
  std::string address;                 // --server HOST:PORT
  bool tls = false;                    // --tls: TLS with the system's root certificates
  std::string tls_ca_file;             // --tls-ca FILE: TLS trusting this CA (implies --tls)
  int timeout_ms = kDefaultTimeoutMs;  // --timeout-ms: deadline of each RPC
  std::string token_file;              // --token-file FILE
  Access access = Access::kRead;
  CLI::Option* server_option = nullptr;  // set by AddServerFlags

  bool given() const { return server_option != nullptr && server_option->count() > 0; }
};

// Registers --server and the options that only make sense with it (--tls,
// --tls-ca, --timeout-ms, --token-file; each "needs --server") in a "Server"
// group of `command`. `required`: the command only works against a server
// (upsert, delete). --timeout-ms defaults to flags.timeout_ms as it is on
// entry (a command with long calls sets it first). REQUIRES: `flags`
// outlives parsing and Connect.
void AddServerFlags(CLI::App& command, ServerFlags& flags, Access access, bool required);

// A reading command's source of data: a local index or a server, exactly one.
struct IndexOrServerFlags {
  std::string index_dir;
  CLI::Option* index_option = nullptr;
  ServerFlags server;
};

// Registers --index DIR (from cli_common, made optional) and the server flags,
// mutually exclusive; `access`: which token the server calls need (verify
// and export call Admin methods: the write token). REQUIRES: `flags`
// outlives parsing.
void AddIndexOrServerFlags(CLI::App& command, IndexOrServerFlags& flags,
                           Access access = Access::kRead);

// OK when --index or --server was given; else INVALID_ARGUMENT naming both
// (the exclusion itself is enforced by CLI11 while parsing).
absl::Status CheckIndexOrServer(const IndexOrServerFlags& flags);

// A bearer token and where it came from ("--token-file F", "INKDEX_TOKEN"),
// for messages; both empty when there is none.
struct BearerToken {
  std::string value;
  std::string source;
};

// The token the flags and environment give for `flags.access`.
// INVALID_ARGUMENT naming --token-file (or the variable) when the file cannot
// be read, is empty, or the token holds characters metadata cannot carry.
absl::StatusOr<BearerToken> ResolveToken(const ServerFlags& flags);

// `status` as an absl::Status with the same code. The server's own message is
// kept (it names the request field at fault); connection, deadline and
// authentication failures are prefixed or followed by the flag to check.
absl::Status StatusFromGrpc(const grpc::Status& status, const ServerFlags& flags,
                            const BearerToken& token);

// The server's style taxonomy and its live counts (ListStyles), so that the
// CLI resolves and lists styles exactly as the server does.
struct ServerStyles {
  StyleTaxonomy taxonomy;
  std::vector<int64_t> counts;  // one per taxonomy style, in order
  uint64_t commit_seq = 0;
};

// Blocking client of one server. Each call has its own deadline of
// --timeout-ms and carries the token, if any.
class ServerClient {
 public:
  // Creates the channel (insecure, or TLS with --tls/--tls-ca) and resolves
  // the token. Does not connect yet: an unreachable server shows up as
  // UNAVAILABLE on the first call. INVALID_ARGUMENT for bad flag values.
  static absl::StatusOr<std::unique_ptr<ServerClient>> Connect(const ServerFlags& flags);

  absl::StatusOr<SearchResponse> Search(const SearchRequest& request);
  absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request);
  absl::StatusOr<Artist> GetArtist(const std::string& id);
  absl::StatusOr<ServerStyles> ListStyles();
  absl::StatusOr<v1::GetStatsResponse> GetStats();
  absl::StatusOr<v1::WriteArtistsResponse> UpsertArtists(const v1::UpsertArtistsRequest& request);
  absl::StatusOr<v1::WriteArtistsResponse> DeleteArtists(const v1::DeleteArtistsRequest& request);
  // Admin.VerifyIndex: the served index checked by the server (its posting
  // lists too with `check_postings`).
  absl::StatusOr<v1::VerifyIndexResponse> VerifyIndex(bool check_postings);
  // Admin.RenumberSlots: the served index renumbered while it serves (when
  // its drift is at least `min_drift`).
  absl::StatusOr<v1::RenumberSlotsResponse> RenumberSlots(double min_drift);
  // Admin.ExportArtists: calls fn with every artist the server streams, in
  // its order; stops at fn's first error (cancelling the call) and returns
  // it. The deadline (--timeout-ms) covers the whole stream.
  absl::Status ExportArtists(bool searchable_only,
                             const std::function<absl::Status(const Artist&)>& fn);

 private:
  ServerClient(const ServerFlags& flags, std::shared_ptr<grpc::Channel> channel, BearerToken token);

  using Stub = v1::ArtistSearch::Stub;

  // One unary call of either service with the deadline and the
  // authorization metadata.
  template <typename AnyStub, typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (AnyStub::*method)(grpc::ClientContext*,
                                                                const Request&, Response*),
                                const Request& request) {
    AnyStub* stub;
    if constexpr (std::is_same_v<AnyStub, v1::Admin::Stub>) {
      stub = admin_stub_.get();
    } else {
      stub = stub_.get();
    }
    Response response;
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    grpc::Status status = (stub->*method)(context.get(), request, &response);
    if (!status.ok()) return StatusFromGrpc(status, flags_, token_);
    return response;
  }
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  ServerFlags flags_;
  std::unique_ptr<v1::ArtistSearch::Stub> stub_;
  std::unique_ptr<v1::Admin::Stub> admin_stub_;
  BearerToken token_;
};

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_SERVER_CLIENT_H_
