#include "inkdex_peer.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "all_matches.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

// The Index open in this process per directory (see the header).
std::mutex registry_mu;
std::map<std::string, std::weak_ptr<Index>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<Index>>();
  return *registry;
}

}  // namespace

absl::Status InkdexPeer::Build(const std::vector<Artist>& artists, const std::string& dir) {
  index_.reset();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("create ", dir, ": ", ec.message()));
  absl::StatusOr<std::unique_ptr<Index>> index = OpenEmptyOfflineIndex(dir);
  if (!index.ok()) return index.status();
  BulkLoader loader(**index, {.batch_size = kBatchSize});
  for (size_t i = 0; i < artists.size(); ++i) {
    Artist a = artists[i];
    a.set_version(i + 1);
    loader.Add(a, i);
  }
  if (absl::Status st = FlushAllOrFail(loader); !st.ok()) return st;
  const uint64_t documents = (*index)->Stats().documents;
  if (documents != artists.size()) {
    return absl::InternalError(absl::StrCat(dir, ": index counts ", documents, " documents, ",
                                            artists.size(), " were applied"));
  }
  return absl::OkStatus();  // closing the index flushes it
}

absl::Status InkdexPeer::Open(const std::string& dir) {
  std::lock_guard<std::mutex> lock(registry_mu);
  std::weak_ptr<Index>& slot = Registry()[dir];
  index_ = slot.lock();
  if (index_ != nullptr) return absl::OkStatus();
  IndexOptions options;
  options.create_if_missing = false;
  options.error_if_missing = true;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  if (!index.ok()) return index.status();
  index_ = std::move(*index);
  slot = index_;
  return absl::OkStatus();
}

absl::StatusOr<PeerAnswer> SearchIndex(const Index& index, const SearchRequest& request,
                                       bool collect_ids) {
  absl::StatusOr<SearchResponse> r = index.Search(request);
  if (!r.ok()) return r.status();
  PeerAnswer out;
  out.total = r->total;
  out.page_ids.reserve(r->hits.size());
  for (const SearchHit& h : r->hits) out.page_ids.push_back(h.id);
  out.facets = std::move(r->facets);
  if (collect_ids) {
    absl::StatusOr<std::vector<std::string>> ids = AllMatchIds(index, request, r->total);
    if (!ids.ok()) return ids.status();
    out.all_ids = std::move(*ids);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> SuggestIndex(const Index& index,
                                                      const SuggestRequest& request) {
  absl::StatusOr<std::vector<Suggestion>> r = index.Suggest(request);
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  out.reserve(r->size());
  for (const Suggestion& s : *r) out.push_back(s.text);
  return out;
}

absl::StatusOr<PeerAnswer> InkdexPeer::Search(const SearchRequest& request, bool collect_ids) {
  if (index_ == nullptr) return absl::FailedPreconditionError("inkdex peer: not open");
  return SearchIndex(*index_, request, collect_ids);
}

absl::StatusOr<std::vector<std::string>> InkdexPeer::Suggest(const SuggestRequest& request) {
  if (index_ == nullptr) return absl::FailedPreconditionError("inkdex peer: not open");
  return SuggestIndex(*index_, request);
}

uint64_t InkdexPeer::DiskBytes() const {
  return index_ == nullptr ? 0 : index_->Stats().disk_bytes;
}

std::unique_ptr<Peer> MakeInkdexPeer() { return std::make_unique<InkdexPeer>(); }

}  // namespace inkdex::bench
