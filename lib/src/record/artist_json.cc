// ArtistToJson: an Artist as one data-model JSON line that ParseArtistRecord
// reads back to the same Artist.
#include <cmath>
#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/strings/str_cat.h"
#include "inkdex/record.h"
#include "record/field_checks.h"

namespace inkdex {
namespace {

// Appends JSON to a string, managing the commas between members.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(*out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(absl::string_view key) {
    Separate();
    AppendString(key);
    out_.push_back(':');
    after_key_ = true;
  }
  void String(absl::string_view value) {
    Separate();
    AppendString(value);
  }
  void Number(double value) {
    Separate();
    // JSON has no NaN or infinity; ValidateArtist rejects such artists.
    out_ += std::isfinite(value) ? internal::FormatDouble(value) : "null";
  }
  void Unsigned(uint64_t value) {
    Separate();
    absl::StrAppend(&out_, value);
  }
  void Bool(bool value) {
    Separate();
    out_ += value ? "true" : "false";
  }

  // Members omitted when empty, as the parser leaves them empty when absent.
  void OptionalString(absl::string_view key, absl::string_view value) {
    if (value.empty()) return;
    Key(key);
    String(value);
  }
  template <typename Strings>
  void OptionalStrings(absl::string_view key, const Strings& values) {
    if (values.empty()) return;
    Key(key);
    BeginArray();
    for (const std::string& v : values) String(v);
    EndArray();
  }

 private:
  void Open(char c) {
    Separate();
    out_.push_back(c);
    first_ = true;
  }
  void Close(char c) {
    out_.push_back(c);
    first_ = false;
  }
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void AppendString(absl::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_.push_back('"');
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        default:
          if (u < 0x20) {
            out_ += "\\u00";
            out_.push_back(kHex[u >> 4]);
            out_.push_back(kHex[u & 0xf]);
          } else {
            out_.push_back(c);  // UTF-8 passes through unescaped
          }
      }
    }
    out_.push_back('"');
  }

  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
};

void WriteLocationFields(const Location& location, JsonWriter& w) {
  w.OptionalString("locationDisplay", location.display());
  w.OptionalString("locationCity", location.city());
  w.OptionalString("locationCountry", location.country());
  w.Key("latitude");
  w.Number(location.latitude());
  w.Key("longitude");
  w.Number(location.longitude());
}

void WriteStudio(const Studio& studio, JsonWriter& w) {
  w.Key("studioInfo");
  w.BeginObject();
  w.OptionalString("studioId", studio.id());
  w.OptionalString("studioName", studio.name());
  w.OptionalString("address", studio.address());
  w.OptionalString("postcode", studio.postcode());
  w.EndObject();
}

void WritePricing(const Pricing& pricing, JsonWriter& w) {
  w.Key("pricing");
  w.BeginObject();
  if (pricing.has_hourly_rate()) {
    w.Key("hourlyRate");
    w.Number(pricing.hourly_rate());
  }
  if (pricing.has_minimum_charge()) {
    w.Key("minimumCharge");
    w.Number(pricing.minimum_charge());
  }
  w.OptionalString("currency", pricing.currency());
  w.EndObject();
}

void WriteAvailability(const Availability& availability, JsonWriter& w) {
  w.Key("availability");
  w.BeginObject();
  w.Key("bookingOpen");
  w.Bool(availability.booking_open());
  w.OptionalString("nextAvailable", availability.next_available());
  w.Key("waitingList");
  w.Bool(availability.waiting_list());
  w.EndObject();
}

void WriteGuestSpots(const Artist& artist, JsonWriter& w) {
  w.Key("guestSpots");
  w.BeginArray();
  for (const GuestSpot& spot : artist.guest_spots()) {
    w.BeginObject();
    WriteLocationFields(spot.location(), w);
    w.OptionalString("from", spot.from());
    w.OptionalString("to", spot.to());
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string ArtistToJson(const Artist& artist) {
  std::string out;
  out.reserve(512);
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("artistId");
  w.String(artist.id());
  w.Key("artistName");
  w.String(artist.name());
  w.OptionalString("instagramHandle", artist.instagram_handle());
  WriteLocationFields(artist.location(), w);
  w.OptionalStrings("styles", artist.styles());
  w.OptionalStrings("unknownStyles", artist.unknown_styles());
  w.OptionalStrings("specialties", artist.specialties());
  w.OptionalString("biography", artist.biography());
  if (artist.has_rating()) {
    w.Key("rating");
    w.Number(artist.rating());
  }
  if (artist.review_count() != 0) {
    w.Key("reviewCount");
    w.Unsigned(artist.review_count());
  }
  if (artist.has_studio()) WriteStudio(artist.studio(), w);
  if (artist.has_pricing()) WritePricing(artist.pricing(), w);
  if (artist.has_availability()) WriteAvailability(artist.availability(), w);
  if (artist.has_years_active()) {
    w.Key("experience");
    w.BeginObject();
    w.Key("yearsActive");
    w.Unsigned(artist.years_active());
    w.EndObject();
  }
  if (artist.portfolio_image_count() != 0) {
    w.Key("portfolioImageCount");
    w.Unsigned(artist.portfolio_image_count());
  }
  if (artist.guest_spots_size() > 0) WriteGuestSpots(artist, w);
  w.Key("opted_out");
  w.Bool(artist.opted_out());
  w.Key("isActive");
  w.Bool(artist.is_active());
  w.OptionalString("createdAt", artist.created_at());
  w.OptionalString("updatedAt", artist.updated_at());
  w.Key("version");
  w.Unsigned(artist.version());
  w.OptionalString("streamSequence", artist.stream_sequence());
  if (artist.source_rank() != 0) {
    w.Key("sourceRank");
    w.Unsigned(artist.source_rank());
  }
  w.EndObject();
  return out;
}

}  // namespace inkdex
