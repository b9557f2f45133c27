// Index::PrefetchSearchIndex and its file reader: the order, the byte
// budget, cancellation, errors, and that the pages do end up cached.
#include "index/file_prefetch.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex::index {
namespace {

using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void WriteFile(const std::string& path, size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::string block(4096, 'x');
  for (size_t written = 0; written < bytes; written += block.size()) {
    out.write(block.data(), static_cast<std::streamsize>(std::min(block.size(), bytes - written)));
  }
}

// Pages of `path` resident in the page cache, per mincore(2).
size_t ResidentPages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0) << path;
  const size_t size = std::filesystem::file_size(path);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  EXPECT_NE(map, MAP_FAILED);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  EXPECT_EQ(::mincore(map, size, resident.data()), 0);
  ::munmap(map, size);
  ::close(fd);
  size_t n = 0;
  for (unsigned char r : resident) n += r & 1;
  return n;
}

TEST(FilePrefetchTest, PostingListsComeFirstThenDataThenTermLists) {
  TempDir dir;
  for (const char* name :
       {"termlist.glass", "iamglass", "docdata.glass", "flintlock", "postlist.glass"}) {
    WriteFile(dir.path() + "/" + name, 10);
  }
  std::filesystem::create_directory(dir.path() + "/subdir");
  const std::string d = dir.path() + "/";
  EXPECT_THAT(SearchIndexFilesInPrefetchOrder(dir.path()),
              ElementsAre(d + "postlist.glass", d + "docdata.glass", d + "termlist.glass",
                          d + "flintlock", d + "iamglass"));
  EXPECT_TRUE(SearchIndexFilesInPrefetchOrder(dir.path() + "/missing").empty());
}

TEST(FilePrefetchTest, ReadsUpToTheBudgetAndSizesEveryFile) {
  TempDir dir;
  const std::string big = dir.path() + "/big", small = dir.path() + "/small",
                    empty = dir.path() + "/empty";
  const size_t big_size = (size_t{9} << 20) + 100;
  WriteFile(big, big_size);
  WriteFile(small, 3);
  WriteFile(empty, 0);
  const std::vector<std::string> paths = {big, dir.path() + "/gone", small, empty};

  absl::StatusOr<PrefetchReport> all = ReadIntoPageCache(paths, {});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->bytes_read, big_size + 3);
  EXPECT_EQ(all->search_index_bytes, big_size + 3);
  EXPECT_EQ(all->files, 2u);

  PrefetchOptions budget;
  budget.max_bytes = (size_t{4} << 20) + 10;  // ends inside the second chunk of `big`
  absl::StatusOr<PrefetchReport> part = ReadIntoPageCache(paths, budget);
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->bytes_read, budget.max_bytes);
  EXPECT_EQ(part->search_index_bytes, big_size + 3);
  EXPECT_EQ(part->files, 1u);

  budget.max_bytes = 0;
  absl::StatusOr<PrefetchReport> none = ReadIntoPageCache(paths, budget);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->bytes_read, 0u);
  EXPECT_EQ(none->files, 0u);
}

TEST(FilePrefetchTest, StopsWhenCancelledAndNamesAFileItCannotRead) {
  TempDir dir;
  const std::string big = dir.path() + "/big";
  WriteFile(big, size_t{9} << 20);
  int polls = 0;
  PrefetchOptions options;
  options.cancelled = [&polls] { return ++polls > 1; };  // after the first chunk
  absl::StatusOr<PrefetchReport> cancelled = ReadIntoPageCache({big}, options);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  EXPECT_THAT(cancelled.status().message(), HasSubstr(std::to_string(size_t{4} << 20)));

  // A directory opens but cannot be read.
  std::filesystem::create_directory(dir.path() + "/not-a-file");
  absl::StatusOr<PrefetchReport> bad = ReadIntoPageCache({dir.path() + "/not-a-file"}, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("not-a-file"));
}

TEST(FilePrefetchTest, TheSearchIndexEndsUpInThePageCache) {
  TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    WriteBatch batch;
    for (int i = 0; i < 2000; ++i) {
      batch.Upsert(MakeArtist("a" + std::to_string(i), "Artist number " + std::to_string(i),
                              53.8 + i * 1e-4, -1.55, {"blackwork"}));
    }
    ASSERT_TRUE((*index)->Apply(batch).ok());
  }
  const std::string postlist = dir.path() + "/text/postlist.glass";
  uint64_t text_bytes = 0;
  for (const std::string& path : SearchIndexFilesInPrefetchOrder(dir.path() + "/text")) {
    text_bytes += std::filesystem::file_size(path);
    // Written back and dropped from the cache, as after a machine restart.
    const int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
  ASSERT_EQ(ResidentPages(postlist), 0u) << "the test needs a file system that drops pages";

  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path());
  ASSERT_TRUE(index.ok()) << index.status();
  absl::StatusOr<PrefetchReport> report = (*index)->PrefetchSearchIndex();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->search_index_bytes, text_bytes);
  EXPECT_EQ(report->bytes_read, text_bytes);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_EQ(ResidentPages(postlist), (std::filesystem::file_size(postlist) + page - 1) / page);

  SearchRequest q;
  q.text = "number";
  absl::StatusOr<SearchResponse> found = (*index)->Search(q);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->total, 2000u);
}

}  // namespace
}  // namespace inkdex::index
