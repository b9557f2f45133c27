// ArtistGenerator's JSON writing, and the faults `--messy` applies on the way.
#include <algorithm>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "synth/artist_generator.h"
#include "synth/json_line.h"
#include "synth/rng.h"
#include "synth/text_util.h"
#include "synth/word_lists.h"

namespace inkdex::synth {
namespace {

constexpr uint64_t kFaultDetailStream = 5;

// Which optional fields a kMissingFields record leaves out.
enum Optional : uint32_t {
  kHandle = 1 << 0,
  kDisplay = 1 << 1,
  kCity = 1 << 2,
  kBiography = 1 << 3,
  kStudio = 1 << 4,
  kPricing = 1 << 5,
  kAvailability = 1 << 6,
  kExperience = 1 << 7,
  kPortfolio = 1 << 8,
  kContact = 1 << 9,
  kSpecialties = 1 << 10,
  kRating = 1 << 11,
  kTimestamps = 1 << 12,
  kOptionalCount = 13,
};

constexpr std::string_view kGarbageLines[] = {
    "<<<<<<< HEAD",
    "undefined",
    "{}{}",
    "[1,2,3]",
    "not json at all",
    "null",
    "{\"artistId\":",
    "\"artistId\",\"artistName\",\"latitude\",\"longitude\"",
    "}"};

// How each field is damaged, decided once per record from its fault.
struct Damage {
  bool alias_styles = false;
  bool old_names = false;
  uint32_t omit = 0;
  bool numbers_as_strings = false;
  int bad_coordinates = -1;  // which variant, or -1
  bool styles_as_string = false;
  bool rating_as_word = false;
  bool unknown_style = false;
};

}  // namespace

std::string_view FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "none";
    case Fault::kStyleAlias:
      return "style_alias";
    case Fault::kOldFieldNames:
      return "old_field_names";
    case Fault::kMissingFields:
      return "missing_fields";
    case Fault::kNumbersAsStrings:
      return "numbers_as_strings";
    case Fault::kBadCoordinates:
      return "bad_coordinates";
    case Fault::kWrongTypes:
      return "wrong_types";
    case Fault::kUnknownStyle:
      return "unknown_style";
    case Fault::kTruncated:
      return "truncated";
    case Fault::kGarbage:
      return "garbage";
    case Fault::kDuplicateId:
      return "duplicate_id";
  }
  return "unknown";
}

void ArtistGenerator::AppendJson(uint64_t i, std::string* out) const {
  thread_local ArtistRecord record;
  Generate(i, &record);
  AppendJson(record, FaultFor(i), out);
}

