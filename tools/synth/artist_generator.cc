#include "synth/artist_generator.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "synth/rng.h"
#include "synth/text_util.h"
#include "synth/word_lists.h"

namespace inkdex::synth {
namespace {

// Stream tags: each kind of draw gets its own Rng so that changing one part
// of the model does not reshuffle the others.
enum Stream : uint64_t {
  kRecordStream = 1,
  kStudioStream = 2,
  kGuestStream = 3,
  kFaultStream = 4,
};

constexpr double kArtistsPerStudio = 3.0;
constexpr double kNoStudioShare = 0.08;
constexpr double kGuestSpotShare = 0.05;
constexpr double kOptedOutShare = 0.01;
constexpr double kInactiveShare = 0.02;
constexpr double kUnratedShare = 0.07;
constexpr double kPi = 3.14159265358979323846;

// Zipf(s = 1) over the styles in popularity order.
size_t SampleStyleRank(Rng& rng) {
  static const auto* const cumulative = [] {
    auto* c = new std::vector<double>();
    double total = 0;
    for (size_t r = 0; r < StyleIdsByPopularity().size(); ++r) {
      total += 1.0 / static_cast<double>(r + 1);
      c->push_back(total);
    }
    return c;
  }();
  double target = rng.Uniform() * cumulative->back();
  size_t r = static_cast<size_t>(std::upper_bound(cumulative->begin(), cumulative->end(), target) -
                                 cumulative->begin());
  return std::min(r, cumulative->size() - 1);
}

// A point `distance_km` from (lat, lon) in a uniformly random direction.
void Scatter(Rng& rng, double distance_km, double* lat, double* lon) {
  double bearing = rng.Uniform(0, 2 * kPi);
  double dlat = distance_km * std::cos(bearing) / 111.32;
  double cos_lat = std::max(0.05, std::cos(*lat * kPi / 180));
  double dlon = distance_km * std::sin(bearing) / (111.32 * cos_lat);
  *lat = std::clamp(*lat + dlat, -89.9999, 89.9999);
  *lon += dlon;
  if (*lon > 180) *lon -= 360;
  if (*lon < -180) *lon += 360;
}

// Typical distance of a studio from its city's centre: a few km, growing
// with the city (about 1 km for a town, 8 km for London or Tokyo).
double ScatterScaleKm(const City& city) {
  double scale = 1.2 * std::pow(static_cast<double>(city.population) / 1e5, 0.4);
  return std::clamp(scale, 0.8, 12.0);
}

void AppendLocationDisplay(std::string* out, const City& city) {
  Append(out, city.name, ", ");
  if (city.country->code == "US" && !city.admin.empty()) Append(out, city.admin, ", ");
  out->append(city.country->name);
}

// Rounds a price to what a studio would charge: 120, 1500, 18000.
int64_t NicePrice(double value) {
  double step = value >= 10000 ? 1000 : value >= 1000 ? 100 : value >= 100 ? 5 : 1;
  return std::max<int64_t>(static_cast<int64_t>(step),
                           static_cast<int64_t>(std::llround(value / step) * step));
}

void AppendPostcode(Rng& rng, std::string_view country, std::string_view city_ascii,
                    std::string* out) {
  auto letter = [&] { out->push_back(static_cast<char>('A' + rng.Below(26))); };
  auto digit = [&] { out->push_back(static_cast<char>('0' + rng.Below(10))); };
  if (country == "GB") {
    for (char c : city_ascii.substr(0, 2)) {
      out->push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
    }
    digit();
    out->push_back(' ');
    digit(), letter(), letter();
  } else if (country == "CA") {
    letter(), digit(), letter(), out->push_back(' '), digit(), letter(), digit();
  } else if (country == "NL") {
    for (int k = 0; k < 4; ++k) digit();
    out->push_back(' '), letter(), letter();
  } else if (country == "JP") {
    for (int k = 0; k < 3; ++k) digit();
    out->push_back('-');
    for (int k = 0; k < 4; ++k) digit();
  } else if (country == "US" || country == "DE" || country == "FR" || country == "ES" ||
             country == "IT" || country == "MX" || country == "FI") {
    for (int k = 0; k < 5; ++k) digit();
  } else {
    for (int k = 0; k < 4; ++k) digit();
  }
}

void AppendStudioName(Rng& rng, const City& city, std::string* out) {
  std::string_view noun = rng.Pick(StudioNouns());
  std::string_view noun2 = rng.Pick(StudioNouns());
  while (noun2 == noun) noun2 = rng.Pick(StudioNouns());
  AppendFilled(out, rng.Pick(StudioNamePatterns()), [&](std::string_view key, std::string* o) {
    if (key == "adj")
      o->append(rng.Pick(StudioAdjectives()));
    else if (key == "noun")
      o->append(noun);
    else if (key == "noun2")
      o->append(noun2);
    else if (key == "city")
      o->append(city.ascii_name);
  });
}

void AppendAddress(Rng& rng, const City& city, std::string* out) {
  const NameCulture& culture = CultureForCountry(city.country->code);
  std::string_view street = rng.Pick(culture.last_names);
  AppendFilled(out, culture.street_pattern, [&](std::string_view key, std::string* o) {
    if (key == "name")
      o->append(street);
    else if (key == "suffix")
      o->append(rng.Pick(culture.street_suffixes));
    else if (key == "n")
      Append(o, 1 + rng.Below(rng.Chance(0.7) ? 60 : 300));
  });
}

void PickStyles(Rng& rng, std::vector<std::string_view>* styles) {
  static constexpr double kCountWeights[] = {0.30, 0.35, 0.22, 0.13};
  double u = rng.Uniform();
  size_t n = 1;
  for (double w : kCountWeights) {
    if (u < w) break;
    u -= w;
    ++n;
  }
  n = std::min<size_t>(n, 4);
  while (styles->size() < n) {
    std::string_view s = StyleIdsByPopularity()[SampleStyleRank(rng)];
    if (std::find(styles->begin(), styles->end(), s) == styles->end()) styles->push_back(s);
  }
}

void PickSpecialties(Rng& rng, const std::vector<std::string_view>& styles,
                     std::vector<std::string_view>* motifs) {
  auto add = [&](std::string_view m) {
    if (std::find(motifs->begin(), motifs->end(), m) == motifs->end()) motifs->push_back(m);
  };
  if (std::find(styles.begin(), styles.end(), "japanese") != styles.end()) {
    if (rng.Chance(0.6)) add("koi");
    if (rng.Chance(0.6)) add(rng.Chance(0.25) ? "dragon" : "dragons");
  }
  size_t want = static_cast<size_t>(rng.Between(2, 5));
  for (int attempts = 0; motifs->size() < want && attempts < 12; ++attempts) {
    WordList from = MotifsForStyle(styles[rng.Below(styles.size())]);
    add(from.empty() || rng.Chance(0.3) ? rng.Pick(CommonMotifs()) : rng.Pick(from));
  }
}

void WriteBiography(Rng& rng, const ArtistRecord& r, std::string_view first_name,
                    std::string* out) {
  std::string_view style2 = r.styles.size() > 1 ? r.styles[1] : StyleIdsByPopularity()[0];
  if (style2 == r.styles[0]) style2 = StyleIdsByPopularity()[1];
  std::string_view motif2 = r.specialties.size() > 1 ? r.specialties[1] : "custom work";
  auto fill = [&](std::string_view key, std::string* o) {
    if (key == "first")
      o->append(first_name);
    else if (key == "city")
      o->append(r.location_city);
    else if (key == "years")
      Append(o, r.years_active);
    else if (key == "style")
      o->append(StyleDisplayName(r.styles[0]));
    else if (key == "style2")
      o->append(StyleDisplayName(style2));
    else if (key == "motif")
      o->append(r.specialties.empty() ? "custom work" : r.specialties[0]);
    else if (key == "motif2")
      o->append(motif2);
    else if (key == "studio")
      o->append(r.studio.id.empty() ? "a private studio" : r.studio.name);
  };
  AppendFilled(out, rng.Pick(BioOpenings()), fill);
  int middles = rng.Chance(0.4) ? 2 : 1;
  for (int k = 0; k < middles; ++k) {
    out->push_back(' ');
    AppendFilled(out, rng.Pick(BioMiddles()), fill);
  }
  std::string_view closing = rng.Pick(BioClosings());
  if (!closing.empty()) Append(out, " ", closing);
}

void MakeHandle(Rng& rng, std::string_view first, std::string_view last, const City& city,
                std::string* out) {
  std::string f = AsciiFoldLower(first);
  std::string l = AsciiFoldLower(last);
  AppendFilled(out, rng.Pick(HandlePatterns()), [&](std::string_view key, std::string* o) {
    if (key == "first")
      o->append(f);
    else if (key == "last")
      o->append(l);
    else if (key == "f")
      o->append(f.substr(0, 1));
    else if (key == "city")
      o->append(AsciiFoldLower(city.ascii_name));
  });
  if (rng.Chance(0.25)) Append(out, rng.Between(1, 99));
}

}  // namespace

absl::StatusOr<ArtistGenerator> ArtistGenerator::Create(const SynthOptions& options) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  absl::CivilDay today;
  absl::ParseCivilTime(options.today, &today);
  uint64_t max_id = options.id_offset + (options.count == 0 ? 0 : options.count - 1);
  int width = std::max<int>(7, static_cast<int>(absl::AlphaNum(max_id).size()));
  return ArtistGenerator(options, today, width);
}

