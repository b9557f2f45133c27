// ArtistRecord: one synthetic artist as values, before it is written as JSON.
// Tests and benchmarks use it as ground truth (where artist i really is, what
// styles it really has) independently of any faults in its JSON line.
//
// Plain value type. string_view members point into static word lists or the
// embedded gazetteer, which live for the whole program.
#ifndef INKDEX_TOOLS_SYNTH_ARTIST_RECORD_H_
#define INKDEX_TOOLS_SYNTH_ARTIST_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"

namespace inkdex::synth {

struct PortfolioImage {
  std::string url;
  std::string description;
  std::string_view style;  // one of the artist's canonical style ids
  std::vector<std::string_view> tags;
};

struct GuestSpot {
  size_t city_index = 0;  // into Gazetteer::Embedded().cities()
  double latitude = 0;
  double longitude = 0;
  std::string location_display;
  std::string_view location_city;
  std::string_view location_country;  // ISO 3166-1 alpha-2
  absl::CivilDay from;                // inclusive
  absl::CivilDay to;                  // inclusive
};

struct Studio {
  std::string id;  // shared by the artists who work there; empty: no studio
  std::string name;
  std::string address;
  std::string postcode;
  double latitude = 0;
  double longitude = 0;
};

struct ArtistRecord {
  uint64_t index = 0;  // record index, without id_offset
  std::string artist_id;
  std::string artist_name;
  std::string instagram_handle;
  size_t city_index = 0;  // into Gazetteer::Embedded().cities()
  std::string location_display;
  std::string_view location_city;
  std::string_view location_country;  // ISO 3166-1 alpha-2
  double latitude = 0;
  double longitude = 0;
  std::vector<std::string_view> styles;  // 1-4 canonical ids, distinct
  std::vector<std::string_view> specialties;
  std::string biography;
  double rating = 0;  // 0 when review_count == 0, else 3.0-5.0
  int64_t review_count = 0;
  Studio studio;
  int64_t hourly_rate = 0;
  int64_t minimum_charge = 0;
  std::string_view currency;
  bool booking_open = false;
  absl::CivilDay next_available;
  bool waiting_list = false;
  int years_active = 0;
  std::vector<PortfolioImage> portfolio;
  std::string website;  // optional: empty when absent
  std::string email;    // optional
  std::string phone;    // optional
  std::vector<GuestSpot> guest_spots;
  bool opted_out = false;
  bool is_active = true;
  absl::CivilSecond created_at;
  absl::CivilSecond updated_at;
};

}  // namespace inkdex::synth

#endif  // INKDEX_TOOLS_SYNTH_ARTIST_RECORD_H_
