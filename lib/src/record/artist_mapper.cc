#include "record/artist_mapper.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "record/dynamodb_value.h"
#include "record/field_checks.h"
#include "record/field_limits.h"
#include "record/stream_sequence.h"
#include "record/value_view.h"

namespace inkdex::internal {
namespace {

constexpr uint64_t kMaxUint32 = 0xffffffffu;
// Longer "style names" are not kept in unknown_styles: they are not styles.
constexpr size_t kMaxStyleNameBytes = 256;

template <typename V>
bool Present(const std::optional<V>& v) {
  return v.has_value() && v->kind() != ValueKind::kNull;
}

// A number, or a string holding exactly a number (a common export fault).
template <typename V>
std::optional<double> NumberOf(const V& v) {
  if (v.kind() == ValueKind::kNumber) return v.number();
  if (v.kind() == ValueKind::kString) return ParseCleanDouble(v.string());
  return std::nullopt;
}

template <typename V>
std::optional<uint64_t> UnsignedOf(const V& v) {
  if (v.kind() == ValueKind::kNumber) return v.unsigned_integer();
  if (v.kind() == ValueKind::kString) return ParseCleanUint64(v.string());
  return std::nullopt;
}

// Empty when `v` is a number (or numeric string) within `range`, stored in
// *out; else the reason.
template <typename V>
std::string NumberReason(const std::optional<V>& v, const NumberRange& range, double* out) {
  if (!Present(v)) return "missing";
  std::optional<double> d = NumberOf(*v);
  if (!d) return absl::StrCat("must be a number ", range.text, ", got ", v->Describe());
  std::string reason = CheckNumber(*d, range);
  if (reason.empty()) *out = *d;
  return reason;
}

void Assign(std::string* dst, absl::string_view value) { dst->assign(value.data(), value.size()); }

// The value of opted_out / optedOut / isActive as the records give them: a
// boolean, "true" / "false", or 1 / 0 (as DynamoDB's N). nullopt for any
// other value, which the readers below take for the value that keeps the
// artist out of search.
template <typename V>
std::optional<bool> FlagValueOf(const V& v) {
  if (v.kind() == ValueKind::kBool) return v.boolean();
  if (v.kind() == ValueKind::kString && v.string() == "true") return true;
  if (v.kind() == ValueKind::kString && v.string() == "false") return false;
  if (v.kind() == ValueKind::kNumber) {
    if (std::optional<uint64_t> n = v.unsigned_integer(); n && *n <= 1) return *n == 1;
  }
  return std::nullopt;
}

template <typename V>
class ArtistMapper {
 public:
  ArtistMapper(const StyleTaxonomy& taxonomy, ParsedRecord* out)
      : taxonomy_(taxonomy), out_(*out), artist_(out->artist) {}

  absl::Status Map(const V& record) {
    if (record.kind() != ValueKind::kObject) {
      return absl::InvalidArgumentError(
          absl::StrCat("record: must be a JSON object, got ", record.Describe()));
    }
    if (absl::Status s = MapRequired(record); !s.ok()) return s;
    MapProfile(record);
    MapStyles(record);
    MapStudio(record);
    MapPricing(record);
    MapAvailability(record);
    MapGuestSpots(record);
    FitFieldLimits(&artist_, &out_.warnings);
    return absl::OkStatus();
  }

 private:
  absl::Status MapRequired(const V& record) {
    std::optional<V> id = record.field("artistId");
    if (!Present(id)) return absl::InvalidArgumentError("artistId: missing");
    if (id->kind() != ValueKind::kString) {
      return absl::InvalidArgumentError(
          absl::StrCat("artistId: must be a string, got ", id->Describe()));
    }
    if (std::string reason = CheckArtistId(id->string()); !reason.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("artistId: ", reason));
    }
    Assign(artist_.mutable_id(), id->string());

    absl::string_view name_field = "artistName";
    std::optional<V> name = record.field(name_field);
    if (!Present(name)) {
      name = record.field("name");
      if (Present(name)) name_field = "name";
    }
    if (!Present(name)) return absl::InvalidArgumentError("artistName: missing");
    if (name->kind() != ValueKind::kString) {
      return absl::InvalidArgumentError(
          absl::StrCat(name_field, ": must be a string, got ", name->Describe()));
    }
    if (std::string reason = CheckNonBlank(name->string()); !reason.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(name_field, ": ", reason));
    }
    Assign(artist_.mutable_name(), name->string());

