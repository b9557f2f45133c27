#include "grpc_index.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "api/convert.h"

namespace inkdex::bench {
namespace {

// Replies bigger than gRPC's 4 MiB default (a long page of hits) must not
// fail on the client side, as in the CLI's client.
constexpr int kMaxReceiveMessageBytes = 64 << 20;

using Stub = v1::ArtistSearch::Stub;

// One unary call with its deadline; the gRPC status as an absl::Status.
template <typename Request, typename Response>
absl::StatusOr<Response> Call(Stub& stub,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                              const Request& request, absl::string_view name) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + GrpcIndex::kCallDeadline));
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("inkdex-server ", name, ": ", status.error_message()));
  }
  return response;
}

absl::Status NotServed(absl::string_view what) {
  return absl::UnimplementedError(absl::StrCat("GrpcIndex: ", what, " is not served"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcIndex>> GrpcIndex::Connect(const std::string& address,
                                                              absl::Duration connect_timeout) {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  if (!taxonomy.ok()) return taxonomy.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + connect_timeout))) {
    return absl::UnavailableError(absl::StrCat("cannot connect to inkdex-server at ", address,
                                               " within ", absl::FormatDuration(connect_timeout)));
  }
  return std::unique_ptr<GrpcIndex>(new GrpcIndex(std::move(channel), *std::move(taxonomy)));
}

GrpcIndex::GrpcIndex(std::shared_ptr<grpc::Channel> channel, StyleTaxonomy taxonomy)
    : channel_(std::move(channel)),
      stub_(v1::ArtistSearch::NewStub(channel_)),
      taxonomy_(std::move(taxonomy)) {}

absl::StatusOr<SearchResponse> GrpcIndex::Search(const SearchRequest& request) const {
  absl::StatusOr<v1::SearchResponse> r =
      Call(*stub_, &Stub::Search, api::ToProto(request), "Search");
  if (!r.ok()) return r.status();
  return api::FromProto(*r);
}

absl::StatusOr<std::vector<Suggestion>> GrpcIndex::Suggest(const SuggestRequest& request) const {
  absl::StatusOr<v1::SuggestResponse> r =
      Call(*stub_, &Stub::Suggest, api::ToProto(request), "Suggest");
  if (!r.ok()) return r.status();
  return api::FromProto(*r);
}

absl::Status GrpcIndex::ForEachArtist(const std::function<absl::Status(const Artist&)>&,
                                      bool) const {
  return NotServed("ForEachArtist");
}

absl::StatusOr<Artist> GrpcIndex::Get(const std::string& id, bool include_hidden) const {
  if (include_hidden) return NotServed("Get with include_hidden");
  v1::GetArtistRequest request;
  request.set_id(id);
  return Call(*stub_, &Stub::GetArtist, request, "GetArtist");
}

IndexStats GrpcIndex::Stats() const {
  absl::StatusOr<v1::GetStatsResponse> r =
      Call(*stub_, &Stub::GetStats, v1::GetStatsRequest(), "GetStats");
  return r.ok() ? api::StatsFromProto(*r) : IndexStats{};
}

absl::StatusOr<std::vector<ChangeResult>> GrpcIndex::Apply(const WriteBatch& /*batch*/) {
  return NotServed("Apply");
}

absl::StatusOr<std::optional<std::string>> GrpcIndex::GetMetadata(
    const std::string& /*key*/) const {
  return NotServed("GetMetadata");
}

absl::StatusOr<std::map<std::string, std::string>> GrpcIndex::ListMetadata(
    const std::string& /*prefix*/) const {
  return NotServed("ListMetadata");
}

absl::StatusOr<VerifyReport> GrpcIndex::Verify(const VerifyOptions&) const {
  return NotServed("Verify");
}

absl::StatusOr<TombstonePurge> GrpcIndex::PurgeTombstones(
    const TombstonePurgeOptions& /*options*/) {
  return NotServed("PurgeTombstones");
}

}  // namespace inkdex::bench
