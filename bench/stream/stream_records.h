// Synthetic DynamoDB stream records for the stream benchmarks: what a
// NEW_AND_OLD_IMAGES stream of the directory's artist table carries, made
// from the artists of the benchmark index (`inkdex synth --seed 42`,
// workload.h) as item images under PK "ARTIST#<id>", SK "METADATA".
//
// A batch mixes
//   INSERT  an artist not in the index (ids after the index's),
//   MODIFY  an artist of the index (OldImage: before): `renamed` percent of
//           them renamed and re-rated (the text changes, so its search
//           document is rewritten), the others re-rated with a new review
//           count (no indexed text changes, and the index skips rewriting
//           the search document),
//   REMOVE  an artist of the index (Keys and OldImage),
// in the mix's proportions, each record with the next sequence number, so
// none is stale. Records of one factory touch only its shard's artists
// (those of the index with i % shards == shard, new ones with
// (i - existing) % shards == shard): DynamoDB puts all changes of one key in
// one stream shard, so factories of different shards never touch the same
// artist and their batches may be applied in any order.
//
// Thread safety: a RecordFactory is used by one thread; the free functions
// are pure.
#ifndef INKDEX_BENCH_STREAM_STREAM_RECORDS_H_
#define INKDEX_BENCH_STREAM_STREAM_RECORDS_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dynamodb/stream_record.h"
#include "nlohmann/json.hpp"
#include "synth/artist_generator.h"

namespace inkdex::bench {

// Per 100 records: INSERT, MODIFY, REMOVE; and the percent of MODIFYs that
// change indexed text.
struct RecordMix {
  int insert = 25;
  int modify = 65;
  int remove = 10;
  int renamed = 100;
};

// "INSERT,MODIFY,REMOVE" percentages summing to 100 ("5,94,1"), into
// mix->insert/modify/remove; INVALID_ARGUMENT saying what is wrong.
absl::Status ParseRecordMix(absl::string_view text, RecordMix* mix);
// "insert 5%, modify 94%, remove 1%; 10% of modifies change indexed text".
std::string DescribeRecordMix(const RecordMix& mix);

class RecordFactory {
 public:
  // Sequence numbers follow `sequence_base` (1, 2, ... by default): a run
  // against an index that earlier runs changed needs a base above theirs, or
  // its records are stale.
  // REQUIRES: existing_artists > shard, shard < shards.
  static absl::StatusOr<RecordFactory> Create(uint64_t existing_artists, const RecordMix& mix,
                                              uint32_t shard = 0, uint32_t shards = 1,
                                              uint64_t sequence_base = 0);

  // The next `n` records, in stream order.
  std::vector<dynamodb::StreamRecord> NextBatch(size_t n);

 private:
  RecordFactory(synth::ArtistGenerator generator, uint64_t existing, const RecordMix& mix,
                uint32_t shard, uint32_t shards, uint64_t sequence_base);

  // Synthetic artist i as a DynamoDB item image (keys included).
  nlohmann::json Image(uint64_t i);

  synth::ArtistGenerator generator_;
  uint64_t existing_artists_;
  RecordMix mix_;
  uint32_t shard_, shards_;
  uint64_t sequence_;
  uint64_t next_new_ = 0;
  std::mt19937_64 rng_;
  std::string line_;
};

// A record as GetRecords returns it (and as a Lambda event's Records hold
// it, less the event's own fields), with its view type and size.
nlohmann::json RecordJson(const dynamodb::StreamRecord& r);

}  // namespace inkdex::bench

#endif  // INKDEX_BENCH_STREAM_STREAM_RECORDS_H_
