// ArtistGenerator: makes synthetic artist record i, as values or as one JSON
// line, from the options and i alone (no state carried between records), so
// records can be made in parallel, in any order, or one at a time by a
// benchmark that needs artist i again.
//
// What it models: locations follow city population (times a per-country
// market weight) over the embedded gazetteer, scattered a few km around each
// city centre (more for big cities); artists share studios with others in
// their city; style popularity is Zipf-like; ratings skew high; review counts
// are heavy-tailed; prices are local; ~5% have guest spots elsewhere; ~1% are
// opted out and ~2% inactive. See synth.h for the output format.
//
// Thread-safety: immutable after Create(); Generate() and AppendJson() may be
// called concurrently.
#ifndef INKDEX_TOOLS_SYNTH_ARTIST_GENERATOR_H_
#define INKDEX_TOOLS_SYNTH_ARTIST_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "synth/artist_record.h"
#include "synth/fault.h"
#include "synth/gazetteer.h"
#include "synth/synth_options.h"

namespace inkdex::synth {

class ArtistGenerator {
 public:
  // InvalidArgument when the options are invalid (see ValidateOptions).
  static absl::StatusOr<ArtistGenerator> Create(const SynthOptions& options);

  const SynthOptions& options() const { return options_; }
  absl::CivilDay today() const { return today_; }

  // The clean record i (faults are applied only when writing JSON).
  // Any i gives a record; those below options().count are the ones written.
  ArtistRecord Generate(uint64_t i) const;
  // Same, reusing *record's allocations (for tight loops).
  void Generate(uint64_t i, ArtistRecord* record) const;

  // The fault record i gets: kNone unless options().messy.
  Fault FaultFor(uint64_t i) const;

  // Appends record i as one JSON line, with its fault, and a '\n'.
  void AppendJson(uint64_t i, std::string* out) const;
  // Appends `record` (made by Generate(record.index)) with `fault` applied.
  void AppendJson(const ArtistRecord& record, Fault fault, std::string* out) const;

  // "artist-0000042": zero-padded so that lexical order is numeric order.
  std::string ArtistId(uint64_t i) const;

 private:
  ArtistGenerator(const SynthOptions& options, absl::CivilDay today, int id_width)
      : options_(options), today_(today), id_width_(id_width) {}

  // How many studios city c has: about one per 3 expected artists there.
  uint64_t StudioCount(size_t city_index) const;
  // Studio `slot` of city c; the same for every artist who works there.
  void MakeStudio(size_t city_index, uint64_t slot, Studio* studio) const;
  void AddGuestSpot(ArtistRecord& record, uint64_t record_key) const;

  SynthOptions options_;
  absl::CivilDay today_;
  int id_width_;
  const Gazetteer* gazetteer_ = &Gazetteer::Embedded();
};

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_ARTIST_GENERATOR_H_
