#include "crash/crash_util.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace inkdex::crash {

ScratchDir::ScratchDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TEST_TMPDIR");
  path_ = std::string(base ? base : "/tmp") + "/inkdex_" + tag + "_" + std::to_string(getpid()) +
          "_" + std::to_string(counter++);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Artist MakeArtist(const std::string& id, uint64_t version, double lat, double lon,
                  const std::string& extra_words) {
  Artist a;
  a.set_id(id);
  a.set_version(version);
  a.set_name("Artist " + id + " v" + std::to_string(version) +
             (extra_words.empty() ? "" : " " + extra_words));
  a.mutable_location()->set_latitude(lat);
  a.mutable_location()->set_longitude(lon);
  a.mutable_location()->set_city("Leeds");
  a.mutable_location()->set_country("GB");
  a.add_styles("fineline");
  a.set_is_active(true);
  return a;
}

void ApplyToModel(const WriteBatch& batch, ExpectedState* state) {
  for (const Change& c : batch.changes()) {
    const bool upsert = c.kind == Change::Kind::kUpsert;
    const std::string& id = upsert ? c.artist.id() : c.id;
    const uint64_t version = upsert ? c.artist.version() : c.version;
    auto it = state->find(id);
    if (it != state->end() && version <= it->second.version) continue;
    (*state)[id] = upsert ? Expected{version, false, c.artist.name()} : Expected{version, true, ""};
  }
}

namespace {

// 50 changes of batch `n`: the i-th is of a random id (`format` with a
// number below `ids`) at version n * 100 + i + 1; add(batch, id, version,
// rng) adds it.
WriteBatch RandomBatch(
    uint64_t seed, const char* format, int ids, uint64_t n,
    const std::function<void(WriteBatch*, const char*, uint64_t, std::mt19937_64&)>& add) {
  std::mt19937_64 rng(seed);
  WriteBatch batch;
  for (uint64_t i = 0; i < 50; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, format, static_cast<int>(rng() % ids));
    add(&batch, id, n * 100 + i + 1, rng);
  }
  return batch;
}

Artist RandomArtist(const char* id, uint64_t version, std::mt19937_64& rng) {
  return MakeArtist(id, version, 53.0 + (rng() % 1000) * 0.001, -1.5 + (rng() % 1000) * 0.001);
}

}  // namespace

WriteBatch CrashBatch(uint64_t n) {
  return RandomBatch(n * 7919 + 17, "c%04d", 2000, n,
                     [](WriteBatch* batch, const char* id, uint64_t version, std::mt19937_64& rng) {
                       if (rng() % 4 == 0) {
                         batch->Delete(id, version);
                       } else {
                         batch->Upsert(RandomArtist(id, version, rng));
                       }
                     });
}

WriteBatch FreshBatch(uint64_t n) {
  std::mt19937_64 rng(n * 6151 + 3);
  WriteBatch batch;
  for (uint64_t i = 0; i < 10; ++i) {
    const std::string id = absl::StrCat("f", n, "-", i);
    batch.Upsert(RandomArtist(id.c_str(), n * 100 + i + 1, rng));
  }
  return batch;
}

WriteBatch RankedCrashBatch(uint64_t n) {
  return RandomBatch(n * 104729 + 7, "r%03d", 300, n,
                     [](WriteBatch* batch, const char* id, uint64_t version, std::mt19937_64& rng) {
                       const uint32_t rank = 1 + static_cast<uint32_t>(rng() % 2);
                       // Stream versions, as the stream's records carry (ranked deletes
                       // come only from the stream).
                       if (rng() % 10 < 3) {
                         batch->DeleteAtStreamSequence(id, std::to_string(version), rank);
                       } else {
                         Artist a = RandomArtist(id, version, rng);
                         a.set_version(0);
                         a.set_stream_sequence(std::to_string(version));
                         a.set_source_rank(rank);
                         batch->Upsert(std::move(a));
                       }
                     });
}

void ApplyRankedToModel(const WriteBatch& batch, RankedState* state) {
  for (const Change& c : batch.changes()) {
    const bool upsert = c.kind == Change::Kind::kUpsert;
    const std::string& id = upsert ? c.artist.id() : c.id;
    const std::string& stream = upsert ? c.artist.stream_sequence() : c.stream_sequence;
    const uint64_t version = std::stoull(stream);
    const uint32_t rank = upsert ? c.artist.source_rank() : c.source_rank;
    Expected& item = (*state)[id][rank];
    if (version <= item.version) continue;
    item = upsert ? Expected{version, false, c.artist.name()} : Expected{version, true, ""};
  }
}

ExpectedState ServedState(const RankedState& state) {
  ExpectedState out;
  for (const auto& [id, items] : state) {
    Expected served{0, true, ""};
    for (const auto& [rank, item] : items) {
      if (!item.deleted) {
        served = item;
        break;
      }
    }
    out[id] = served;
  }
  return out;
}

std::string DiffIndex(const Index& index, const ExpectedState& state) {
  std::set<std::string> live;
  for (const auto& [id, want] : state) {
    absl::StatusOr<Artist> got = index.Get(id);
    if (want.deleted) {
      if (got.status().code() != absl::StatusCode::kNotFound) {
        return id + ": expected deleted at version " + std::to_string(want.version) + ", Get: " +
               (got.ok() ? "version " + std::to_string(got->version()) : got.status().ToString());
      }
      continue;
    }
    if (!got.ok())
      return id + ": expected version " + std::to_string(want.version) +
             ", Get: " + got.status().ToString();
    // A stream version (RankedCrashBatch's) is the number it spells.
    const uint64_t version =
        got->stream_sequence().empty() ? got->version() : std::stoull(got->stream_sequence());
    if (version != want.version || got->name() != want.name) {
      return id + ": expected version " + std::to_string(want.version) + ", got " +
             std::to_string(version);
    }
    live.insert(id);
  }
  SearchRequest q;
  q.limit = SearchRequest::kMaxLimit;
  q.sort = SortOrder::kRating;  // all unrated: the order is by id
  std::set<std::string> found;
  for (;;) {
    absl::StatusOr<SearchResponse> r = index.Search(q);
    if (!r.ok()) return "search: " + r.status().ToString();
    if (r->total != static_cast<int64_t>(live.size())) {
      return "search total " + std::to_string(r->total) + ", expected " +
             std::to_string(live.size());
    }
    for (const SearchHit& h : r->hits) {
      auto it = state.find(h.id);
      if (it == state.end() || it->second.deleted) return "search returned deleted " + h.id;
      if (h.name != it->second.name) return "search returned " + h.id + " named '" + h.name + "'";
      if (!found.insert(h.id).second) return "search repeated " + h.id;
    }
    if (r->next_page_token.empty()) break;
    q.page_token = r->next_page_token;
  }
  if (found != live)
    return "search found " + std::to_string(found.size()) + " of " + std::to_string(live.size());
  return "";
}

}  // namespace inkdex::crash
