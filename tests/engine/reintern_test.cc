// ReinternStrings: the rows of the snapshot it returns point only into the
// new pool, which holds just the strings rows use; the rows, hot rows and
// indexes read as before; the old pool and snapshot can go.
#include "engine/reintern.h"

#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/snapshot_update.h"
#include "engine/suggest_index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/taxonomy.h"

namespace inkdex::engine {
namespace {

StoredRecord Record(uint32_t slot, const std::string& id, int variant) {
  StoredRecord r;
  r.set_version(static_cast<uint64_t>(variant) + 1);
  r.set_slot(slot);
  Artist& a = *r.mutable_artist();
  a = testing::MakeArtist(id, "Artist " + id, 53.8 + slot * 0.01, -1.55, {"blackwork"});
  a.mutable_studio()->set_id(absl::StrCat("studio-", slot % 3, "-", variant));
  a.mutable_studio()->set_name(absl::StrCat("Studio ", slot % 3, " v", variant));
  a.mutable_location()->set_display(absl::StrCat("Street ", slot, " v", variant, ", Leeds"));
  a.mutable_location()->set_city("Leeds");
  a.mutable_location()->set_country("GB");
  a.mutable_pricing()->set_currency(slot % 2 ? "GBP" : "EUR");
  a.mutable_pricing()->set_hourly_rate(100);
  GuestSpot* g = a.add_guest_spots();
  g->mutable_location()->set_latitude(51.5);
  g->mutable_location()->set_longitude(-0.12);
  g->mutable_location()->set_display(absl::StrCat("Guest ", slot, " v", variant));
  g->mutable_location()->set_city(absl::StrCat("London ", variant));
  return r;
}

// Every interned pointer of every row, with its text.
std::set<std::pair<const std::string*, std::string>> Interned(const Snapshot& s) {
  std::set<std::pair<const std::string*, std::string>> out;
  auto add = [&out](const std::string* p) {
    if (p != nullptr && p != &EmptyString()) out.insert({p, *p});
  };
  for (uint32_t slot = 0; slot < s.rows.slot_limit(); ++slot) {
    const Row& row = s.rows.row(slot);
    for (const RowLocation& l : row.locations) {
      add(l.display);
      add(l.city);
      add(l.city_name);
    }
    add(row.studio_key);
    add(row.currency);
    add(row.studio_name);
  }
  return out;
}

TEST(ReinternStrings, RowsPointOnlyIntoTheNewPoolWhichHoldsWhatTheyUse) {
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
  ASSERT_TRUE(taxonomy.ok());
  auto old_pool = std::make_shared<StringPool>();
  std::shared_ptr<const Snapshot> snap = std::make_shared<Snapshot>();
  // Five rewrites of 100 artists, each with new studios and displays: the
  // old pool keeps every version's strings.
  for (int variant = 0; variant < 5; ++variant) {
    SnapshotUpdate update(*snap, *taxonomy, old_pool);
    for (uint32_t slot = 1; slot <= 100; ++slot) {
      update.Set(slot, absl::StrCat("a", slot), Record(slot, absl::StrCat("a", slot), variant));
    }
    snap = std::move(update).Finish(static_cast<uint64_t>(variant) + 1, 0);
  }
  const auto before = Interned(*snap);
  const size_t old_size = old_pool->size();

  auto pool = std::make_shared<StringPool>();
  std::shared_ptr<const Snapshot> next = ReinternStrings(*snap, pool);
  EXPECT_EQ(next->strings, pool);
  EXPECT_EQ(next->seq, snap->seq);
  EXPECT_EQ(next->live, snap->live);
  EXPECT_EQ(next->suggest_studios, snap->suggest_studios);  // shared: no interned pointers
  EXPECT_EQ(next->geo_base, snap->geo_base);

  // The same texts, each now the new pool's, and nothing else in it.
  const auto after = Interned(*next);
  std::set<std::string> texts_before, texts_after;
  for (const auto& [p, text] : before) texts_before.insert(text);
  for (const auto& [p, text] : after) {
    texts_after.insert(text);
    EXPECT_EQ(pool->Intern(text), p) << text;
  }
  EXPECT_EQ(texts_after, texts_before);
  EXPECT_EQ(pool->size(), texts_after.size());
  EXPECT_LT(pool->size() * 4, old_size);  // four of the five versions were unused

  // Rows and hot rows read the same; hot rows' cities are the new pool's.
  for (uint32_t slot = 1; slot <= 100; ++slot) {
    const Row& a = snap->rows.row(slot);
    const Row& b = next->rows.row(slot);
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(*b.studio_name, *a.studio_name);
    EXPECT_EQ(*b.locations[1].display, *a.locations[1].display);
    EXPECT_EQ(next->rows.hot(slot).city, b.locations[0].city);
    EXPECT_EQ(next->rows.hot(slot).lat, snap->rows.hot(slot).lat);
  }

  // The old snapshot and pool can go: the new snapshot reads on alone (a
  // use after free here is what the sanitizer build would report).
  snap.reset();
  old_pool.reset();
  size_t bytes = 0;
  for (const auto& [p, text] : Interned(*next)) bytes += p->size();
  EXPECT_GT(bytes, 0u);
  EXPECT_THAT(CheckSuggestIndexes(*next, 10), ::testing::IsEmpty());

  // A later commit on top of it interns into the new pool and shares pages.
  SnapshotUpdate update(*next, *taxonomy, pool);
  update.Set(7, "a7", Record(7, "a7", 9));
  std::shared_ptr<const Snapshot> later = std::move(update).Finish(next->seq + 1, 0);
  EXPECT_EQ(*later->rows.row(7).studio_name, "Studio 1 v9");
  EXPECT_EQ(pool->Intern("Studio 1 v9"), later->rows.row(7).studio_name);
  EXPECT_EQ(&later->rows.row(90), &next->rows.row(90));
}

}  // namespace
}  // namespace inkdex::engine
