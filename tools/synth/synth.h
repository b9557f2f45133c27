// The `inkdex synth` generator: writes synthetic tattoo-artist records as JSON
// Lines in the shape of shared/reference/data-model.md, deterministic for
// equal SynthOptions.
//
// Output: one JSON object per line, fields artistId ("artist-0000042",
// zero-padded to at least 7 digits so lexical order is numeric order),
// artistName, instagramHandle, locationDisplay, locationCity, locationCountry,
// latitude, longitude, styles (1-4 canonical style ids), specialties,
// biography, rating, reviewCount, studioInfo{studioId, studioName, address,
// postcode}, pricing{hourlyRate, minimumCharge, currency},
// availability{bookingOpen, nextAvailable, waitingList}, experience{yearsActive},
// portfolioImages[{url, description, style, tags}], contactInfo{instagram,
// website?, email?, phone?}, guestSpots[{latitude, longitude, locationDisplay,
// locationCity, from, to}] (only when the artist has any), opted_out, isActive,
// createdAt, updatedAt. studioInfo and portfolioImages are absent for artists
// without a studio or images. With `messy`, some lines carry the faults listed
// in fault.h. Record i is a function of the options and i alone; see
// artist_generator.h for the model and for regenerating single records.
//
// Thread-safety: all functions are safe to call concurrently.
#ifndef INKDEX_TOOLS_SYNTH_SYNTH_H_
#define INKDEX_TOOLS_SYNTH_SYNTH_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "synth/artist_generator.h"
#include "synth/synth_options.h"

namespace inkdex::synth {

// The generator's output version: raised whenever the same options produce
// different records, so stores built from older output (the benchmark
// indexes, the peers' stores) are known to be stale. 2: guest spots carry
// locationCountry.
inline constexpr int kOutputVersion = 2;

// Receives the output in order, as chunks of whole lines (each ending in
// '\n'). A non-OK status stops generation and is returned to the caller.
using ChunkSink = absl::FunctionRef<absl::Status(std::string_view chunk)>;
// Told how many of `total` records have been written so far; called from the
// calling thread, a few times per second at most for large outputs.
using ProgressCallback = std::function<void(uint64_t written, uint64_t total)>;

// Record i as its JSON line (with a trailing '\n'), exactly as WriteArtists
// writes it. Creates a generator per call: use ArtistGenerator in loops.
absl::StatusOr<std::string> ArtistJson(const SynthOptions& options, uint64_t i);

// Generates options.count records on options.threads threads and passes them
// to `sink` in record order.
absl::Status WriteArtists(const SynthOptions& options, ChunkSink sink,
                          const ProgressCallback& progress = nullptr);
// Same, to a stream; an error if the stream fails.
absl::Status WriteArtists(const SynthOptions& options, std::ostream& out);
// Same, to a file (replaced if it exists); "-" is standard output; a path
// ending in ".gz" is gzip-compressed (level 1, favouring speed).
absl::Status WriteArtistsToFile(const SynthOptions& options, const std::string& path,
                                const ProgressCallback& progress = nullptr);

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_SYNTH_H_
