// inkdex_stream_apply_bench: how fast DynamoDB stream records reach the
// index (issue 4, "Speed": >= 10,000 records/s), measured without DynamoDB.
//
//   inkdex_stream_apply_bench --build_dir=BUILD [--artists=100000]
//                             [--batch=1000] [--mix=25,65,10] [--renamed=100]
//                             [--get_records_ms=10]
//                             [--benchmark_* flags]
//
// The records are what the stream reader hands its sink: stream_records.h's
// synthetic records of the benchmark index's artists, in the proportions of
// --mix (percent INSERT,MODIFY,REMOVE; default 25,65,10), --renamed percent
// of the MODIFYs changing indexed text (default 100), none stale.
//
// Benchmarks (items_per_second = records/s):
//   parse_records/lean:L      the batch as a GetRecords answer's text,
//                             parsed (lean:0 dynamodb::ParseJson, lean:1
//                             stream::ParseRecordsPageForMapping, the
//                             reader's: no OldImage of an INSERT or MODIFY)
//                             and each record read by ParseStreamRecord:
//                             what the reader does before its sink sees
//                             the records.
//   read_page/premap:P        what the reader spends on a page before
//                             the commit: the batch as a GetRecords
//                             answer's text, parsed and each record mapped
//                             (RecordMapper::Map). premap:0 reads the page
//                             into trees (ParseRecordsPageForMapping) and
//                             maps them; premap:1 maps what it can while
//                             parsing (RecordMapper::ParseRecordsPage, the
//                             server's), and Map copies those mappings.
//   scan_page/premap:P        a Scan answer of the batch's new images (a
//                             table load's page) parsed and each item
//                             mapped: premap:0 through trees (ParseJson,
//                             MapItem), premap:1 mapped as parsed
//                             (RecordMapper::ParseScanPage, LoadTable's).
//   parse_record_texts/lean:L each record as its own text (a Lambda event's
//                             record, as ApplyStreamRecords receives it),
//                             parsed and read by ParseStreamRecord: lean:0
//                             with dynamodb::ParseJson, lean:1 with
//                             stream::ParseRecordJsonForMapping (the
//                             server's: no OldImage of an INSERT or MODIFY).
//   parse_and_map/direct:D    each record's text parsed and mapped, as
//                             ApplyStreamRecords does: direct:1 with
//                             RecordMapper::ParseAndMap (straight from
//                             simdjson's DOM where it can), direct:0 the
//                             general path (ParseRecordJsonForMapping,
//                             ParseStreamRecord, Map); the results freed
//                             inside the timing, as the server frees them.
//   map                       RecordMapper::Map of one batch (the same batch
//                             every iteration: mapping is pure).
//   index_apply/sync:S        Index::Apply of the batch's already mapped
//                             WriteBatch (with the checkpoint): the commit
//                             alone; the mapping runs with the timer paused.
//   apply_record_batch/sync:S StreamApplier::Apply of a ShardBatch, the
//                             stream reader's sink end to end: mapping, one
//                             commit holding the changes and the shard's
//                             checkpoint, the per-record outcomes.
//   read_shard/read_ahead:R/premap:P
//                             a ShardReader following a closed shard of 10
//                             pages of --batch records into StreamApplier
//                             (sync on), the stream reader end to end less
//                             HTTP: each GetRecords waits --get_records_ms
//                             (default 10, the network) and parses its
//                             page's text as StreamsClientSource does.
//                             read_ahead:1 reads the next pages while the
//                             sink maps and commits (the default),
//                             read_ahead:0 waits for each commit
//                             (ShardReaderOptions::read_ahead). premap:1
//                             maps the records as each page is parsed (the
//                             server's StreamsClientSource), premap:0 maps
//                             them from trees in the sink's Prepare.
//   purge_tombstones/tombstones:N
//                             Index::PurgeTombstones forgetting N tombstones
//                             (N artists of the index deleted first, timer
//                             paused) in one commit; items = tombstones.
//                             N = 0: a purge that finds nothing, i.e. the
//                             pass over the in-memory rows alone.
// S = 1 opens the index with IndexOptions.sync = true (the server's setting:
// every commit fsynced), S = 0 without. Each index benchmark works on its own
// copy of the benchmark index of --artists artists (built first when missing,
// workload.h), made in BUILD/bench-data/stream-apply-<pid>/ and removed at
// the end. Counters: stale and rejected (records per batch the index did not
// apply, expected 0), artists (documents in the index at the end).
// --batch: records per batch, 1..20000; 1000 is a GetRecords page (a reader
// that keeps up), 5000 what a reader that is behind hands its sink at once
// (ShardReaderOptions::max_batch_records, service/stream/shard_reader.h).
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "dynamodb/fast_json.h"
#include "dynamodb/stream_record.h"
#include "inkdex/index.h"
#include "inkdex/taxonomy.h"
#include "nlohmann/json.hpp"
#include "stream/item_mapping.h"
#include "stream/record_batch.h"
#include "stream/record_mapper.h"
#include "stream/shard_reader.h"
#include "stream/stream_applier.h"
#include "stream_records.h"
#include "synth/artist_generator.h"
#include "synth/synth_options.h"
#include "workload.h"

