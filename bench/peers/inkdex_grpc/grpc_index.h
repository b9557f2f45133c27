// GrpcIndex: the reading side of inkdex::Index answered by an inkdex-server
// through the inkdex.v1.ArtistSearch API, with requests and responses
// converted by service/api (convert.h), as the CLI's --server mode converts
// them. It exists so that the gRPC peer (grpc_peer.h) runs the library
// peer's code unchanged over the server: a query, its facets, and the gate's
// enumeration of every match (peers/inkdex/all_matches.h, written against
// Index), which pages and tiles through the server.
//
// Search, Suggest, Get and Stats are RPCs (Search/Suggest/GetArtist/
// GetStats), each with its own deadline of kCallDeadline and no token (the
// peer's server is started without one). A failed RPC returns its gRPC code
// (the codes agree with absl's) and message, prefixed with the method.
// Stats returns zeros when its RPC fails. Writes, metadata, StyleCounts and
// Verify are not the benchmark's business: UNIMPLEMENTED (StyleCounts:
// empty). taxonomy() is the built-in default, the server's own.
//
// Thread safety: thread-safe; every call may run from any number of threads
// at once over the one channel (a gRPC stub is thread-safe).
#ifndef INKDEX_BENCH_PEERS_INKDEX_GRPC_GRPC_INDEX_H_
#define INKDEX_BENCH_PEERS_INKDEX_GRPC_GRPC_INDEX_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "inkdex/index.h"
#include "inkdex/taxonomy.h"
#include "inkdex/v1/artist_search.grpc.pb.h"

namespace inkdex::bench {

class GrpcIndex : public Index {
 public:
  static constexpr absl::Duration kCallDeadline = absl::Minutes(2);

  // Waits up to `connect_timeout` for the channel to `address` (HOST:PORT,
  // insecure) to connect; UNAVAILABLE otherwise.
  static absl::StatusOr<std::unique_ptr<GrpcIndex>> Connect(const std::string& address,
                                                            absl::Duration connect_timeout);

  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) const override;
  absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request) const override;
  absl::StatusOr<Artist> Get(const std::string& id, bool include_hidden = false) const override;
  absl::Status ForEachArtist(const std::function<absl::Status(const Artist&)>& fn,
                             bool include_hidden) const override;
  IndexStats Stats() const override;
  const StyleTaxonomy& taxonomy() const override { return taxonomy_; }

  absl::StatusOr<std::vector<ChangeResult>> Apply(const WriteBatch& batch) override;
  absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) const override;
  absl::StatusOr<std::map<std::string, std::string>> ListMetadata(
      const std::string& prefix) const override;
  std::vector<int64_t> StyleCounts() const override { return {}; }
  absl::StatusOr<VerifyReport> Verify(const VerifyOptions& options) const override;
  absl::StatusOr<TombstonePurge> PurgeTombstones(const TombstonePurgeOptions& options) override;
  // The server prefetches its own index (--prefetch-mb): nothing to read here.
  absl::StatusOr<PrefetchReport> PrefetchSearchIndex(const PrefetchOptions&) const override {
    return PrefetchReport{};
  }
  // GetStats carries the server's last measurement only (a minute old at
  // most), not a fresh one: UNIMPLEMENTED.
  absl::StatusOr<SlotLayout> MeasureSlotLayout() const override {
    return absl::UnimplementedError("slot layout: the gRPC API has no fresh measurement");
  }
  absl::StatusOr<uint64_t> CopyDocumentStore(const std::string&) const override {
    return absl::UnimplementedError("copy: the gRPC API copies no index");
  }
  // A server's index is never deferred: OK.
  absl::Status BuildDeferredSearchIndex(const BuildSearchIndexOptions&) override {
    return absl::OkStatus();
  }

 private:
  GrpcIndex(std::shared_ptr<grpc::Channel> channel, StyleTaxonomy taxonomy);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ArtistSearch::Stub> stub_;
  StyleTaxonomy taxonomy_;
};

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_PEERS_INKDEX_GRPC_GRPC_INDEX_H_
