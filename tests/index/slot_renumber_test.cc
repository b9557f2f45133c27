// IndexOptions::renumber_slots (index/slot_renumber.cc): every stored
// record gets a new slot in S2 cell order; the index answers exactly as
// before, keeps its version rules, and an open that stops part way leaves
// the next open to finish. And Index::MeasureSlotLayout, which tells when
// the order has worn away (engine/slot_layout.h). And Index::CopyDocumentStore,
// the first step of a renumbering while the index serves (a copy opened
// renumbered, then the commits made since re-applied to it).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "geo/region.h"
#include "gtest/gtest.h"
#include "index/index_impl.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "store/doc_store.h"

namespace inkdex {
namespace {

using ::inkdex::testing::CellsInSlotOrder;
using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::inkdex::testing::OpenUnsyncedIndex;
using ::inkdex::testing::SearchText;
using ::inkdex::testing::TempDir;

constexpr int kArtists = 2600;  // three batches of a store scan (index::kRecordBatch)

// Artists applied a few at a time in no spatial order (so their slots are
// in no cell order), then a fifth of them moved to the other side of the
// world, some hidden and some deleted: a long-fed index.
void WriteScattered(Index& index) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170);
  const std::vector<std::string> styles = {"blackwork", "fineline", "japanese", "realism"};
  for (int first = 0; first < kArtists; first += 13) {
    WriteBatch batch;
    for (int i = first; i < std::min(kArtists, first + 13); ++i) {
      batch.Upsert(MakeArtist(absl::StrCat("a", (i * 7919) % kArtists),
                              absl::StrCat("Rose Group", i % 10), lat(rng), lon(rng),
                              {styles[i % styles.size()]}, 1));
    }
    ASSERT_TRUE(index.Apply(batch).ok());
  }
  WriteBatch changes;
  for (int i = 0; i < kArtists; i += 5) {
    Artist moved = MakeArtist(absl::StrCat("a", i), absl::StrCat("Moved Group", i % 10),
                              -lat(rng) / 2, lon(rng), {styles[i % styles.size()]}, 2);
    if (i % 35 == 0) moved.set_opted_out(true);
    changes.Upsert(std::move(moved));
  }
  for (int i = 3; i < kArtists; i += 29) changes.Delete(absl::StrCat("a", i), 2);
  ASSERT_TRUE(index.Apply(changes).ok());
}

// What the index answers: text, radius, viewport, nearest and style
// searches, hit by hit (id, distance, score) with totals and style counts.
std::vector<std::string> Answers(const Index& index) {
  std::vector<SearchRequest> requests;
  for (const char* text : {"rose", "moved", "group3", "gro"}) {
    SearchRequest q;
    q.text = text;
    requests.push_back(q);
  }
  for (double lat : {-20.0, 0.0, 35.0}) {
    SearchRequest q;
    q.point = GeoPoint{lat, 10};
    q.radius_km = 3000;
    requests.push_back(q);
    q.text = "group3";
    requests.push_back(q);
  }
  SearchRequest box;
  box.bbox = BoundingBox{-30, 150, 40, -120};  // across the antimeridian
  requests.push_back(box);
  SearchRequest nearest;
  nearest.point = GeoPoint{51.5, -0.1};
  nearest.sort = SortOrder::kDistance;
  requests.push_back(nearest);
  SearchRequest style;
  style.styles = {"japanese"};
  style.sort = SortOrder::kRating;
  requests.push_back(style);

  std::vector<std::string> out;
  for (SearchRequest& q : requests) {
    q.limit = 100;
    absl::StatusOr<SearchResponse> r = index.Search(q);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) continue;
    out.push_back(absl::StrCat("total=", r->total));
    for (const SearchHit& h : r->hits) {
      out.push_back(absl::StrFormat("%s %.6f %.9g", h.id, h.distance_km, h.score));
    }
    for (const FacetValue& f : r->facets.styles) out.push_back(absl::StrCat(f.value, "=", f.count));
  }
  return out;
}

void ExpectVerified(const Index& index) {
  absl::StatusOr<VerifyReport> report = index.Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
}

