// StringPool: append-only interning of strings that many rows share.
//
// Returned pointers stay valid for the pool's lifetime (std::deque never
// moves its elements), so rows in any snapshot may hold them.
//
// Cost and limit: ~80 bytes plus the text per distinct string, never freed
// by the pool itself: a string no row uses any more (a studio renamed, a
// location display rewritten) stays while the pool lives. The index's
// writer replaces its pool once it has doubled (engine/reintern.h), which
// bounds it to about twice the strings in use plus a fixed slack. The
// pooled strings are locations' displays and cities, studio names and keys,
// and currencies (bench/soak/write_soak.py measures a server under
// rewrites that invent new ones).
//
// Thread safety: Intern() must be called by one thread at a time (the index
// writer). Dereferencing returned pointers is safe from any thread at any
// time, concurrently with Intern().
#ifndef INKDEX_ENGINE_STRING_POOL_H_
#define INKDEX_ENGINE_STRING_POOL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace inkdex::engine {

class StringPool {
 public:
  const std::string* Intern(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    strings_.emplace_back(s);
    const std::string* p = &strings_.back();
    index_.emplace(std::string_view(*p), p);
    // The string, its heap buffer beyond the inline one, and its map slot
    // (a key, a pointer and a control byte, at the map's ~7/8 load).
    const uint64_t heap = p->capacity() > kInlineCapacity ? p->capacity() + 1 : 0;
    bytes_.fetch_add(
        sizeof(std::string) + heap + (sizeof(std::string_view) + sizeof(p) + 1) * 8 / 7,
        std::memory_order_relaxed);
    return p;
  }
  // REQUIRES: the writer's thread (Intern's).
  size_t size() const { return strings_.size(); }
  // Approximate heap bytes held. Any thread, concurrently with Intern().
  uint64_t MemoryBytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kInlineCapacity = std::string().capacity();

  std::deque<std::string> strings_;
  absl::flat_hash_map<std::string_view, const std::string*> index_;
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_STRING_POOL_H_
