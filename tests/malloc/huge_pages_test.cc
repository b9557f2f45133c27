// The heap of inkdex's programs sits on transparent huge pages
// (tools/malloc/tcmalloc_huge_pages.cc): this binary links inkdex_malloc as
// the programs do.
#include "malloc/tcmalloc_huge_pages.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace inkdex::malloc {
namespace {

// The machine's THP mode: "always", "madvise" or "never" (the bracketed one).
std::string ThpMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(in, line);
  const size_t open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

// AnonHugePages (bytes) of the mapping of this process that holds `p`.
int64_t HugeBytesOfMappingAt(const void* p) {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      std::istringstream kb(line.substr(14));
      int64_t n = 0;
      kb >> n;
      return n * 1024;
    }
  }
  return -1;
}

TEST(HugePagesTest, OnlyOffTurnsThemOff) {
  EXPECT_TRUE(HugePagesWanted(nullptr));
  EXPECT_TRUE(HugePagesWanted(""));
  EXPECT_TRUE(HugePagesWanted("on"));
  EXPECT_FALSE(HugePagesWanted("off"));
}

TEST(HugePagesTest, InstalledAtStartUp) {
  // CTest runs this without INKDEX_HUGE_PAGES.
  ASSERT_TRUE(HugePagesWanted(std::getenv("INKDEX_HUGE_PAGES")));
  EXPECT_TRUE(HugePagesInstalled());
}

TEST(HugePagesTest, LargeHeapBlocksAreBackedByHugePages) {
  const std::string mode = ThpMode();
  if (mode == "never")
    GTEST_SKIP() << "inkdex-skip: transparent huge pages are off on this machine";
  ASSERT_TRUE(mode == "madvise" || mode == "always") << "THP mode: '" << mode << "'";
  // 64 MiB from the heap, touched page by page as an index load would.
  constexpr size_t kBytes = size_t{64} << 20;
  auto block = std::make_unique<char[]>(kBytes);
  for (size_t i = 0; i < kBytes; i += 4096) block[i] = static_cast<char>(i);
  const int64_t huge = HugeBytesOfMappingAt(block.get() + kBytes / 2);
  // Faulted in as 2 MiB pages where the kernel had them: most of the block
  // on a machine with free memory (the tests' machines have GiBs).
  EXPECT_GE(huge, static_cast<int64_t>(kBytes / 2)) << "THP mode " << mode;
}

}  // namespace
}  // namespace inkdex::malloc
