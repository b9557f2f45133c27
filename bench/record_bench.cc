// Record mapping, one thread: a synthetic artist (`inkdex synth --seed 42`)
// from its data-model JSON line, from its DynamoDB JSON text (an S3 export
// line, an `inkdex build --from-dynamodb` page), and from a DynamoDB stream
// image the service already holds parsed, read directly
// (MapDynamoDbAttributeMap) or written out and parsed again (the stream's
// path before it read images directly).
//
//   build/bin/inkdex_record_bench [--benchmark_repetitions=N]
//
// items_per_second = records mapped per second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dynamodb_image.h"
#include "inkdex/record.h"
#include "inkdex/taxonomy.h"
#include "nlohmann/json.hpp"
#include "workload.h"

namespace inkdex::bench {
namespace {

using nlohmann::json;

constexpr size_t kRecords = 2000;

const StyleTaxonomy& Taxonomy() {
  static const StyleTaxonomy* taxonomy = new StyleTaxonomy(*StyleTaxonomy::Default());
  return *taxonomy;
}

struct Records {
  std::vector<std::string> plain_lines;
  std::vector<json> images;  // with the keys, as a stream record's NewImage
  std::vector<std::string> image_texts;
  json overlay;  // what the default mapping changes: keys dropped, artistId set
};

const Records& TheRecords() {
  static const Records* records = [] {
    absl::StatusOr<RecordLines> lines = GenerateRecordLines(kRecords);
    if (!lines.ok()) {
      std::fprintf(stderr, "records: %s\n", lines.status().ToString().c_str());
      std::abort();
    }
    auto* out = new Records;
    for (std::string_view line : lines->lines) {
      out->plain_lines.emplace_back(line);
      out->images.push_back(ToItemImage(json::parse(line)));
      out->image_texts.push_back(out->images.back().dump());
    }
    const json absent(json::value_t::discarded);
    out->overlay = json{{"PK", absent}, {"SK", absent}};
    return out;
  }();
  return *records;
}

// Maps record i % kRecords with `map` every iteration.
template <class Map>
void MapEach(benchmark::State& state, Map map) {
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<ParsedRecord> r = map(i++ % kRecords);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ParsePlainLine(benchmark::State& state) {
  const Records& records = TheRecords();
  MapEach(state, [&](size_t i) {
    return ParseArtistRecord(records.plain_lines[i], Taxonomy(), RecordFormat::kJson);
  });
}
BENCHMARK(BM_ParsePlainLine);

void BM_ParseDynamoDbText(benchmark::State& state) {
  const Records& records = TheRecords();
  MapEach(state, [&](size_t i) {
    return ParseArtistRecord(records.image_texts[i], Taxonomy(), RecordFormat::kDynamoDbJson);
  });
}
BENCHMARK(BM_ParseDynamoDbText);

// The stream's mapping of an image: read through the overlay.
void BM_MapDynamoDbImage(benchmark::State& state) {
  const Records& records = TheRecords();
  MapEach(state, [&](size_t i) {
    return MapDynamoDbAttributeMap(records.images[i], records.overlay, Taxonomy());
  });
}
BENCHMARK(BM_MapDynamoDbImage);

// The same through a copy with the overlay applied, its text and a parse.
void BM_MapDynamoDbImageThroughText(benchmark::State& state) {
  const Records& records = TheRecords();
  MapEach(state, [&](size_t i) {
    json record = records.images[i];
    record.erase("PK");
    record.erase("SK");
    const std::string text = record.dump(-1, ' ', false, json::error_handler_t::replace);
    return ParseArtistRecord(text, Taxonomy(), RecordFormat::kDynamoDbJson);
  });
}
BENCHMARK(BM_MapDynamoDbImageThroughText);

}  // namespace
}  // namespace inkdex::bench

BENCHMARK_MAIN();