    Location* location = artist_.mutable_location();
    double value = 0;
    if (std::string r = NumberReason(record.field("latitude"), kLatitudeRange, &value);
        !r.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("latitude: ", r));
    }
    location->set_latitude(value);
    if (std::string r = NumberReason(record.field("longitude"), kLongitudeRange, &value);
        !r.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("longitude: ", r));
    }
    location->set_longitude(value);
    return absl::OkStatus();
  }

  void MapProfile(const V& record) {
    Location* location = artist_.mutable_location();
    if (auto s = String(record, "", "locationDisplay")) {
      Assign(location->mutable_display(), *s);
    } else if (auto old = String(record, "", "location")) {
      Assign(location->mutable_display(), *old);
    }
    if (auto s = String(record, "", "locationCity")) Assign(location->mutable_city(), *s);
    if (auto s = String(record, "", "locationCountry")) {
      Assign(location->mutable_country(), NormalizeCode(*s, 2));
    }
    if (auto s = String(record, "", "instagramHandle")) {
      Assign(artist_.mutable_instagram_handle(), NormalizeHandle(*s));
    }
    if (std::optional<V> v = record.field("specialties"); Present(v)) {
      ForEachString(*v, "specialties", [this](absl::string_view s) {
        s = absl::StripAsciiWhitespace(s);
        if (!s.empty()) Assign(artist_.add_specialties(), s);
      });
    }
    if (auto s = String(record, "", "biography")) {
      Assign(artist_.mutable_biography(), *s);
    } else if (auto old = String(record, "", "bio")) {
      Assign(artist_.mutable_biography(), *old);
    }
    if (auto d = Number(record, "", "rating", kRatingRange)) artist_.set_rating(*d);
    if (auto n = Unsigned(record, "", "reviewCount", kMaxUint32)) {
      artist_.set_review_count(static_cast<uint32_t>(*n));
    }
    if (std::optional<V> experience = Object(record, "", "experience")) {
      if (auto n = Unsigned(*experience, "experience", "yearsActive", kMaxYearsActive)) {
        artist_.set_years_active(static_cast<uint32_t>(*n));
      }
    }
    if (std::optional<V> images = record.field("portfolioImages"); Present(images)) {
      if (images->kind() == ValueKind::kArray) {
        artist_.set_portfolio_image_count(
            static_cast<uint32_t>(std::min<size_t>(images->size(), kMaxUint32)));
      } else {
        Warn("", "portfolioImages", absl::StrCat("must be a list, got ", images->Describe()));
      }
    } else if (auto n = Unsigned(record, "", "portfolioImageCount", kMaxUint32)) {
      artist_.set_portfolio_image_count(static_cast<uint32_t>(*n));
    }
    // The two visibility flags fail safe: a value that is neither a boolean
    // nor 0/1 hides the artist (with a warning) instead of showing one who
    // may have asked to be removed. So does either spelling of the opt-out
    // saying true when the other says false.
    const std::optional<bool> snake = VisibilityFlag(record, "opted_out", /*hidden_when=*/true);
    const std::optional<bool> camel = VisibilityFlag(record, "optedOut", /*hidden_when=*/true);
    if (snake && camel && *snake != *camel) {
      Warn("", "optedOut",
           absl::StrCat("is ", *camel ? "true" : "false", " but opted_out is ",
                        *snake ? "true" : "false", "; the artist is kept out of search"));
    }
    if (snake || camel) artist_.set_opted_out(snake.value_or(false) || camel.value_or(false));
    artist_.set_is_active(VisibilityFlag(record, "isActive", /*hidden_when=*/false).value_or(true));
    if (auto s = Timestamp(record, "createdAt")) Assign(artist_.mutable_created_at(), *s);
    if (auto s = Timestamp(record, "updatedAt")) Assign(artist_.mutable_updated_at(), *s);
    if (auto n = Unsigned(record, "", "version", UINT64_MAX)) artist_.set_version(*n);
    if (auto s = String(record, "", "streamSequence")) {
      if (IsValidStreamSequence(std::string_view(s->data(), s->size()))) {
        Assign(artist_.mutable_stream_sequence(), *s);
      } else {
        Warn("", "streamSequence", "must be 1..40 decimal digits");
      }
    }
    if (auto n = Unsigned(record, "", "sourceRank", kMaxUint32)) {
      artist_.set_source_rank(static_cast<uint32_t>(*n));
    }
  }

  // Known styles keep the record's order (the first is often the artist's
  // main style), each once.
  void MapStyles(const V& record) {
    uint64_t known = 0;  // bit i: taxonomy style i, once added
    size_t unknown_dropped = 0;
    size_t empty_names = 0;
    for (absl::string_view field : {"styles", "unknownStyles"}) {
      std::optional<V> v = record.field(field);
      if (!Present(v)) continue;
      ForEachString(*v, field, [&](absl::string_view name) {
        name = absl::StripAsciiWhitespace(name);
        if (name.empty()) {
          ++empty_names;
          return;
        }
        if (std::optional<int> index = taxonomy_.Find(ToStd(name))) {
          const uint64_t bit = uint64_t{1} << *index;
          if ((known & bit) == 0) artist_.add_styles(taxonomy_.style(*index).id);
          known |= bit;
          return;
        }
        if (name.size() > kMaxStyleNameBytes) {
          Warn("", field,
               absl::StrCat("style name longer than ", kMaxStyleNameBytes, " bytes ignored"));
          return;
        }
        auto& unknown = *artist_.mutable_unknown_styles();
        if (std::find(unknown.begin(), unknown.end(), name) != unknown.end()) return;
        if (unknown.size() >= kMaxListEntries) {
          ++unknown_dropped;
          return;
        }
        Assign(artist_.add_unknown_styles(), name);
        Warn("", "styles",
             absl::StrCat("unknown style '", name, "' (closest: ",
                          absl::StrJoin(taxonomy_.Closest(ToStd(name), 3), ", "), ")"));
      });
    }
    if (empty_names > 0) {
      Warn("", "styles",
           absl::StrCat(empty_names, empty_names == 1 ? " empty style name" : " empty style names",
                        " ignored"));
    }
    if (unknown_dropped > 0) {
      Warn("", "styles",
           absl::StrCat(unknown_dropped, " more unknown style names ignored (at most ",
                        kMaxListEntries, " are kept)"));
    }
  }

  void MapStudio(const V& record) {
    Studio* studio = nullptr;
    if (std::optional<V> info = Object(record, "", "studioInfo")) {
      studio = artist_.mutable_studio();
      if (auto s = String(*info, "studioInfo", "studioId")) Assign(studio->mutable_id(), *s);
      if (auto s = String(*info, "studioInfo", "studioName")) Assign(studio->mutable_name(), *s);
      if (auto s = String(*info, "studioInfo", "address")) Assign(studio->mutable_address(), *s);
      if (auto s = String(*info, "studioInfo", "postcode")) Assign(studio->mutable_postcode(), *s);
    }
    // Older items: studio fields at the top level.
    auto old_name = String(record, "", "studioName");
    auto old_id = String(record, "", "studioId");
    if (!old_name && !old_id) return;
    if (studio == nullptr) studio = artist_.mutable_studio();
    if (old_name && studio->name().empty()) Assign(studio->mutable_name(), *old_name);
    if (old_id && studio->id().empty()) Assign(studio->mutable_id(), *old_id);
  }

  void MapPricing(const V& record) {
    std::optional<V> pricing = Object(record, "", "pricing");
    if (!pricing) return;
    Pricing* out = artist_.mutable_pricing();
    if (auto d = Number(*pricing, "pricing", "hourlyRate", kPriceRange)) out->set_hourly_rate(*d);
    if (auto d = Number(*pricing, "pricing", "minimumCharge", kPriceRange)) {
      out->set_minimum_charge(*d);
    }
    if (auto s = String(*pricing, "pricing", "currency")) {
      // A currency that is not a code would count as "no currency", which
      // every currency's rate filter takes: said, and left out.
      const absl::string_view code = absl::StripAsciiWhitespace(*s);
      if (std::string reason = CheckCurrencyCode(code); reason.empty()) {
        Assign(out->mutable_currency(), NormalizeCode(code, 3));
      } else if (!code.empty()) {
        Warn("pricing", "currency", absl::StrCat(reason, "; the rates are kept without one"));
      }
    }
  }

  void MapAvailability(const V& record) {
    std::optional<V> availability = Object(record, "", "availability");
    if (!availability) return;
    Availability* out = artist_.mutable_availability();
    if (auto b = Bool(*availability, "availability", "bookingOpen")) out->set_booking_open(*b);
    if (auto b = Bool(*availability, "availability", "waitingList")) out->set_waiting_list(*b);
    if (auto s = String(*availability, "availability", "nextAvailable")) {
      if (std::optional<absl::string_view> date = IsoDatePart(*s)) {
        Assign(out->mutable_next_available(), *date);
      } else if (!s->empty()) {
        Warn("availability", "nextAvailable",
             absl::StrCat("must be a date YYYY-MM-DD, got ", QuoteForMessage(*s)));
      }
    }
  }

  void MapGuestSpots(const V& record) {
    std::optional<V> spots = record.field("guestSpots");
    if (!Present(spots)) return;
    if (spots->kind() != ValueKind::kArray) {
      Warn("", "guestSpots", absl::StrCat("must be a list of objects, got ", spots->Describe()));
      return;
    }
    size_t i = 0;
    spots->ForEachElement([&](const V& spot) {
      const std::string prefix = absl::StrCat("guestSpots[", i++, "]");
      GuestSpot parsed;
      if (std::string error = MapGuestSpot(spot, prefix, &parsed); !error.empty()) {
        out_.warnings.push_back(absl::StrCat(error, "; guest spot ignored"));
        return;
      }
      *artist_.add_guest_spots() = std::move(parsed);
    });
  }

  // Empty on success, else the whole warning ("guestSpots[1].latitude: ...").
  std::string MapGuestSpot(const V& spot, absl::string_view prefix, GuestSpot* out) {
    if (spot.kind() != ValueKind::kObject) {
      return absl::StrCat(prefix, ": must be an object, got ", spot.Describe());
    }
    Location* location = out->mutable_location();
    double value = 0;
    if (std::string r = NumberReason(spot.field("latitude"), kLatitudeRange, &value); !r.empty()) {
      return absl::StrCat(prefix, ".latitude: ", r);
    }
    location->set_latitude(value);
    if (std::string r = NumberReason(spot.field("longitude"), kLongitudeRange, &value);
        !r.empty()) {
      return absl::StrCat(prefix, ".longitude: ", r);
    }
    location->set_longitude(value);
    if (auto s = String(spot, prefix, "locationDisplay")) Assign(location->mutable_display(), *s);
    if (auto s = String(spot, prefix, "locationCity")) Assign(location->mutable_city(), *s);
    if (auto s = String(spot, prefix, "locationCountry")) {
      Assign(location->mutable_country(), NormalizeCode(*s, 2));
    }
    absl::string_view bounds[2];
    const absl::string_view keys[2] = {"from", "to"};
    for (int b = 0; b < 2; ++b) {
      std::optional<V> v = spot.field(keys[b]);
      if (!Present(v)) continue;
      if (v->kind() != ValueKind::kString) {
        return absl::StrCat(prefix, ".", keys[b], ": must be a date YYYY-MM-DD, got ",
                            v->Describe());
      }
      bounds[b] = IsoDatePart(v->string()).value_or(v->string());
    }
    if (std::string r = CheckDateRange(bounds[0], bounds[1]); !r.empty()) {
      return absl::StrCat(prefix, ".", r);
    }
    Assign(out->mutable_from(), bounds[0]);
    Assign(out->mutable_to(), bounds[1]);
    return "";
  }

  // Calls f(string) for each string of a list (an array, a DynamoDB set, or
  // a comma-separated string); other elements are warnings.
  template <typename F>
  void ForEachString(const V& v, absl::string_view field, F f) {
    if (v.kind() == ValueKind::kString) {
      for (absl::string_view part : absl::StrSplit(v.string(), ',')) f(part);
      return;
    }
    if (v.kind() != ValueKind::kArray) {
      Warn("", field, absl::StrCat("must be a list of strings, got ", v.Describe()));
      return;
    }
    size_t i = 0;
    v.ForEachElement([&](const V& element) {
      if (element.kind() == ValueKind::kString) {
        f(element.string());
      } else if (element.kind() != ValueKind::kNull) {
        Warn("", absl::StrCat(field, "[", i, "]"),
             absl::StrCat("must be a string, got ", element.Describe()));
      }
      ++i;
    });
  }

  // Optional-field getters: nullopt when absent or null; a value of the
  // wrong type or range is a warning and nullopt.
  std::optional<absl::string_view> String(const V& object, absl::string_view prefix,
                                          absl::string_view key) {
    std::optional<V> v = object.field(key);
    if (!Present(v)) return std::nullopt;
    if (v->kind() == ValueKind::kString) return v->string();
    Warn(prefix, key, absl::StrCat("must be a string, got ", v->Describe()));
    return std::nullopt;
  }

  std::optional<absl::string_view> Timestamp(const V& record, absl::string_view key) {
    std::optional<absl::string_view> s = String(record, "", key);
    if (!s || IsIsoTimestamp(*s)) return s;
    if (!s->empty()) {
      Warn("", key,
           absl::StrCat("must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z, got ",
                        QuoteForMessage(*s)));
    }
    return std::nullopt;
  }

  std::optional<double> Number(const V& object, absl::string_view prefix, absl::string_view key,
                               const NumberRange& range) {
    std::optional<V> v = object.field(key);
    if (!Present(v)) return std::nullopt;
    double value = 0;
    if (std::string reason = NumberReason(v, range, &value); !reason.empty()) {
      Warn(prefix, key, reason);
      return std::nullopt;
    }
    return value;
  }

  std::optional<uint64_t> Unsigned(const V& object, absl::string_view prefix, absl::string_view key,
                                   uint64_t max) {
    std::optional<V> v = object.field(key);
    if (!Present(v)) return std::nullopt;
    std::optional<uint64_t> n = UnsignedOf(*v);
    if (n && *n <= max) return n;
    Warn(prefix, key, absl::StrCat("must be an integer in [0, ", max, "], got ", v->Describe()));
    return std::nullopt;
  }

  // true/false or "true"/"false" (DynamoDB writes some booleans as text).
  static std::optional<bool> BoolOf(const V& v) {
    if (v.kind() == ValueKind::kBool) return v.boolean();
    if (v.kind() == ValueKind::kString && v.string() == "true") return true;
    if (v.kind() == ValueKind::kString && v.string() == "false") return false;
    return std::nullopt;
  }

  std::optional<bool> Bool(const V& object, absl::string_view prefix, absl::string_view key) {
    std::optional<V> v = object.field(key);
    if (!Present(v)) return std::nullopt;
    if (std::optional<bool> b = BoolOf(*v)) return b;
    Warn(prefix, key, absl::StrCat("must be true or false, got ", v->Describe()));
    return std::nullopt;
  }

  // opted_out / isActive: as Bool, or 1 / 0 (as DynamoDB's N); anything else
  // is a warning and yields `hidden_when`, the value that keeps the artist
  // out of search. Absent: nullopt.
  std::optional<bool> VisibilityFlag(const V& record, absl::string_view key, bool hidden_when) {
    std::optional<V> v = record.field(key);
    if (!Present(v)) return std::nullopt;
    if (std::optional<bool> b = FlagValueOf(*v)) return b;
    Warn("", key,
         absl::StrCat("must be true or false, got ", v->Describe(),
                      "; the artist is kept out of search until it is corrected"));
    return hidden_when;
  }

  std::optional<V> Object(const V& object, absl::string_view prefix, absl::string_view key) {
    std::optional<V> v = object.field(key);
    if (!Present(v)) return std::nullopt;
    if (v->kind() == ValueKind::kObject) return v;
    Warn(prefix, key, absl::StrCat("must be an object, got ", v->Describe()));
    return std::nullopt;
  }

  void Warn(absl::string_view prefix, absl::string_view key, absl::string_view reason) {
    if (prefix.empty()) {
      out_.warnings.push_back(absl::StrCat(key, ": ", reason));
    } else {
      out_.warnings.push_back(absl::StrCat(prefix, ".", key, ": ", reason));
    }
  }

  const StyleTaxonomy& taxonomy_;
  ParsedRecord& out_;
  Artist& artist_;
};