void ArtistGenerator::AppendJson(const ArtistRecord& r, Fault fault, std::string* out) const {
  Rng rng{options_.seed, kFaultDetailStream, options_.id_offset + r.index};
  if (fault == Fault::kGarbage) {
    Append(out, rng.Pick(absl::Span<const std::string_view>(kGarbageLines)), "\n");
    return;
  }
  Damage d;
  switch (fault) {
    case Fault::kStyleAlias:
      d.alias_styles = true;
      break;
    case Fault::kOldFieldNames:
      d.old_names = true;
      break;
    case Fault::kMissingFields:
      while (__builtin_popcount(d.omit) < 3) d.omit |= 1u << rng.Below(kOptionalCount);
      break;
    case Fault::kNumbersAsStrings:
      d.numbers_as_strings = true;
      break;
    case Fault::kBadCoordinates:
      d.bad_coordinates = static_cast<int>(rng.Below(4));
      break;
    case Fault::kWrongTypes:
      d.styles_as_string = true;
      d.rating_as_word = rng.Chance(0.5);
      break;
    case Fault::kUnknownStyle:
      d.unknown_style = true;
      break;
    default:
      break;
  }
  auto keep = [&](uint32_t field) { return (d.omit & field) == 0; };

  const size_t line_start = out->size();
  JsonLine j(out);
  // A number, quoted when the record's fault says numbers come as strings.
  auto number = [&](std::string_view key, double v, int decimals) {
    j.Key(key);
    if (!d.numbers_as_strings) return j.Fixed(v, decimals);
    std::string text;
    AppendFixed(&text, v, decimals);
    j.String(text);
  };

  j.BeginObject();
  if (fault == Fault::kDuplicateId) {
    uint64_t back = 1 + rng.Below(std::min<uint64_t>(r.index == 0 ? 1 : r.index, 1000));
    j.String("artistId", ArtistId(r.index >= back ? r.index - back : r.index + back));
  } else {
    j.String("artistId", r.artist_id);
  }
  j.String(d.old_names ? "name" : "artistName", r.artist_name);
  if (keep(kHandle)) j.String("instagramHandle", r.instagram_handle);
  if (keep(kDisplay)) j.String(d.old_names ? "location" : "locationDisplay", r.location_display);
  if (keep(kCity)) {
    j.String("locationCity", r.location_city);
    j.String("locationCountry", r.location_country);
  }
  switch (d.bad_coordinates) {
    case 0:  // out of range
      j.Fixed("latitude", 123.4, 1);
      number("longitude", r.longitude, 5);
      break;
    case 1:
      j.String("latitude", "NaN");
      j.String("longitude", rng.Chance(0.5) ? "NaN" : "");
      break;
    case 2:  // the longitude is missing
      number("latitude", r.latitude, 5);
      break;
    case 3:
      j.Key("latitude"), j.Null();
      j.Fixed("longitude", 200.5, 1);
      break;
    default:
      number("latitude", r.latitude, 5);
      number("longitude", r.longitude, 5);
  }

  std::string styles_text;
  j.Key("styles");
  if (!d.styles_as_string) j.BeginArray();
  for (size_t k = 0; k < r.styles.size(); ++k) {
    std::string_view style = r.styles[k];
    if (d.alias_styles && (k == 0 || rng.Chance(0.7))) style = rng.Pick(StyleAliases(style));
    if (d.styles_as_string) {
      Append(&styles_text, k == 0 ? "" : ", ", style);
    } else {
      j.String(style);
    }
  }
  if (d.unknown_style) j.String(rng.Pick(UnknownStyles()));
  if (d.styles_as_string) {
    j.String(styles_text);
  } else {
    j.EndArray();
  }

  if (keep(kSpecialties)) {
    j.Key("specialties");
    j.BeginArray();
    for (std::string_view m : r.specialties) j.String(m);
    j.EndArray();
  }
  if (keep(kBiography)) j.String(d.old_names ? "bio" : "biography", r.biography);
  if (keep(kRating)) {
    if (d.rating_as_word) {
      j.String("rating", "five");
    } else {
      number("rating", r.rating, 1);
    }
    number("reviewCount", static_cast<double>(r.review_count), 0);
  }
  if (keep(kStudio) && !r.studio.id.empty()) {
    if (d.old_names) {
      j.String("studioName", r.studio.name);
    } else {
      j.Key("studioInfo");
      j.BeginObject();
      j.String("studioId", r.studio.id);
      j.String("studioName", r.studio.name);
      j.String("address", r.studio.address);
      j.String("postcode", r.studio.postcode);
      j.EndObject();
    }
  }
  if (keep(kPricing)) {
    j.Key("pricing");
    j.BeginObject();
    number("hourlyRate", static_cast<double>(r.hourly_rate), 0);
    number("minimumCharge", static_cast<double>(r.minimum_charge), 0);
    j.String("currency", r.currency);
    j.EndObject();
  }
  if (keep(kAvailability)) {
    j.Key("availability");
    j.BeginObject();
    j.Bool("bookingOpen", r.booking_open);
    std::string date;
    AppendDate(&date, r.next_available);
    j.String("nextAvailable", date);
    j.Bool("waitingList", r.waiting_list);
    j.EndObject();
  }
  if (keep(kExperience)) {
    j.Key("experience");
    j.BeginObject();
    number("yearsActive", r.years_active, 0);
    j.EndObject();
  }
  if (keep(kPortfolio) && !r.portfolio.empty()) {
    j.Key("portfolioImages");
    j.BeginArray();
    for (const PortfolioImage& img : r.portfolio) {
      j.BeginObject();
      j.String("url", img.url);
      j.String("description", img.description);
      j.String("style", img.style);
      j.Key("tags");
      j.BeginArray();
      for (std::string_view t : img.tags) j.String(t);
      j.EndArray();
      j.EndObject();
    }
    j.EndArray();
  }
  if (keep(kContact)) {
    j.Key("contactInfo");
    j.BeginObject();
    j.String("instagram", Cat("https://instagram.com/", r.instagram_handle));
    if (!r.website.empty()) j.String("website", r.website);
    if (!r.email.empty()) j.String("email", r.email);
    if (!r.phone.empty()) j.String("phone", r.phone);
    j.EndObject();
  }
  if (!r.guest_spots.empty()) {
    j.Key("guestSpots");
    j.BeginArray();
    for (const GuestSpot& g : r.guest_spots) {
      j.BeginObject();
      number("latitude", g.latitude, 5);
      number("longitude", g.longitude, 5);
      j.String("locationDisplay", g.location_display);
      j.String("locationCity", g.location_city);
      j.String("locationCountry", g.location_country);
      std::string date;
      AppendDate(&date, g.from);
      j.String("from", date);
      date.clear();
      AppendDate(&date, g.to);
      j.String("to", date);
      j.EndObject();
    }
    j.EndArray();
  }
  j.Bool("opted_out", r.opted_out);
  j.Bool("isActive", r.is_active);
  if (keep(kTimestamps)) {
    std::string time;
    AppendTimestamp(&time, r.created_at);
    j.String("createdAt", time);
    time.clear();
    AppendTimestamp(&time, r.updated_at);
    j.String("updatedAt", time);
  }
  j.EndObject();

  if (fault == Fault::kTruncated) {
    size_t length = out->size() - line_start;
    out->resize(line_start + 1 + rng.Below(length - 2));
  }
  out->push_back('\n');
}

}  // namespace inkdex::synth
