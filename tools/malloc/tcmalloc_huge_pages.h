// The huge-page heap of inkdex's programs (tcmalloc_huge_pages.cc says why
// and how). Linking the inkdex_malloc OBJECT library installs it before main;
// these functions only report and decide.
//
// Thread safety: thread-safe.
#ifndef INKDEX_TOOLS_MALLOC_TCMALLOC_HUGE_PAGES_H_
#define INKDEX_TOOLS_MALLOC_TCMALLOC_HUGE_PAGES_H_

namespace inkdex::malloc {

// Whether the INKDEX_HUGE_PAGES setting (null: unset) asks for huge pages:
// every value but "off" does.
bool HugePagesWanted(const char* setting);

// True when tcmalloc's system allocator was wrapped at start-up (the setting
// wanted it and tcmalloc is the process's malloc).
bool HugePagesInstalled();

}  // namespace inkdex::malloc

#endif  // INKDEX_TOOLS_MALLOC_TCMALLOC_HUGE_PAGES_H_
