#include "index/test_util.h"

#include <unistd.h>
#include <atomic>

#include <xapian.h>

#include "geo/region.h"
#include "gtest/gtest.h"

namespace inkdex::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TEST_TMPDIR");
  path_ = std::string(base ? base : "/tmp") + "/inkdex_test_" + std::to_string(getpid()) + "_" +
          std::to_string(counter++);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void IndexDirTest::Reopen() {
  index_.reset();
  auto idx = Index::Open(dir_.path());
  ASSERT_TRUE(idx.ok()) << idx.status();
  index_ = *std::move(idx);
}

Artist MakeArtist(const std::string& id, const std::string& name, double lat, double lon,
                  std::vector<std::string> styles, uint64_t version) {
  Artist a;
  a.set_id(id);
  a.set_name(name);
  a.mutable_location()->set_latitude(lat);
  a.mutable_location()->set_longitude(lon);
  a.mutable_location()->set_display("Somewhere");
  a.mutable_location()->set_city("Leeds");
  a.mutable_location()->set_country("GB");
  for (auto& s : styles) a.add_styles(s);
  a.set_is_active(true);
  a.set_version(version);
  return a;
}

std::unique_ptr<Index> OpenUnsyncedIndex(const std::string& dir, bool deferred) {
  IndexOptions options;
  options.sync = false;
  options.defer_search_index = deferred;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? *std::move(index) : nullptr;
}

SearchResponse SearchText(const Index& index, const std::string& text) {
  SearchRequest q;
  q.text = text;
  absl::StatusOr<SearchResponse> r = index.Search(q);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.ok() ? *std::move(r) : SearchResponse();
}

std::vector<std::string> HitIds(const SearchResponse& response) {
  std::vector<std::string> ids;
  for (const SearchHit& h : response.hits) ids.push_back(h.id);
  return ids;
}

std::vector<std::vector<std::string>> TextAnswers(const Index& index,
                                                  const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> out;
  for (const std::string& text : texts) {
    SearchRequest q;
    q.text = text;
    q.limit = 100;
    absl::StatusOr<SearchResponse> r = index.Search(q);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    if (!r.ok()) continue;
    std::vector<std::string> answer = HitIds(*r);
    answer.push_back("total=" + std::to_string(r->total));
    out.push_back(std::move(answer));
  }
  return out;
}

std::vector<uint64_t> CellsInSlotOrder(const Index& index, const std::string& dir) {
  Xapian::Database db(dir + "/text");
  std::vector<uint64_t> cells;
  for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    absl::StatusOr<Artist> a = index.Get(db.get_document(*it).get_data(), true);
    EXPECT_TRUE(a.ok()) << a.status();
    if (a.ok())
      cells.push_back(geo::LeafCellId(a->location().latitude(), a->location().longitude()));
  }
  return cells;
}

}  // namespace inkdex::testing
