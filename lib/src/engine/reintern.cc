#include "engine/reintern.h"

#include <utility>

#include "absl/container/flat_hash_map.h"

namespace inkdex::engine {

std::shared_ptr<const Snapshot> ReinternStrings(const Snapshot& s,
                                                std::shared_ptr<StringPool> pool) {
  StringPool& to = *pool;
  // Each old string's new one, by address: rows share a few strings each
  // (cities, studios, currencies), and a pointer hashes faster than text.
  absl::flat_hash_map<const std::string*, const std::string*> moved;
  auto again = [&](const std::string* p) -> const std::string* {
    // Null and the shared empty string are not the pool's.
    if (p == nullptr || p == &EmptyString()) return p;
    auto [it, inserted] = moved.try_emplace(p, nullptr);
    if (inserted) it->second = to.Intern(*p);
    return it->second;
  };
  RowTable::Builder rows(s.rows);
  for (uint32_t slot = 0; slot < s.rows.slot_limit(); ++slot) {
    Row& row = rows.Mutable(slot);
    for (RowLocation& l : row.locations) {
      l.display = again(l.display);
      l.city = again(l.city);
      l.city_name = again(l.city_name);
    }
    row.studio_key = again(row.studio_key);
    row.currency = again(row.currency);
    row.studio_name = again(row.studio_name);
    rows.Sync(slot);
  }
  auto next = std::make_shared<Snapshot>(s);
  next->rows = std::move(rows).Build();
  next->strings = std::move(pool);
  return next;
}

}  // namespace inkdex::engine