namespace inkdex::bench {
namespace {

using nlohmann::json;
using stream::AddToBatch;
using stream::CheckpointEntries;
using stream::MappedRecord;
using stream::MetadataEntries;
using stream::RecordAction;
using stream::RecordMapper;
using stream::RecordOutcome;
using stream::RecordResult;
using stream::ShardBatch;
using stream::StreamApplier;

constexpr char kStreamArn[] =
    "arn:aws:dynamodb:us-east-1:000000000000:table/directory/stream/2026-11-29T00:00:00.000";
constexpr char kShardId[] = "shardId-00000001764374400000-bench0000";

struct Flags {
  std::string build_dir = ".";
  uint64_t artists = 100000;
  size_t batch = 1000;
  RecordMix mix;
  int get_records_ms = 10;
};
Flags& GlobalFlags() {
  static Flags flags;
  return flags;
}

const RecordMapper& Mapper() {
  static const RecordMapper* mapper = [] {
    absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Default();
    if (!taxonomy.ok()) {
      std::cerr << "taxonomy: " << taxonomy.status() << "\n";
      std::exit(1);
    }
    return new RecordMapper(stream::ItemMapping::Default(),
                            std::make_shared<const StyleTaxonomy>(*std::move(taxonomy)));
  }();
  return *mapper;
}

std::string ScratchRoot() {
  return absl::StrCat(GlobalFlags().build_dir, "/bench-data/stream-apply-", getpid());
}

// A private, writable copy of the benchmark index.
absl::StatusOr<std::unique_ptr<Index>> OpenIndexCopy(const std::string& name, bool sync) {
  const Flags& flags = GlobalFlags();
  const std::string source = BenchIndexDir(flags.build_dir, flags.artists);
  const std::string dir = absl::StrCat(ScratchRoot(), "/", name);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(ScratchRoot(), ec);
  std::filesystem::copy(source, dir, std::filesystem::copy_options::recursive, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("copy ", source, " -> ", dir, ": ", ec.message()));
  IndexOptions options;
  options.sync = sync;
  options.error_if_missing = true;
  return Index::Open(dir, options);
}

ShardBatch MakeShardBatch(std::vector<dynamodb::StreamRecord> records) {
  ShardBatch batch;
  batch.stream_arn = kStreamArn;
  batch.shard_id = kShardId;
  batch.last_sequence_number = records.empty() ? "" : records.back().sequence_number;
  batch.records = std::move(records);
  return batch;
}

void Fail(benchmark::State& state, const absl::Status& status) {
  state.SkipWithError(std::string(status.ToString()).c_str());
}

// The batch as one GetRecords answer's text.
std::string PageText(RecordFactory& factory, size_t count) {
  json page = json::array();
  for (const dynamodb::StreamRecord& r : factory.NextBatch(count)) page.push_back(RecordJson(r));
  return json{{"Records", std::move(page)}}.dump();
}

// A GetRecords answer's text as a stream reader reads it: mapped as parsed
// when `mapper` is given (StreamsClientSource with a mapper), else read into
// trees (ParseRecordsPageForMapping).
absl::StatusOr<dynamodb::RecordsPage> ReadPage(const std::string& text,
                                               const RecordMapper* mapper) {
  std::vector<std::shared_ptr<const MappedRecord>> premapped;
  absl::StatusOr<json> answer = mapper != nullptr ? mapper->ParseRecordsPage(text, &premapped)
                                                  : stream::ParseRecordsPageForMapping(text);
  if (!answer.ok()) return answer.status();
  absl::StatusOr<dynamodb::RecordsPage> page = dynamodb::RecordsPageOfAnswer(*std::move(answer));
  if (!page.ok()) return page.status();
  if (absl::Status s = stream::AttachPremapped(std::move(premapped), *page); !s.ok()) return s;
  return page;
}

void BM_ParseRecords(benchmark::State& state) {
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  const std::string text = PageText(*factory, GlobalFlags().batch);
  const bool lean = state.range(0) != 0;
  size_t count = 0;
  for (auto _ : state) {
    absl::StatusOr<json> answer =
        lean ? stream::ParseRecordsPageForMapping(text) : dynamodb::ParseJson(text);
    if (!answer.ok()) return Fail(state, answer.status());
    json* records = &(*answer)["Records"];
    std::vector<dynamodb::StreamRecord> parsed;
    parsed.reserve(records->size());
    for (json& record : *records) {
      absl::StatusOr<dynamodb::StreamRecord> r = dynamodb::ParseStreamRecord(std::move(record));
      if (!r.ok()) return Fail(state, r.status());
      parsed.push_back(*std::move(r));
    }
    count += parsed.size();
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(count));
  state.counters["page_bytes"] = static_cast<double>(text.size());
}

void BM_ReadPage(benchmark::State& state) {
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  const std::string text = PageText(*factory, GlobalFlags().batch);
  const RecordMapper& mapper = Mapper();
  const bool premap = state.range(0) != 0;
  size_t count = 0, rejected = 0, premapped = 0;
  for (auto _ : state) {
    absl::StatusOr<dynamodb::RecordsPage> page = ReadPage(text, premap ? &mapper : nullptr);
    if (!page.ok()) return Fail(state, page.status());
    for (const dynamodb::StreamRecord& r : page->records) {
      MappedRecord m = mapper.Map(r);
      rejected += m.action == RecordAction::kReject;
      premapped += r.premapped != nullptr;
      benchmark::DoNotOptimize(m);
    }
    count += page->records.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(count));
  state.counters["rejected"] = static_cast<double>(rejected) / state.iterations();
  state.counters["premapped"] = static_cast<double>(premapped) / state.iterations();
  state.counters["page_bytes"] = static_cast<double>(text.size());
}

// A Scan answer of the batch's new images (a table load's page), parsed and
// every item mapped: premap:0 through trees (ParseJson, MapItem), premap:1
// mapped as parsed (RecordMapper::ParseScanPage, LoadTable's).
void BM_ScanPage(benchmark::State& state) {
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  json items = json::array();
  for (const dynamodb::StreamRecord& r : factory->NextBatch(GlobalFlags().batch)) {
    if (r.new_image.is_object()) items.push_back(r.new_image);
  }
  const std::string text = json{{"Items", std::move(items)}, {"ScannedCount", 1}}.dump();
  const RecordMapper& mapper = Mapper();
  const bool premap = state.range(0) != 0;
  size_t count = 0, upserts = 0, premapped_items = 0;
  for (auto _ : state) {
    std::vector<std::optional<MappedRecord>> premapped;
    absl::StatusOr<json> answer =
        premap ? mapper.ParseScanPage(text, &premapped) : dynamodb::ParseJson(text);
    if (!answer.ok()) return Fail(state, answer.status());
    const json& page_items = (*answer)["Items"];
    for (size_t i = 0; i < page_items.size(); ++i) {
      const bool mapped = i < premapped.size() && premapped[i].has_value();
      MappedRecord m = mapped ? *std::move(premapped[i]) : mapper.MapItem(page_items[i]);
      upserts += m.action == RecordAction::kUpsert;
      premapped_items += mapped;
      benchmark::DoNotOptimize(m);
    }
    count += page_items.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(count));
  state.counters["upserts"] = static_cast<double>(upserts) / state.iterations();
  state.counters["premapped"] = static_cast<double>(premapped_items) / state.iterations();
  state.counters["page_bytes"] = static_cast<double>(text.size());
}

void BM_ParseRecordTexts(benchmark::State& state) {
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  std::vector<std::string> texts;
  size_t bytes = 0;
  for (const dynamodb::StreamRecord& r : factory->NextBatch(GlobalFlags().batch)) {
    bytes += texts.emplace_back(RecordJson(r).dump()).size();
  }
  const bool lean = state.range(0) != 0;
  for (auto _ : state) {
    for (const std::string& text : texts) {
      absl::StatusOr<json> raw =
          lean ? stream::ParseRecordJsonForMapping(text) : dynamodb::ParseJson(text);
      if (!raw.ok()) return Fail(state, raw.status());
      absl::StatusOr<dynamodb::StreamRecord> r = dynamodb::ParseStreamRecord(*std::move(raw));
      if (!r.ok()) return Fail(state, r.status());
      benchmark::DoNotOptimize(*r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * texts.size()));
  state.counters["record_bytes"] = static_cast<double>(bytes) / static_cast<double>(texts.size());
}

void BM_ParseAndMap(benchmark::State& state) {
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  std::vector<std::string> texts;
  for (const dynamodb::StreamRecord& r : factory->NextBatch(GlobalFlags().batch)) {
    texts.push_back(RecordJson(r).dump());
  }
  const RecordMapper& mapper = Mapper();
  const bool direct = state.range(0) != 0;
  size_t rejected = 0, mapped_directly = 0;
  for (auto _ : state) {
    for (const std::string& text : texts) {
      if (direct) {
        absl::StatusOr<stream::ParsedStreamRecord> r = mapper.ParseAndMap(text, 64);
        if (!r.ok()) return Fail(state, r.status());
        rejected += r->mapped.action == RecordAction::kReject;
        mapped_directly += r->direct;
        continue;
      }
      absl::StatusOr<json> raw = stream::ParseRecordJsonForMapping(text);
      if (!raw.ok()) return Fail(state, raw.status());
      absl::StatusOr<dynamodb::StreamRecord> r = dynamodb::ParseStreamRecord(*std::move(raw));
      if (!r.ok()) return Fail(state, r.status());
      rejected += mapper.Map(*r).action == RecordAction::kReject;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * texts.size()));
  state.counters["rejected"] = static_cast<double>(rejected) / state.iterations();
  state.counters["direct"] = static_cast<double>(mapped_directly) / state.iterations();
}

void BM_Map(benchmark::State& state) {
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  const std::vector<dynamodb::StreamRecord> records = factory->NextBatch(GlobalFlags().batch);
  const RecordMapper& mapper = Mapper();
  size_t rejected = 0;
  for (auto _ : state) {
    for (const dynamodb::StreamRecord& r : records) {
      MappedRecord m = mapper.Map(r);
      rejected += m.action == RecordAction::kReject;
      benchmark::DoNotOptimize(m);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * records.size()));
  state.counters["rejected"] = static_cast<double>(rejected) / state.iterations();
}

// What an index benchmark works on: fresh records and a private index copy.
struct IndexBench {
  RecordFactory factory;
  std::unique_ptr<Index> index;
  size_t records = 0, stale = 0, rejected = 0;

  void Count(bool is_stale, bool is_rejected) {
    stale += is_stale;
    rejected += is_rejected;
  }
  void Report(benchmark::State& state) const {
    state.SetItemsProcessed(static_cast<int64_t>(records));
    state.counters["stale"] = static_cast<double>(stale) / state.iterations();
    state.counters["rejected"] = static_cast<double>(rejected) / state.iterations();
    state.counters["artists"] = static_cast<double>(index->Stats().documents);
  }
};

absl::StatusOr<IndexBench> SetUpIndexBench(const benchmark::State& state, const char* name) {
  const bool sync = state.range(0) != 0;
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return factory.status();
  absl::StatusOr<std::unique_ptr<Index>> index = OpenIndexCopy(absl::StrCat(name, "-", sync), sync);
  if (!index.ok()) return index.status();
  return IndexBench{*std::move(factory), *std::move(index)};
}

void BM_IndexApply(benchmark::State& state) {
  absl::StatusOr<IndexBench> bench = SetUpIndexBench(state, "index_apply");
  if (!bench.ok()) return Fail(state, bench.status());
  const RecordMapper& mapper = Mapper();
  // Made and freed with the timer paused (see BM_ApplyRecordBatch).
  ShardBatch shard_batch;
  WriteBatch batch;
  for (auto _ : state) {
    state.PauseTiming();
    shard_batch = MakeShardBatch(bench->factory.NextBatch(GlobalFlags().batch));
    batch.Clear();
    for (const dynamodb::StreamRecord& r : shard_batch.records) AddToBatch(mapper.Map(r), &batch);
    absl::StatusOr<MetadataEntries> checkpoint = CheckpointEntries(shard_batch);
    if (!checkpoint.ok()) return Fail(state, checkpoint.status());
    for (auto& [key, value] : *checkpoint) batch.PutMetadata(key, value);
    state.ResumeTiming();
    absl::StatusOr<std::vector<ChangeResult>> results = bench->index->Apply(batch);
    if (!results.ok()) return Fail(state, results.status());
    bench->records += shard_batch.records.size();
    for (const ChangeResult& c : *results) {
      bench->Count(c.outcome == ChangeResult::Outcome::kStale,
                   c.outcome == ChangeResult::Outcome::kRejected);
    }
  }
  bench->Report(state);
}

void BM_ApplyRecordBatch(benchmark::State& state) {
  absl::StatusOr<IndexBench> bench = SetUpIndexBench(state, "apply_record_batch");
  if (!bench.ok()) return Fail(state, bench.status());
  Index* served = bench->index.get();
  IndexBench* counts = &*bench;
  StreamApplier applier(
      Mapper(), [served](const WriteBatch& batch) { return served->Apply(batch); },
      [counts](const ShardBatch&, const RecordResult& r) {
        counts->Count(r.outcome == RecordOutcome::kStale, r.outcome == RecordOutcome::kRejected);
      });
  // Made and freed with the timer paused, as the records come from the
  // reader (its GetRecords parse) and not from applying them.
  ShardBatch batch;
  for (auto _ : state) {
    state.PauseTiming();
    batch = MakeShardBatch(bench->factory.NextBatch(GlobalFlags().batch));
    state.ResumeTiming();
    if (absl::Status s = applier.Apply(batch); !s.ok()) return Fail(state, s);
    bench->records += batch.records.size();
  }
  bench->Report(state);
}

// A closed shard whose pages are GetRecords answers' texts, each parsed when
// read, after the simulated network time.
class PageSource final : public stream::StreamSource {
 public:
  // `mapper`: null, or the mapper records are mapped with as read.
  PageSource(std::vector<std::string> pages, absl::Duration latency, const RecordMapper* mapper)
      : pages_(std::move(pages)), latency_(latency), mapper_(mapper) {}

  absl::StatusOr<dynamodb::StreamDescription> DescribeStream(const std::string&,
                                                             const std::string&) override {
    return absl::UnimplementedError("PageSource: DescribeStream");
  }
  absl::StatusOr<dynamodb::StreamDescription> DescribeWholeStream(const std::string&) override {
    return absl::UnimplementedError("PageSource: DescribeWholeStream");
  }
  absl::StatusOr<std::string> GetShardIterator(const std::string&, const std::string&,
                                               dynamodb::ShardIteratorType,
                                               const std::string&) override {
    return "0";
  }
  absl::StatusOr<dynamodb::RecordsPage> GetRecords(const std::string& iterator, int) override {
    size_t page = 0;
    if (!absl::SimpleAtoi(iterator, &page) || page >= pages_.size()) {
      return absl::InvalidArgumentError(absl::StrCat("PageSource: iterator ", iterator));
    }
    absl::SleepFor(latency_);
    return ReadPage(pages_[page], mapper_);
  }

 private:
  const std::vector<std::string> pages_;
  const absl::Duration latency_;
  const RecordMapper* const mapper_;
};

void BM_ReadShard(benchmark::State& state) {
  constexpr int kPages = 10;
  absl::StatusOr<RecordFactory> factory =
      RecordFactory::Create(GlobalFlags().artists, GlobalFlags().mix);
  if (!factory.ok()) return Fail(state, factory.status());
  absl::StatusOr<std::unique_ptr<Index>> index = OpenIndexCopy(
      absl::StrCat("read_shard-", state.range(0), "-", state.range(1)), /*sync=*/true);
  if (!index.ok()) return Fail(state, index.status());
  Index* served = index->get();
  size_t stale = 0, rejected = 0, records = 0, batches = 0;
  StreamApplier applier(
      Mapper(), [served](const WriteBatch& batch) { return served->Apply(batch); },
      [&](const ShardBatch&, const RecordResult& r) {
        stale += r.outcome == RecordOutcome::kStale;
        rejected += r.outcome == RecordOutcome::kRejected;
      });
  stream::ShardReaderOptions options;
  options.records_limit = static_cast<int>(std::min<size_t>(GlobalFlags().batch, 1000));
  options.read_ahead = state.range(0) != 0;
  int shard_number = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::string> pages;
    std::string first_sequence;
    for (int p = 0; p < kPages; ++p) {
      json page = json::array();
      for (const dynamodb::StreamRecord& r :
           factory->NextBatch(static_cast<size_t>(options.records_limit))) {
        if (first_sequence.empty()) first_sequence = r.sequence_number;
        page.push_back(RecordJson(r));
      }
      json answer{{"Records", std::move(page)}};
      if (p + 1 < kPages) answer["NextShardIterator"] = absl::StrCat(p + 1);
      pages.push_back(answer.dump());
    }
    PageSource source(std::move(pages), absl::Milliseconds(GlobalFlags().get_records_ms),
                      state.range(1) != 0 ? &Mapper() : nullptr);
    dynamodb::Shard shard;
    shard.shard_id = absl::StrCat("shardId-bench-", ++shard_number);
    shard.ending_sequence_number = "1";  // closed: read to its end
    stream::StopSignal stop;
    // From a checkpoint, so no "opened" batch is committed first.
    stream::ShardReader reader(source, applier, kStreamArn, shard,
                               stream::ShardCheckpoint{first_sequence, false}, options, stop);
    state.ResumeTiming();
    stream::ShardReadResult result = reader.Run();
    if (result.outcome != stream::ShardReadOutcome::kFinished) {
      return Fail(state, absl::InternalError("read_shard: the reader did not finish the shard"));
    }
    records += reader.stats().records_applied;
    batches += reader.stats().batches_applied;
  }
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["stale"] = static_cast<double>(stale) / state.iterations();
  state.counters["rejected"] = static_cast<double>(rejected) / state.iterations();
  state.counters["batches"] = static_cast<double>(batches) / state.iterations();
  state.counters["artists"] = static_cast<double>(served->Stats().documents);
}

void BM_PurgeTombstones(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  absl::StatusOr<std::unique_ptr<Index>> index =
      OpenIndexCopy(absl::StrCat("purge-", n), /*sync=*/true);
  if (!index.ok()) return Fail(state, index.status());
  synth::SynthOptions options;
  options.count = GlobalFlags().artists;
  options.seed = kSynthSeed;
  options.today = kDataDay;
  absl::StatusOr<synth::ArtistGenerator> generator = synth::ArtistGenerator::Create(options);
  if (!generator.ok()) return Fail(state, generator.status());
  uint64_t next = 0, purged = 0;
  for (auto _ : state) {
    state.PauseTiming();
    WriteBatch deletes;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t k = next++;
      deletes.Delete(generator->ArtistId(k % GlobalFlags().artists), (uint64_t{1} << 62) + k);
    }
    if (n > 0) {
      absl::StatusOr<std::vector<ChangeResult>> applied = (*index)->Apply(deletes);
      if (!applied.ok()) return Fail(state, applied.status());
    }
    TombstonePurgeOptions purge;
    purge.deleted_before = absl::Now() + absl::Seconds(1);
    purge.max_records = std::max<size_t>(n, 1);
    state.ResumeTiming();
    absl::StatusOr<TombstonePurge> p = (*index)->PurgeTombstones(purge);
    if (!p.ok()) return Fail(state, p.status());
    purged += p->purged;
  }
  state.SetItemsProcessed(static_cast<int64_t>(purged));
  state.counters["purged"] = benchmark::Counter(static_cast<double>(purged));
}

bool ParseFlags(int* argc, char** argv, Flags* flags) {
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--build_dir=")) {
      flags->build_dir = std::string(arg.substr(12));
    } else if (arg.starts_with("--artists=")) {
      if (!absl::SimpleAtoi(std::string(arg.substr(10)), &flags->artists) || flags->artists == 0) {
        std::cerr << "--artists: must be a positive integer, got '" << arg.substr(10) << "'\n";
        return false;
      }
    } else if (arg.starts_with("--batch=")) {
      if (!absl::SimpleAtoi(std::string(arg.substr(8)), &flags->batch) || flags->batch == 0 ||
          flags->batch > 20000) {
        std::cerr << "--batch: must be 1..20000, got '" << arg.substr(8) << "'\n";
        return false;
      }
    } else if (arg.starts_with("--renamed=")) {
      if (!absl::SimpleAtoi(std::string(arg.substr(10)), &flags->mix.renamed) ||
          flags->mix.renamed < 0 || flags->mix.renamed > 100) {
        std::cerr << "--renamed: must be a percentage 0..100, got '" << arg.substr(10) << "'\n";
        return false;
      }
    } else if (arg.starts_with("--get_records_ms=")) {
      if (!absl::SimpleAtoi(std::string(arg.substr(17)), &flags->get_records_ms) ||
          flags->get_records_ms < 0 || flags->get_records_ms > 10000) {
        std::cerr << "--get_records_ms: must be 0..10000, got '" << arg.substr(17) << "'\n";
        return false;
      }
    } else if (arg.starts_with("--mix=")) {
      if (absl::Status s = ParseRecordMix(std::string(arg.substr(6)), &flags->mix); !s.ok()) {
        std::cerr << "--mix: " << s.message() << "\n";
        return false;
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return true;
}

int Main(int argc, char** argv) {
  Flags& flags = GlobalFlags();
  if (!ParseFlags(&argc, argv, &flags)) return 2;
  const bool listing = ListsBenchmarksOnly(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  const std::string dir = BenchIndexDir(flags.build_dir, flags.artists);
  if (absl::Status s = listing ? absl::OkStatus() : EnsureBenchIndex(dir, flags.artists); !s.ok()) {
    std::cerr << "benchmark index " << dir << ": " << s << "\n";
    return 1;
  }
  benchmark::AddCustomContext("inkdex_existing_artists", absl::StrCat(flags.artists));
  benchmark::AddCustomContext("inkdex_records_per_batch", absl::StrCat(flags.batch));
  benchmark::AddCustomContext("inkdex_mix", DescribeRecordMix(flags.mix));
  benchmark::RegisterBenchmark("parse_records", BM_ParseRecords)
      ->ArgName("lean")
      ->Arg(0)
      ->Arg(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("read_page", BM_ReadPage)
      ->ArgName("premap")
      ->Arg(0)
      ->Arg(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("scan_page", BM_ScanPage)
      ->ArgName("premap")
      ->Arg(0)
      ->Arg(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("parse_record_texts", BM_ParseRecordTexts)
      ->ArgName("lean")
      ->Arg(0)
      ->Arg(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("parse_and_map", BM_ParseAndMap)
      ->ArgName("direct")
      ->Arg(0)
      ->Arg(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark("map", BM_Map)->UseRealTime();
  for (const char* name : {"index_apply", "apply_record_batch"}) {
    auto* b = benchmark::RegisterBenchmark(
        name, std::string_view(name) == "index_apply" ? BM_IndexApply : BM_ApplyRecordBatch);
    b->ArgName("sync")->Arg(1)->Arg(0)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("read_shard", BM_ReadShard)
      ->ArgNames({"read_ahead", "premap"})
      ->Args({1, 1})
      ->Args({1, 0})
      ->Args({0, 1})
      ->UseRealTime()
      ->MinTime(5.0)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("purge_tombstones", BM_PurgeTombstones)
      ->ArgName("tombstones")
      ->Arg(0)
      ->Arg(1000)
      ->Arg(10000)
      ->UseRealTime()
      ->MinTime(2.0)
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(ScratchRoot(), ec);
  return 0;
}

}  // namespace
}  // namespace inkdex::bench

int main(int argc, char** argv) { return inkdex::bench::Main(argc, argv); }