// id -> slot, read from the closed index's document store.
std::map<std::string, uint32_t> StoredSlots(const std::string& dir, std::string* renumbering) {
  std::map<std::string, uint32_t> slots;
  absl::StatusOr<std::unique_ptr<store::DocStore>> store =
      store::DocStore::Open(dir + "/docs", false, false, 1 << 20);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return slots;
  EXPECT_TRUE((*store)
                  ->ForEachRecordBatch(64,
                                       [&](const store::DocStore::RecordBatch& batch) {
                                         for (const auto& [id, r] : batch.records) {
                                           slots[id] = r->slot();
                                         }
                                         return absl::OkStatus();
                                       })
                  .ok());
  absl::StatusOr<std::optional<std::string>> key =
      (*store)->GetMetadata(index::kRenumberingSlotsKey);
  EXPECT_TRUE(key.ok());
  *renumbering = key.ok() && key->has_value() ? **key : "";
  return slots;
}

bool HasDuplicateSlots(const std::map<std::string, uint32_t>& slots) {
  std::vector<uint32_t> sorted;
  for (const auto& [id, slot] : slots) sorted.push_back(slot);
  std::sort(sorted.begin(), sorted.end());
  return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
}

std::unique_ptr<Index> OpenRenumbering(const std::string& dir) {
  IndexOptions options;
  options.sync = false;
  options.renumber_slots = true;
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir, options);
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? *std::move(index) : nullptr;
}

TEST(SlotRenumberTest, RenumberedSlotsAreInCellOrderAndAnswersAreUnchanged) {
  TempDir dir;
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
  ASSERT_NE(index, nullptr);
  WriteScattered(*index);
  const std::vector<std::string> before = Answers(*index);
  const std::vector<uint64_t> cells_before = CellsInSlotOrder(*index, dir.path());
  ASSERT_FALSE(std::is_sorted(cells_before.begin(), cells_before.end()));
  const int64_t documents = index->Stats().documents;

  absl::StatusOr<SlotLayout> drifted = index->MeasureSlotLayout();
  ASSERT_TRUE(drifted.ok()) << drifted.status();
  EXPECT_GT(drifted->Drift(), 0.3);
  index.reset();

  index = OpenRenumbering(dir.path());
  ASSERT_NE(index, nullptr);
  absl::StatusOr<SlotLayout> layout = index->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->breaks, 0u);
  EXPECT_EQ(layout->artists, drifted->artists);
  const std::vector<uint64_t> cells = CellsInSlotOrder(*index, dir.path());
  EXPECT_EQ(cells.size(), cells_before.size());
  EXPECT_TRUE(std::is_sorted(cells.begin(), cells.end()));
  EXPECT_EQ(Answers(*index), before);
  EXPECT_EQ(index->Stats().documents, documents);
  ExpectVerified(*index);
  index.reset();

  // Dense: searchable artists first (their documents are slots 1..n), then
  // hidden ones and tombstones; no slot twice; no key left behind.
  std::string renumbering;
  const std::map<std::string, uint32_t> slots = StoredSlots(dir.path(), &renumbering);
  EXPECT_EQ(renumbering, "");
  std::vector<uint32_t> all;
  for (const auto& [id, slot] : slots) all.push_back(slot);
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i + 1) << "slot " << i + 1;
  EXPECT_GT(slots.at("a3"), cells.size());  // deleted
  EXPECT_GT(slots.at("a0"), cells.size());  // opted out

  // The version rules still hold after it, and a reopen serves the same.
  index = OpenUnsyncedIndex(dir.path(), false);
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(Answers(*index), before);
  WriteBatch later;
  later.Upsert(MakeArtist("a3", "Stale Quokka", 51, -2, {"blackwork"}, 2));  // deleted at 2
  later.Upsert(MakeArtist("a0", "Back Quokka", 51, -2, {"blackwork"}, 3));   // opts back in
  later.Upsert(MakeArtist("new", "New Quokka", 51, -2, {"blackwork"}, 1));
  absl::StatusOr<std::vector<ChangeResult>> applied = index->Apply(later);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ((*applied)[0].outcome, ChangeResult::Outcome::kStale);
  EXPECT_EQ((*applied)[1].outcome, ChangeResult::Outcome::kApplied);
  EXPECT_EQ((*applied)[2].outcome, ChangeResult::Outcome::kApplied);
  std::vector<std::string> hits = HitIds(SearchText(*index, "quokka"));
  std::sort(hits.begin(), hits.end());
  EXPECT_EQ(hits, (std::vector<std::string>{"a0", "new"}));
  ExpectVerified(*index);
  index.reset();
  const std::map<std::string, uint32_t> after = StoredSlots(dir.path(), &renumbering);
  EXPECT_EQ(after.at("new"), all.size() + 1);  // the next slot, none reused twice
  EXPECT_FALSE(HasDuplicateSlots(after));
}

