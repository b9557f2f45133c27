#include "xapian_schema.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "text/fold.h"

namespace inkdex::bench::xapian_peer {
namespace {

void PutU16(std::string* out, size_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
}

void PutString(std::string* out, std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 0xffff);
  PutU16(out, n);
  out->append(s.data(), n);
}

void PutDouble(std::string* out, double d) {
  char buf[sizeof(double)];
  std::memcpy(buf, &d, sizeof buf);
  out->append(buf, sizeof buf);
}

// Reads from the front of `in`, consuming what it reads.
bool GetU16(std::string_view* in, size_t* v) {
  if (in->size() < 2) return false;
  *v = static_cast<unsigned char>((*in)[0]) | (static_cast<unsigned char>((*in)[1]) << 8);
  in->remove_prefix(2);
  return true;
}

bool GetString(std::string_view* in, std::string* s) {
  size_t n = 0;
  if (!GetU16(in, &n) || in->size() < n) return false;
  s->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

bool GetDouble(std::string_view* in, double* d) {
  if (in->size() < sizeof(double)) return false;
  std::memcpy(d, in->data(), sizeof(double));
  in->remove_prefix(sizeof(double));
  return true;
}

std::string CityKey(const Location& loc) {
  if (loc.city().empty()) return "";
  if (loc.country().empty()) return loc.city();
  return absl::StrCat(loc.city(), ", ", loc.country());
}

StoredLocation Stored(const Location& loc) {
  return {loc.latitude(), loc.longitude(), "", "", CityKey(loc)};
}

}  // namespace

std::string EncodeLocations(const std::vector<StoredLocation>& locations) {
  std::string out;
  PutU16(&out, locations.size());
  for (const StoredLocation& l : locations) {
    PutDouble(&out, l.lat);
    PutDouble(&out, l.lon);
    PutString(&out, l.from);
    PutString(&out, l.to);
    PutString(&out, l.city);
  }
  return out;
}

bool DecodeLocations(std::string_view blob, std::vector<StoredLocation>* out) {
  size_t n = 0;
  if (!GetU16(&blob, &n)) return false;
  out->resize(n);
  for (StoredLocation& l : *out) {
    if (!GetDouble(&blob, &l.lat) || !GetDouble(&blob, &l.lon) || !GetString(&blob, &l.from) ||
        !GetString(&blob, &l.to) || !GetString(&blob, &l.city)) {
      return false;
    }
  }
  return blob.empty();
}

std::string EncodeStyleMask(uint64_t mask) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((mask >> (8 * i)) & 0xff);
  return out;
}

uint64_t DecodeStyleMask(std::string_view value) {
  uint64_t mask = 0;
  for (size_t i = 0; i < value.size() && i < 8; ++i) {
    mask |= uint64_t{static_cast<unsigned char>(value[i])} << (8 * i);
  }
  return mask;
}

std::string RateBand(std::optional<double> rate) {
  if (!rate) return "unknown";
  static const char* kBands[] = {"0-50", "50-100", "100-150", "150-200", "200+"};
  static const double kEdges[] = {50, 100, 150, 200};
  int i = 0;
  while (i < 4 && *rate >= kEdges[i]) ++i;
  return kBands[i];
}

std::string RatingBand(std::optional<double> rating, uint32_t reviews) {
  if (!rating || reviews == 0) return "unrated";
  const double r = *rating;
  return r >= 4.5 ? "4.5+" : r >= 4.0 ? "4-4.5" : r >= 3.0 ? "3-4" : "<3";
}

std::string SuggestKey(std::string_view s) {
  std::string out = absl::StrJoin(absl::StrSplit(absl::string_view(s.data(), s.size()),
                                                 absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty()),
                                  " ");
  absl::AsciiStrToLower(&out);
  // Xapian's term limit is 245 bytes; a cut name still completes its prefix.
  if (out.size() > 200) out.resize(200);
  return out;
}

bool IsSearchable(const Artist& a) { return !a.opted_out() && a.is_active(); }