std::string ArtistGenerator::ArtistId(uint64_t i) const {
  std::string id = "artist-";
  AppendZeroPadded(&id, options_.id_offset + i, id_width_);
  return id;
}

uint64_t ArtistGenerator::StudioCount(size_t city_index) const {
  double expected_artists = static_cast<double>(options_.count) * gazetteer_->Weight(city_index) /
                            gazetteer_->TotalWeight();
  return std::max<uint64_t>(
      1, static_cast<uint64_t>(std::llround(expected_artists / kArtistsPerStudio)));
}

void ArtistGenerator::MakeStudio(size_t city_index, uint64_t slot, Studio* studio) const {
  const City& city = gazetteer_->cities()[city_index];
  Rng rng{options_.seed, kStudioStream, city_index, slot};
  studio->id = "studio-";
  AppendZeroPadded(&studio->id, city_index, 5);
  studio->id.push_back('-');
  AppendZeroPadded(&studio->id, slot, 4);
  studio->name.clear();
  AppendStudioName(rng, city, &studio->name);
  studio->address.clear();
  AppendAddress(rng, city, &studio->address);
  studio->postcode.clear();
  AppendPostcode(rng, city.country->code, city.ascii_name, &studio->postcode);
  studio->latitude = city.latitude;
  studio->longitude = city.longitude;
  Scatter(rng, rng.Exponential(ScatterScaleKm(city)), &studio->latitude, &studio->longitude);
}

