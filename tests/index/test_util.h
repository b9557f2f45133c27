// Helpers shared by the index tests: temporary index directories and small
// hand-made artists.
#ifndef INKDEX_TESTS_INDEX_TEST_UTIL_H_
#define INKDEX_TESTS_INDEX_TEST_UTIL_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "inkdex/artist.pb.h"
#include "inkdex/index.h"

namespace inkdex::testing {

// Leeds city centre, where MakeArtist's artists live (city "Leeds", GB).
inline constexpr double kLeedsLat = 53.7997, kLeedsLon = -1.5492;
inline constexpr double kOsloLat = 59.9139, kOsloLon = 10.7522;

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A test with an index opened in a fresh directory: index_, which Reopen
// closes and opens again (as after a restart).
class IndexDirTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen();

  TempDir dir_;
  std::unique_ptr<Index> index_;
};

Artist MakeArtist(const std::string& id, const std::string& name, double lat, double lon,
                  std::vector<std::string> styles, uint64_t version = 1);

// Index::Open of `dir` without sync, its search index deferred or not
// (IndexOptions::defer_search_index); nullptr (and a test failure) when it
// fails.
std::unique_ptr<Index> OpenUnsyncedIndex(const std::string& dir, bool deferred);

// index.Search of `text` alone (a failure is a test failure, and an empty
// response), and the ids of a response's hits in order.
SearchResponse SearchText(const Index& index, const std::string& text);
std::vector<std::string> HitIds(const SearchResponse& response);
// For each of `texts`, the ids of its first 100 hits in order, then
// "total=<total>": what two indexes that should agree are compared by.
std::vector<std::vector<std::string>> TextAnswers(const Index& index,
                                                  const std::vector<std::string>& texts);

// The S2 leaf cell of each searchable artist's primary location, in slot
// (Xapian document) order: how a bulk load laid the index out. Reads `dir`'s
// text/ directly, beside `index` (open on `dir`).
std::vector<uint64_t> CellsInSlotOrder(const Index& index, const std::string& dir);

}  // namespace inkdex::testing

#endif  // INKDEX_TESTS_INDEX_TEST_UTIL_H_
