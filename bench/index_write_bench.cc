// Microbenchmarks of writing the search index, one thread: what a bulk
// load's background writers (index/search_index_parts.h) spend per artist,
// split into building the Xapian document (text::DocumentBuilder: term
// generation, stemming, phrase text) and writing parts of it into a new
// Xapian database. `inkdex build` runs one such writer per core beside the
// load (bench/ANALYSIS.md "Build: writers beside the load").
//
//   build/bin/inkdex_index_write_bench [--benchmark_repetitions=N]
//
// Records are `inkdex synth --seed 42` artists, parsed once (not timed).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/reintern.h"
#include "engine/snapshot_update.h"
#include "index/search_index_parts.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"
#include "text/document_builder.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

namespace fs = std::filesystem;

constexpr size_t kRecords = 20000;  // one part (SearchIndexParts::kPartDocuments)

const StyleTaxonomy& Taxonomy() {
  static const StyleTaxonomy* taxonomy = new StyleTaxonomy(*StyleTaxonomy::Default());
  return *taxonomy;
}

// kRecords synthetic artists as the parts receive them: slot, stored record
// with its content hash.
const std::vector<std::pair<uint32_t, StoredRecord>>& Records() {
  static const auto* records = [] {
    auto* out = new std::vector<std::pair<uint32_t, StoredRecord>>();
    absl::StatusOr<RecordLines> lines = GenerateRecordLines(kRecords);
    if (!lines.ok()) {
      std::fprintf(stderr, "records: %s\n", lines.status().ToString().c_str());
      std::abort();
    }
    uint32_t slot = 1;
    for (std::string_view line : lines->lines) {
      absl::StatusOr<ParsedRecord> parsed = ParseArtistRecord(line, Taxonomy());
      if (!parsed.ok()) continue;
      StoredRecord record;
      record.set_content_hash(text::ContentHash(parsed->artist));
      *record.mutable_artist() = std::move(parsed->artist);
      out->emplace_back(slot++, std::move(record));
    }
    return out;
  }();
  return *records;
}

void BM_BuildDocument(benchmark::State& state) {
  const auto& records = Records();
  text::DocumentBuilder builder(Taxonomy());
  size_t i = 0;
  for (auto _ : state) {
    const StoredRecord& r = records[i++ % records.size()].second;
    Xapian::Document doc = builder.Build(r.artist(), r.content_hash());
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildDocument);

// text::ContentHash of a stored artist: what Index::Apply computes for every
// upserted record to tell whether its search document must be rewritten.
void BM_ContentHash(benchmark::State& state) {
  const auto& records = Records();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(text::ContentHash(records[i++ % records.size()].second.artist()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContentHash);

// Parts of kRecords artists, one per writer thread (the argument), each
// written into a new database (documents built, written, committed), as a
// bulk load does. With two writers they share the caches, as in a build.
void BM_WriteParts(benchmark::State& state) {
  const unsigned writers = static_cast<unsigned>(state.range(0));
  const fs::path root = fs::temp_directory_path() / absl::StrCat("inkdex_write_bench_", getpid());
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::vector<std::pair<uint32_t, StoredRecord>>> batches(writers, Records());
    for (unsigned w = 0; w < writers; ++w) {
      for (auto& [slot, record] : batches[w]) slot += static_cast<uint32_t>(w * kRecords);
    }
    state.ResumeTiming();
    index::SearchIndexParts parts(root.string(), Taxonomy(), /*first_slot=*/1, writers,
                                  /*part_documents=*/kRecords);
    for (unsigned w = 0; w < writers; ++w) {
      parts.Add(std::move(batches[w]), static_cast<uint32_t>((w + 1) * kRecords + 1));
    }
    absl::StatusOr<std::vector<std::string>> written = parts.Finish();
    if (!written.ok()) {
      state.SkipWithError(written.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(writers * kRecords));
  std::error_code ec;
  fs::remove_all(root, ec);
}
BENCHMARK(BM_WriteParts)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The writer's re-intern of a snapshot of N artists into a fresh string
// pool (engine/reintern.h, done when the pool has doubled): the synthetic
// records repeated under new ids to N rows. Timed: the copy and re-interning
// of every row; not timed: freeing the copy (the index's writer does it at a
// later commit).
void BM_ReinternStrings(benchmark::State& state) {
  const auto rows = static_cast<uint32_t>(state.range(0));
  auto pool = std::make_shared<engine::StringPool>();
  std::shared_ptr<const engine::Snapshot> snapshot;
  {
    engine::Snapshot empty;
    engine::SnapshotUpdate update(empty, Taxonomy(), pool);
    const auto& records = Records();
    for (uint32_t slot = 1; slot <= rows; ++slot) {
      StoredRecord record = records[(slot - 1) % records.size()].second;
      const std::string id = absl::StrCat(record.artist().id(), "-", slot);
      record.mutable_artist()->set_id(id);
      record.set_slot(slot);
      record.set_version(1);
      update.Set(slot, id, record);
    }
    snapshot = std::move(update).Finish(1, 0);
  }
  for (auto _ : state) {
    std::shared_ptr<const engine::Snapshot> next =
        engine::ReinternStrings(*snapshot, std::make_shared<engine::StringPool>());
    state.PauseTiming();
    next.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["strings"] = static_cast<double>(pool->size());
}
BENCHMARK(BM_ReinternStrings)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

}  // namespace
}  // namespace inkdex::bench

BENCHMARK_MAIN();