void ArtistGenerator::AddGuestSpot(ArtistRecord& r, uint64_t record_key) const {
  Rng rng{options_.seed, kGuestStream, record_key};
  int spots = rng.Chance(0.25) ? 2 : 1;
  const City& home = gazetteer_->cities()[r.city_index];
  for (int k = 0; k < spots; ++k) {
    GuestSpot g;
    // Half of guest spots stay in the home country; try a few draws for that.
    bool same_country = rng.Chance(0.5);
    for (int attempt = 0; attempt < 30; ++attempt) {
      g.city_index = gazetteer_->SampleCity(rng.Uniform());
      const City& c = gazetteer_->cities()[g.city_index];
      if (g.city_index != r.city_index && (!same_country || c.country == home.country)) break;
    }
    if (g.city_index == r.city_index) continue;
    const City& city = gazetteer_->cities()[g.city_index];
    Studio host;
    MakeStudio(g.city_index, rng.Below(StudioCount(g.city_index)), &host);
    g.latitude = host.latitude;
    g.longitude = host.longitude;
    AppendLocationDisplay(&g.location_display, city);
    g.location_city = city.name;
    g.location_country = city.country->code;
    g.from = today_ + rng.Between(-20, 150);
    g.to = g.from + rng.Between(2, 14);
    r.guest_spots.push_back(std::move(g));
  }
  std::sort(r.guest_spots.begin(), r.guest_spots.end(),
            [](const GuestSpot& a, const GuestSpot& b) { return a.from < b.from; });
}

ArtistRecord ArtistGenerator::Generate(uint64_t i) const {
  ArtistRecord r;
  Generate(i, &r);
  return r;
}

