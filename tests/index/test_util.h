// Helpers shared by the index tests: temporary index directories and small
// hand-made artists.
#ifndef INKDEX_TESTS_INDEX_TEST_UTIL_H_
#define INKDEX_TESTS_INDEX_TEST_UTIL_H_

#include <filesystem>
#include <string>
#include <vector>

#include "inkdex/artist.pb.h"

namespace inkdex::testing {

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Artist MakeArtist(const std::string& id, const std::string& name, double lat, double lon,
                  std::vector<std::string> styles, uint64_t version = 1);

}  // namespace inkdex::testing

#endif  // INKDEX_TESTS_INDEX_TEST_UTIL_H_