// Index::MeasureSlotLayout counts the neighbours in cell order whose slots
// are not near: none after one batch (slots given in cell order), two for
// an artist moved next to one far from it in slot order.
TEST(SlotRenumberTest, TheLayoutCountsTheBreaksOfCellOrder) {
  TempDir dir;
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
  ASSERT_NE(index, nullptr);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> lat(-50, 60), lon(-170, 170);
  WriteBatch batch;
  std::vector<std::pair<uint64_t, Artist>> by_cell;
  for (int i = 0; i < 200; ++i) {
    Artist a = MakeArtist(absl::StrCat("b", i), "Layout", lat(rng), lon(rng), {"blackwork"}, 1);
    by_cell.emplace_back(geo::LeafCellId(a.location().latitude(), a.location().longitude()), a);
    batch.Upsert(a);
  }
  ASSERT_TRUE(index->Apply(batch).ok());
  absl::StatusOr<SlotLayout> layout = index->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->artists, 200u);
  EXPECT_EQ(layout->breaks, 0u);
  EXPECT_EQ(layout->Drift(), 0.0);

  // The 151st in cell order (slot 151) moves onto the 11th (slot 11): it
  // now sits between slots 11 and 12 in cell order.
  std::sort(by_cell.begin(), by_cell.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Artist moved = by_cell[150].second;
  *moved.mutable_location() = by_cell[10].second.location();
  moved.set_version(2);
  WriteBatch move;
  move.Upsert(moved);
  ASSERT_TRUE(index->Apply(move).ok());
  layout = index->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->artists, 200u);
  EXPECT_EQ(layout->breaks, 2u);
  EXPECT_DOUBLE_EQ(layout->Drift(), 0.005);
  index.reset();

  index = OpenRenumbering(dir.path());
  ASSERT_NE(index, nullptr);
  layout = index->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->breaks, 0u);
}

// IndexOptions::renumber_slots_at_drift: an open that finds the layout
// drifted at least that far renumbers; one below it leaves the slots.
TEST(SlotRenumberTest, AnOpenRenumbersWhenTheDriftReachesItsThreshold) {
  TempDir dir;
  double drift = 0;
  std::vector<std::string> before;
  {
    std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
    ASSERT_NE(index, nullptr);
    WriteScattered(*index);
    absl::StatusOr<SlotLayout> layout = index->MeasureSlotLayout();
    ASSERT_TRUE(layout.ok()) << layout.status();
    drift = layout->Drift();
    before = Answers(*index);
  }
  ASSERT_GT(drift, 0.3);
  IndexOptions options;
  options.sync = false;
  for (double threshold : {1.0, drift + 0.01}) {
    options.renumber_slots_at_drift = threshold;
    absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path(), options);
    ASSERT_TRUE(index.ok()) << index.status();
    absl::StatusOr<SlotLayout> layout = (*index)->MeasureSlotLayout();
    ASSERT_TRUE(layout.ok()) << layout.status();
    EXPECT_EQ(layout->Drift(), drift) << "threshold " << threshold;
  }
  options.renumber_slots_at_drift = drift;
  std::vector<SlotLayout> told;
  options.on_renumber_slots = [&told](const SlotLayout& layout) { told.push_back(layout); };
  absl::StatusOr<std::unique_ptr<Index>> index = Index::Open(dir.path(), options);
  ASSERT_TRUE(index.ok()) << index.status();
  absl::StatusOr<SlotLayout> layout = (*index)->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->breaks, 0u);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].Drift(), drift);
  EXPECT_EQ(Answers(**index), before);
  ExpectVerified(**index);
  index->reset();
  // Not drifted any more: opened without renumbering, and not told.
  told.clear();
  index = Index::Open(dir.path(), options);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_TRUE(told.empty());
  index->reset();
  options.on_renumber_slots = nullptr;

  for (double bad : {-0.1, 1.5, std::nan("")}) {
    options.renumber_slots_at_drift = bad;
    absl::StatusOr<std::unique_ptr<Index>> refused = Index::Open(dir.path(), options);
    ASSERT_TRUE(absl::IsInvalidArgument(refused.status())) << bad;
    EXPECT_NE(refused.status().message().find("renumber_slots_at_drift"), std::string::npos);
  }
}