template <typename V>
absl::StatusOr<ParsedRecord> MapRecord(const V& record, const StyleTaxonomy& taxonomy) {
  ParsedRecord out;
  ArtistMapper<V> mapper(taxonomy, &out);
  if (absl::Status s = mapper.Map(record); !s.ok()) return s;
  return out;
}

}  // namespace

absl::StatusOr<ParsedRecord> MapPlainRecord(simdjson::dom::element record,
                                            const StyleTaxonomy& taxonomy) {
  return MapRecord(PlainJsonView(record), taxonomy);
}

absl::StatusOr<ParsedRecord> MapDynamoDbItem(simdjson::dom::element attribute_map,
                                             const StyleTaxonomy& taxonomy) {
  return MapRecord(DynamoDbValueView::AttributeMap(SimdjsonNode(attribute_map)), taxonomy);
}

absl::StatusOr<ParsedRecord> MapDynamoDbImage(NlohmannImage* image, const StyleTaxonomy& taxonomy) {
  return MapRecord(NlohmannDynamoDbValueView::AttributeMap(NlohmannNode(image)), taxonomy);
}

std::optional<std::string> HiddenByImage(NlohmannImage* image) {
  const NlohmannDynamoDbValueView record =
      NlohmannDynamoDbValueView::AttributeMap(NlohmannNode(image));
  for (absl::string_view key : {"opted_out", "optedOut", "isActive"}) {
    const bool hidden_when = key != "isActive";
    std::optional<NlohmannDynamoDbValueView> v = record.field(key);
    if (!Present(v)) continue;
    const std::optional<bool> b = FlagValueOf(*v);
    if (b == hidden_when) return absl::StrCat(key, " is ", hidden_when ? "true" : "false");
    if (!b) return absl::StrCat(key, " is not true or false (", v->Describe(), ")");
  }
  return std::nullopt;
}

}  // namespace inkdex::internal
