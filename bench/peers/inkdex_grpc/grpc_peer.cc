#include "grpc_peer.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "all_matches.h"
#include "grpc_index.h"
#include "inkdex_peer.h"
#include "server_process.h"

namespace inkdex::bench {

struct InkdexGrpcPeer::Served {
  // Declared first, destroyed last: the channel closes before the server stops.
  std::unique_ptr<ServerProcess> process;
  std::unique_ptr<GrpcIndex> index;
};

namespace {

// The server running in this process per directory (see the header).
std::mutex registry_mu;
std::map<std::string, std::weak_ptr<InkdexGrpcPeer::Served>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<InkdexGrpcPeer::Served>>();
  return *registry;
}

std::string ServerBinary() {
  const char* bin = std::getenv("INKDEX_SERVER_BIN");
  return bin != nullptr && *bin != '\0' ? bin : INKDEX_SERVER_BINARY;
}

// The server would create an empty index where there is none, and answer
// every query with nothing.
absl::Status CheckIndexDirectory(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec) || std::filesystem::is_empty(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("grpc peer: no index in ", dir, " (build it first)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InkdexGrpcPeer::Build(const std::vector<Artist>& artists, const std::string& dir) {
  served_.reset();
  return InkdexPeer().Build(artists, dir);
}

absl::Status InkdexGrpcPeer::Open(const std::string& dir) {
  std::lock_guard<std::mutex> lock(registry_mu);
  std::weak_ptr<Served>& slot = Registry()[dir];
  served_ = slot.lock();
  if (served_ != nullptr) return absl::OkStatus();
  if (absl::Status s = CheckIndexDirectory(dir); !s.ok()) return s;
  auto served = std::make_shared<Served>();
  absl::StatusOr<std::unique_ptr<ServerProcess>> process =
      ServerProcess::Start(ServerBinary(), dir, kStartTimeout);
  if (!process.ok()) return process.status();
  served->process = *std::move(process);
  absl::StatusOr<std::unique_ptr<GrpcIndex>> index =
      GrpcIndex::Connect(served->process->address(), kConnectTimeout);
  if (!index.ok()) return index.status();  // `served` stops the server
  served->index = *std::move(index);
  served_ = std::move(served);
  slot = served_;
  return absl::OkStatus();
}

absl::StatusOr<PeerAnswer> InkdexGrpcPeer::Search(const SearchRequest& request, bool collect_ids) {
  if (served_ == nullptr) return absl::FailedPreconditionError("grpc peer: not open");
  return SearchIndex(*served_->index, request, collect_ids);
}

absl::StatusOr<std::vector<std::string>> InkdexGrpcPeer::Suggest(const SuggestRequest& request) {
  if (served_ == nullptr) return absl::FailedPreconditionError("grpc peer: not open");
  return SuggestIndex(*served_->index, request);
}

uint64_t InkdexGrpcPeer::DiskBytes() const {
  return served_ == nullptr ? 0 : served_->index->Stats().disk_bytes;
}

uint64_t InkdexGrpcPeer::ServerResidentBytes() const {
  return served_ == nullptr ? 0 : served_->process->ResidentBytes();
}

pid_t InkdexGrpcPeer::server_pid() const {
  return served_ == nullptr ? -1 : served_->process->pid();
}

std::unique_ptr<Peer> MakeInkdexGrpcPeer() { return std::make_unique<InkdexGrpcPeer>(); }

}  // namespace inkdex::bench