TEST(SlotRenumberTest, AnOpenStoppedWhileRewritingIsFinishedByTheNextOpen) {
  TempDir dir;
  std::vector<std::string> before;
  {
    std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
    ASSERT_NE(index, nullptr);
    WriteScattered(*index);
    before = Answers(*index);
  }
  // Cancelled at the fifth check: the order's scan checks once per batch of
  // the store (three), the rewrite after each batch it has rewritten, so
  // two of its three batches are written and the third is not.
  int checks = 0;
  IndexOptions options;
  options.sync = false;
  options.renumber_slots = true;
  options.cancelled = [&checks] { return ++checks >= 5; };
  absl::StatusOr<std::unique_ptr<Index>> stopped = Index::Open(dir.path(), options);
  ASSERT_TRUE(absl::IsCancelled(stopped.status())) << stopped.status();
  EXPECT_NE(stopped.status().message().find("renumbering the slots"), std::string::npos)
      << stopped.status();

  std::string renumbering;
  const std::map<std::string, uint32_t> half = StoredSlots(dir.path(), &renumbering);
  EXPECT_EQ(renumbering, "1");
  EXPECT_TRUE(HasDuplicateSlots(half)) << "the open stopped before it had rewritten any record";

  // An open that does not ask for it finishes it, before reading a slot.
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
  ASSERT_NE(index, nullptr);
  const std::vector<uint64_t> cells = CellsInSlotOrder(*index, dir.path());
  EXPECT_TRUE(std::is_sorted(cells.begin(), cells.end()));
  EXPECT_EQ(Answers(*index), before);
  ExpectVerified(*index);
  index.reset();
  const std::map<std::string, uint32_t> done = StoredSlots(dir.path(), &renumbering);
  EXPECT_EQ(renumbering, "");
  EXPECT_FALSE(HasDuplicateSlots(done));
}

// Outcomes as comparable strings.
std::vector<std::string> Outcomes(const std::vector<ChangeResult>& results) {
  std::vector<std::string> out;
  for (const ChangeResult& r : results) {
    out.push_back(absl::StrCat(static_cast<int>(r.outcome), " ", r.reason));
  }
  return out;
}