void ArtistGenerator::Generate(uint64_t i, ArtistRecord* out) const {
  ArtistRecord& r = *out;
  const uint64_t key = options_.id_offset + i;
  Rng rng{options_.seed, kRecordStream, key};

  r.index = i;
  r.artist_id = ArtistId(i);

  r.city_index = gazetteer_->SampleCity(rng.Uniform());
  const City& city = gazetteer_->cities()[r.city_index];
  r.location_city = city.name;
  r.location_country = city.country->code;
  r.location_display.clear();
  AppendLocationDisplay(&r.location_display, city);

  const NameCulture& culture =
      rng.Chance(0.8) ? CultureForCountry(city.country->code) : rng.Pick(AllCultures());
  std::string_view first = rng.Pick(culture.first_names);
  std::string_view last = rng.Pick(culture.last_names);
  r.artist_name.clear();
  Append(&r.artist_name, first, " ", last);
  r.instagram_handle.clear();
  MakeHandle(rng, first, last, city, &r.instagram_handle);

  if (rng.Chance(kNoStudioShare)) {
    r.studio = Studio();
    r.latitude = city.latitude;
    r.longitude = city.longitude;
    Scatter(rng, rng.Exponential(ScatterScaleKm(city)), &r.latitude, &r.longitude);
  } else {
    MakeStudio(r.city_index, rng.Below(StudioCount(r.city_index)), &r.studio);
    r.latitude = r.studio.latitude;
    r.longitude = r.studio.longitude;
  }

  r.styles.clear();
  PickStyles(rng, &r.styles);
  r.specialties.clear();
  PickSpecialties(rng, r.styles, &r.specialties);
  r.years_active = std::min(40, 1 + static_cast<int>(rng.Exponential(7)));

  if (rng.Chance(kUnratedShare)) {
    r.rating = 0;
    r.review_count = 0;
  } else {
    // Pareto(alpha 1.1) review counts; ratings pile up near 5.
    r.review_count = std::min<int64_t>(
        5000, static_cast<int64_t>(2.0 * std::pow(1.0 - rng.Uniform(), -1.0 / 1.1)));
    r.rating = std::round((5.0 - 2.0 * std::pow(rng.Uniform(), 2.2)) * 10) / 10;
  }

  const Country& country = *city.country;
  r.currency = country.currency;
  double hourly = country.typical_hourly_rate * std::exp(0.3 * rng.Normal()) *
                  (0.8 + std::min(r.years_active, 20) / 40.0);
  r.hourly_rate = NicePrice(hourly);
  r.minimum_charge = NicePrice(static_cast<double>(r.hourly_rate) * rng.Uniform(0.5, 1.0));

  r.booking_open = rng.Chance(0.78);
  r.next_available = today_ + (r.booking_open ? rng.Between(1, 60) : rng.Between(30, 240));
  r.waiting_list = rng.Chance(r.booking_open ? 0.08 : 0.45);

  r.biography.clear();
  WriteBiography(rng, r, first, &r.biography);

  static constexpr double kImageCountWeights[] = {0.10, 0.35, 0.35, 0.20};
  double u = rng.Uniform();
  int images = 0;
  while (images < 3 && u >= kImageCountWeights[images]) u -= kImageCountWeights[images++];
  r.portfolio.resize(static_cast<size_t>(images));
  for (int k = 0; k < images; ++k) {
    PortfolioImage& img = r.portfolio[static_cast<size_t>(k)];
    img.style = r.styles[rng.Below(r.styles.size())];
    std::string_view motif = r.specialties.empty() ? rng.Pick(CommonMotifs())
                                                   : r.specialties[rng.Below(r.specialties.size())];
    std::string_view part = rng.Pick(BodyParts());
    img.url.clear();
    Append(&img.url, "https://images.example.com/portfolio/", r.artist_id, "/", k + 1, ".jpg");
    img.description.clear();
    Append(&img.description, StyleDisplayName(img.style), " ", motif, " on the ", part);
    img.tags.assign({motif, part});
  }

  r.email.clear();
  r.website.clear();
  r.phone.clear();
  if (rng.Chance(0.6)) Append(&r.email, r.instagram_handle, "@example.com");
  if (rng.Chance(0.35)) {
    Append(&r.website, "https://", AsciiFoldLower(r.instagram_handle), ".example.com");
  }
  if (rng.Chance(0.3)) {
    Append(&r.phone, "+", rng.Between(1, 99), " ", rng.Between(100, 999), " ",
           rng.Between(100000, 9999999));
  }

  r.opted_out = rng.Chance(kOptedOutShare);
  r.is_active = !rng.Chance(kInactiveShare);

  int64_t age_days = rng.Between(20, 2500);
  r.created_at = absl::CivilSecond(today_ - age_days) + rng.Between(0, 86399);
  r.updated_at = absl::CivilSecond(today_ - rng.Between(0, age_days)) + rng.Between(0, 86399);
  if (r.updated_at < r.created_at) r.updated_at = r.created_at;

  r.guest_spots.clear();
  if (rng.Chance(kGuestSpotShare)) AddGuestSpot(r, key);
}

Fault ArtistGenerator::FaultFor(uint64_t i) const {
  if (!options_.messy) return Fault::kNone;
  Rng rng{options_.seed, kFaultStream, options_.id_offset + i};
  if (!rng.Chance(options_.messy_fraction)) return Fault::kNone;
  // Relative frequency of each fault kind among damaged records.
  static constexpr double kWeights[kFaultKinds] = {0,    0.24, 0.14, 0.14, 0.12, 0.08,
                                                   0.08, 0.08, 0.04, 0.04, 0.04};
  double u = rng.Uniform();
  for (int k = 1; k < kFaultKinds; ++k) {
    if (u < kWeights[k]) return static_cast<Fault>(k);
    u -= kWeights[k];
  }
  return Fault::kStyleAlias;
}

}  // namespace inkdex::synth
