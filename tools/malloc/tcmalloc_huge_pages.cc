// Transparent huge pages for the heap of inkdex's programs (inkdex-server,
// the inkdex CLI, the benchmarks), which allocate with tcmalloc
// (cmake/Dependencies.cmake, INKDEX_TCMALLOC).
//
// Why: a search touches a few cache lines in each of many places of a heap
// of ~550 bytes an artist (the cell index's binary searches, rows, names),
// and at 1M artists most of those touches also miss the TLB: with 4 KiB
// pages the page walks were a large part of a cold query. Marking the heap
// MADV_HUGEPAGE lets the kernel back it with 2 MiB pages (measured at 1M
// artists: suggest near a point p99 -15-20 %, the other classes' means 5-15 %
// lower; bench/ANALYSIS.md, "tcmalloc and huge pages").
//
// How: tcmalloc asks its SysAllocator for memory in chunks of at least
// 1 MiB; this one asks the default allocator for 2 MiB-aligned, 2 MiB-
// multiple chunks and marks each with madvise(MADV_HUGEPAGE). It only
// advises: where transparent huge pages are "never" (or madvise fails) the
// memory is ordinary pages, as without it. With THP "always" it changes
// nothing. Memory: at most one partly used 2 MiB page per chunk more.
//
// INKDEX_HUGE_PAGES=off in the environment leaves the heap on ordinary
// pages: with THP "madvise", a fault in advised memory may compact memory
// synchronously, which some deployments prefer to avoid (as databases that
// ask for THP off do); the cost is the speed above.
//
// Installed by a static initializer, before main and before any thread.
// Nothing here runs after that except Alloc, which tcmalloc calls under its
// own lock; Alloc must not allocate.
#include "malloc/tcmalloc_huge_pages.h"

#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string_view>

#include <gperftools/malloc_extension.h>

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

class HugePageSysAllocator final : public SysAllocator {
 public:
  explicit HugePageSysAllocator(SysAllocator* next) : next_(next) {}

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    const size_t rounded = (size + kHugePage - 1) / kHugePage * kHugePage;
    const size_t aligned = alignment > kHugePage ? alignment : kHugePage;
    void* p = next_->Alloc(rounded, actual_size, aligned);
    if (p == nullptr) return next_->Alloc(size, actual_size, alignment);
    const size_t got = actual_size != nullptr ? *actual_size : rounded;
    // Advice only: a failure (no THP support) leaves ordinary pages.
    madvise(p, got, MADV_HUGEPAGE);
    return p;
  }

 private:
  SysAllocator* const next_;
};

std::atomic<bool> installed{false};

struct Installer {
  Installer() {
    if (!inkdex::malloc::HugePagesWanted(std::getenv("INKDEX_HUGE_PAGES"))) return;
    MallocExtension* ext = MallocExtension::instance();
    SysAllocator* next = ext->GetSystemAllocator();
    if (next == nullptr) return;  // not tcmalloc: nothing to wrap
    // Never destroyed: tcmalloc may still grow the heap while other static
    // objects are destroyed at exit, after a static allocator's destructor
    // would have run.
    alignas(HugePageSysAllocator) static unsigned char storage[sizeof(HugePageSysAllocator)];
    ext->SetSystemAllocator(new (storage) HugePageSysAllocator(next));
    installed.store(true);
  }
};

const Installer installer;

}  // namespace

namespace inkdex::malloc {

bool HugePagesWanted(const char* setting) {
  return setting == nullptr || std::string_view(setting) != "off";
}

bool HugePagesInstalled() { return installed.load(); }

}  // namespace inkdex::malloc