// A copy of the documents, opened renumbered, answers as the index did when
// copied; the batches committed to the index after the copy, applied to the
// copy in the same order, have the same outcomes there and leave the two
// answering alike, the copy with its slots in cell order.
TEST(SlotRenumberTest, ACopyOfTheDocumentsOpensRenumberedAndCatchesUpByReplay) {
  TempDir dir;
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path(), false);
  ASSERT_NE(index, nullptr);
  WriteScattered(*index);
  const std::vector<std::string> at_copy = Answers(*index);
  const std::string copy_dir = dir.path() + "/copy";
  absl::StatusOr<uint64_t> copied = index->CopyDocumentStore(copy_dir);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(*copied, index->Stats().commit_seq);
  EXPECT_FALSE(std::filesystem::exists(copy_dir + "/text"));

  // Commits after the copy: moves, a new artist, a delete, a stale change,
  // a hidden artist back, and metadata (a stream checkpoint's place).
  std::vector<WriteBatch> later(2);
  later[0].Upsert(MakeArtist("a10", "Later Quokka", 51.5, -0.1, {"japanese"}, 3));
  later[0].Upsert(MakeArtist("fresh", "Fresh Quokka", 48.8, 2.3, {"realism"}, 1));
  later[0].Delete("a20", 3);
  later[0].Upsert(MakeArtist("a3", "Stale Quokka", 51, -2, {"blackwork"}, 2));   // deleted at 2
  later[1].Upsert(MakeArtist("a0", "Back Quokka", 40.7, -74, {"fineline"}, 3));  // opted out at 2
  later[1].Upsert(MakeArtist("fresh", "Fresh Quokka Again", 48.8, 2.3, {"realism"}, 2));
  later[1].PutMetadata("stream.checkpoint.x", "42");
  std::vector<std::vector<std::string>> outcomes;
  for (const WriteBatch& b : later) {
    absl::StatusOr<std::vector<ChangeResult>> r = index->Apply(b);
    ASSERT_TRUE(r.ok()) << r.status();
    outcomes.push_back(Outcomes(*r));
  }
  EXPECT_EQ(outcomes[0][3].substr(0, 1), "1");  // stale there too
  const std::vector<std::string> after = Answers(*index);
  ASSERT_NE(after, at_copy);

  IndexOptions renumber;
  renumber.sync = false;
  renumber.renumber_slots = true;
  absl::StatusOr<std::unique_ptr<Index>> copy = Index::Open(copy_dir, renumber);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ((*copy)->Stats().commit_seq, *copied);
  EXPECT_EQ(Answers(**copy), at_copy);
  for (size_t i = 0; i < later.size(); ++i) {
    absl::StatusOr<std::vector<ChangeResult>> r = (*copy)->Apply(later[i]);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(Outcomes(*r), outcomes[i]) << "batch " << i;
  }
  EXPECT_EQ(Answers(**copy), after);
  EXPECT_EQ((*copy)->Stats().documents, index->Stats().documents);
  EXPECT_EQ((*copy)->Stats().tombstones, index->Stats().tombstones);
  absl::StatusOr<std::optional<std::string>> meta = (*copy)->GetMetadata("stream.checkpoint.x");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->value_or(""), "42");
  absl::StatusOr<SlotLayout> layout = (*copy)->MeasureSlotLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  // At most two breaks for each of the three artists placed after the copy
  // (a10 moved, fresh added, a0 shown again).
  EXPECT_LE(layout->breaks, 6u);
  absl::StatusOr<SlotLayout> original = index->MeasureSlotLayout();
  ASSERT_TRUE(original.ok());
  EXPECT_GT(original->Drift(), 0.3);
  ExpectVerified(**copy);
  ExpectVerified(*index);  // the original is untouched by its copy
}

TEST(SlotRenumberTest, ACopyNeedsANewDirectory) {
  TempDir dir;
  std::unique_ptr<Index> index = OpenUnsyncedIndex(dir.path() + "/index", false);
  ASSERT_NE(index, nullptr);
  WriteBatch batch;
  batch.Upsert(MakeArtist("x", "Copy Quokka", 51, -2, {"blackwork"}, 1));
  ASSERT_TRUE(index->Apply(batch).ok());
  std::filesystem::create_directory(dir.path() + "/taken");
  absl::StatusOr<uint64_t> taken = index->CopyDocumentStore(dir.path() + "/taken");
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(taken.status().message(), "/taken' exists already"))
      << taken.status();
  absl::StatusOr<uint64_t> orphan = index->CopyDocumentStore(dir.path() + "/no/such/parent");
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(orphan.status().message(), "cannot create")) << orphan.status();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/no"));
  // The index goes on as before.
  EXPECT_EQ(HitIds(SearchText(*index, "quokka")), std::vector<std::string>{"x"});
  ExpectVerified(*index);
}

}  // namespace
}  // namespace inkdex
