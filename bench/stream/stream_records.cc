#include "stream_records.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "dynamodb_image.h"
#include "synth/synth_options.h"
#include "workload.h"

namespace inkdex::bench {

using nlohmann::json;

absl::Status ParseRecordMix(absl::string_view text, RecordMix* mix) {
  const std::vector<std::string> parts = absl::StrSplit(text, ',');
  int v[3];
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &v[0]) ||
      !absl::SimpleAtoi(parts[1], &v[1]) || !absl::SimpleAtoi(parts[2], &v[2]) || v[0] < 0 ||
      v[1] < 0 || v[2] < 0 || v[0] + v[1] + v[2] != 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be INSERT,MODIFY,REMOVE percentages summing to 100, got '", text, "'"));
  }
  mix->insert = v[0];
  mix->modify = v[1];
  mix->remove = v[2];
  return absl::OkStatus();
}

std::string DescribeRecordMix(const RecordMix& mix) {
  return absl::StrCat("insert ", mix.insert, "%, modify ", mix.modify, "%, remove ", mix.remove,
                      "%; ", mix.renamed, "% of modifies change indexed text");
}

absl::StatusOr<RecordFactory> RecordFactory::Create(uint64_t existing_artists, const RecordMix& mix,
                                                    uint32_t shard, uint32_t shards,
                                                    uint64_t sequence_base) {
  if (shards == 0 || shard >= shards || existing_artists <= shard) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard ", shard, " of ", shards, " over ", existing_artists, " artists"));
  }
  synth::SynthOptions options;
  options.count = existing_artists;
  options.seed = kSynthSeed;
  options.today = kDataDay;
  absl::StatusOr<synth::ArtistGenerator> generator = synth::ArtistGenerator::Create(options);
  if (!generator.ok()) return generator.status();
  return RecordFactory(*std::move(generator), existing_artists, mix, shard, shards, sequence_base);
}

RecordFactory::RecordFactory(synth::ArtistGenerator generator, uint64_t existing,
                             const RecordMix& mix, uint32_t shard, uint32_t shards,
                             uint64_t sequence_base)
    : generator_(std::move(generator)),
      existing_artists_(existing),
      mix_(mix),
      shard_(shard),
      shards_(shards),
      sequence_(sequence_base),
      rng_(20261129 + shard) {}

std::vector<dynamodb::StreamRecord> RecordFactory::NextBatch(size_t n) {
  std::vector<dynamodb::StreamRecord> out;
  out.reserve(n);
  // The shard's artists of the index: shard_, shard_ + shards_, ...
  std::uniform_int_distribution<uint64_t> existing(0, (existing_artists_ - 1 - shard_) / shards_);
  std::uniform_int_distribution<int> percent(0, 99);
  for (size_t k = 0; k < n; ++k) {
    const int p = percent(rng_);
    dynamodb::StreamRecord r;
    r.sequence_number = absl::StrFormat("%021d", ++sequence_);
    r.stream_view_type = "NEW_AND_OLD_IMAGES";
    r.event_id = absl::StrCat("ev-", shard_, "-", sequence_);
    if (p < mix_.insert) {
      r.event_name = "INSERT";
      r.new_image = Image(existing_artists_ + shard_ + shards_ * next_new_++);
      r.keys = ArtistKeys(r.new_image["artistId"]["S"].get<std::string>());
    } else {
      const uint64_t i = shard_ + shards_ * existing(rng_);
      r.old_image = Image(i);
      r.keys = ArtistKeys(r.old_image["artistId"]["S"].get<std::string>());
      if (p < mix_.insert + mix_.modify) {
        r.event_name = "MODIFY";
        r.new_image = r.old_image;
        if (percent(rng_) < mix_.renamed) {
          r.new_image["artistName"]["S"] =
              absl::StrCat(r.new_image["artistName"]["S"].get<std::string>(), " ", sequence_);
        } else {
          r.new_image["reviewCount"] = json{{"N", absl::StrCat(1000 + sequence_ % 1000)}};
        }
        r.new_image["rating"] = json{{"N", absl::StrFormat("%.1f", 1.0 + (sequence_ % 40) / 10.0)}};
      } else {
        r.event_name = "REMOVE";
      }
    }
    r.size_bytes = static_cast<int64_t>(r.new_image.dump().size() + r.old_image.dump().size());
    out.push_back(std::move(r));
  }
  return out;
}

json RecordFactory::Image(uint64_t i) {
  line_.clear();
  generator_.AppendJson(i, &line_);
  return ToItemImage(json::parse(line_));
}

json RecordJson(const dynamodb::StreamRecord& r) {
  json change{{"SequenceNumber", r.sequence_number},
              {"StreamViewType", r.stream_view_type},
              {"SizeBytes", r.size_bytes},
              {"ApproximateCreationDateTime", 1764547200}};
  for (auto [name, map] : {std::pair{"Keys", &r.keys}, std::pair{"NewImage", &r.new_image},
                           std::pair{"OldImage", &r.old_image}}) {
    if (map->is_object()) change[name] = *map;
  }
  return json{
      {"eventID", r.event_id}, {"eventName", r.event_name}, {"dynamodb", std::move(change)}};
}

}  // namespace inkdex::bench