ArtistDocumentBuilder::ArtistDocumentBuilder(const StyleTaxonomy& taxonomy) : taxonomy_(taxonomy) {
  termgen_.set_stemmer(Xapian::Stem("english"));
  termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
}

Xapian::Document ArtistDocumentBuilder::Build(const Artist& a) {
  Xapian::Document doc;
  termgen_.set_document(doc);
  // Accent-folded as inkdex folds (text/fold.h), so the same words match.
  auto field = [&](const std::string& text, Xapian::termcount weight) {
    if (text.empty()) return;
    termgen_.index_text(text::FoldAccents(text), weight);
    termgen_.increase_termpos(100);  // no phrase across fields
  };
  field(a.name(), 3);
  field(a.studio().name(), 2);
  for (const std::string& s : a.specialties()) field(s, 2);
  uint64_t style_mask = 0;
  for (const std::string& id : a.styles()) {
    std::optional<int> idx = taxonomy_.Find(id);
    if (!idx) continue;
    const StyleInfo& info = taxonomy_.style(*idx);
    field(info.display_name, 2);
    doc.add_boolean_term(absl::StrCat(kStylePrefix, info.id));
    style_mask |= uint64_t{1} << *idx;
  }
  std::vector<StoredLocation> locations = {Stored(a.location())};
  field(a.location().display(), 1);
  field(a.location().city(), 1);
  for (const GuestSpot& g : a.guest_spots()) {
    field(g.location().display(), 1);
    field(g.location().city(), 1);
    StoredLocation l = Stored(g.location());
    l.from = g.from();
    l.to = g.to();
    locations.push_back(std::move(l));
  }
  field(a.instagram_handle(), 1);
  // The biography as inkdex analyses it (stems only, no positions), so that
  // the text matches and the TF weights, and with them relevance pages, are
  // the same: the comparison is about geography, facets and ranking.
  if (!a.biography().empty()) {
    termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
    termgen_.index_text_without_positions(text::FoldAccents(a.biography()));
    termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  }
  termgen_.set_document(Xapian::Document());

  Xapian::LatLongCoords coords;
  for (size_t i = 0; i < locations.size(); ++i) {
    const StoredLocation& l = locations[i];
    coords.append(Xapian::LatLongCoord(l.lat, l.lon));
    const auto slot = static_cast<Xapian::valueno>(kFirstLatLonSlot + 2 * i);
    doc.add_value(slot, Xapian::sortable_serialise(l.lat));
    doc.add_value(slot + 1, Xapian::sortable_serialise(l.lon));
    if (!l.city.empty()) doc.add_boolean_term(absl::StrCat(kCityPrefix, SuggestKey(l.city)));
  }
  doc.add_value(kCoordsSlot, coords.serialise());
  doc.add_value(kLocationsSlot, EncodeLocations(locations));
  doc.add_value(kStyleMaskSlot, EncodeStyleMask(style_mask));

  const bool rated = a.has_rating() && a.review_count() > 0;
  if (rated) doc.add_value(kRatingSlot, Xapian::sortable_serialise(a.rating()));
  doc.add_value(kReviewsSlot, Xapian::sortable_serialise(a.review_count()));
  std::optional<double> rate;
  if (a.pricing().has_hourly_rate()) rate = a.pricing().hourly_rate();
  if (rate) doc.add_value(kRateSlot, Xapian::sortable_serialise(*rate));
  if (a.has_years_active()) doc.add_value(kYearsSlot, Xapian::sortable_serialise(a.years_active()));
  doc.add_value(kRateBandSlot, RateBand(rate));
  doc.add_value(kRatingBandSlot,
                RatingBand(a.has_rating() ? std::optional<double>(a.rating()) : std::nullopt,
                           a.review_count()));
  doc.add_value(kIdSlot, a.id());
  if (a.availability().booking_open()) doc.add_boolean_term(kBookingOpenTerm);
  if (!a.name().empty()) doc.add_boolean_term(absl::StrCat(kNamePrefix, SuggestKey(a.name())));
  doc.set_data(a.id());
  return doc;
}

}  // namespace inkdex::bench::xapian_peer
