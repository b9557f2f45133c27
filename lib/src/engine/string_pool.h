// StringPool: append-only interning of strings that many rows share.
//
// Returned pointers stay valid for the pool's lifetime (std::deque never
// moves its elements), so rows in any snapshot may hold them.
//
// Thread safety: Intern() must be called by one thread at a time (the index
// writer). Dereferencing returned pointers is safe from any thread at any
// time, concurrently with Intern().
#ifndef INKDEX_ENGINE_STRING_POOL_H_
#define INKDEX_ENGINE_STRING_POOL_H_

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
    return p;
  }
  size_t size() const { return strings_.size(); }

 private:
  std::deque<std::string> strings_;
  absl::flat_hash_map<std::string_view, const std::string*> index_;
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_STRING_POOL_H_
