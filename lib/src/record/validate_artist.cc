// ValidateArtist: the invariants of a parsed Artist, for Artists built by code.
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "inkdex/record.h"
#include "record/field_checks.h"
#include "record/field_limits.h"
#include "record/stream_sequence.h"

namespace inkdex {
namespace {

using internal::CheckNumber;

// Appends `reason` to `field` as an error when non-empty.
absl::Status Fail(absl::string_view field, const std::string& reason) {
  if (reason.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

absl::Status ValidateCoordinates(absl::string_view prefix, const Location& location) {
  if (absl::Status s = Fail(absl::StrCat(prefix, "latitude"),
                            CheckNumber(location.latitude(), internal::kLatitudeRange));
      !s.ok()) {
    return s;
  }
  return Fail(absl::StrCat(prefix, "longitude"),
              CheckNumber(location.longitude(), internal::kLongitudeRange));
}

}  // namespace

absl::Status ValidateArtist(const Artist& artist) {
  if (absl::Status s = Fail("artistId", internal::CheckArtistId(artist.id())); !s.ok()) return s;
  if (absl::Status s = Fail("artistName", internal::CheckNonBlank(artist.name())); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateCoordinates("", artist.location()); !s.ok()) return s;
  if (!artist.stream_sequence().empty() &&
      !internal::IsValidStreamSequence(artist.stream_sequence())) {
    return absl::InvalidArgumentError("streamSequence: must be 1..40 decimal digits");
  }
  if (artist.has_rating()) {
    if (absl::Status s = Fail("rating", CheckNumber(artist.rating(), internal::kRatingRange));
        !s.ok()) {
      return s;
    }
  }
  const Pricing& pricing = artist.pricing();
  if (pricing.has_hourly_rate()) {
    if (absl::Status s =
            Fail("pricing.hourlyRate", CheckNumber(pricing.hourly_rate(), internal::kPriceRange));
        !s.ok()) {
      return s;
    }
  }
  if (pricing.has_minimum_charge()) {
    if (absl::Status s = Fail("pricing.minimumCharge",
                              CheckNumber(pricing.minimum_charge(), internal::kPriceRange));
        !s.ok()) {
      return s;
    }
  }
  if (!pricing.currency().empty()) {
    if (absl::Status s = Fail("pricing.currency", internal::CheckCurrencyCode(pricing.currency()));
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [field, value] : {std::pair{"createdAt", &artist.created_at()},
                                     std::pair{"updatedAt", &artist.updated_at()}}) {
    if (!value->empty() && !internal::IsIsoTimestamp(*value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": must be an ISO-8601 date or time such as 2026-12-10T09:30:00Z"));
    }
  }
  const std::string& next_available = artist.availability().next_available();
  if (!next_available.empty() && !internal::IsIsoDate(next_available)) {
    return absl::InvalidArgumentError("availability.nextAvailable: must be a date YYYY-MM-DD");
  }
  for (int i = 0; i < artist.guest_spots_size(); ++i) {
    const GuestSpot& spot = artist.guest_spots(i);
    const std::string prefix = absl::StrCat("guestSpots[", i, "].");
    if (absl::Status s = ValidateCoordinates(prefix, spot.location()); !s.ok()) return s;
    if (std::string reason = internal::CheckDateRange(spot.from(), spot.to()); !reason.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, reason));
    }
  }
  for (int i = 0; i < artist.styles_size(); ++i) {
    if (artist.styles(i).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("styles[", i, "]: must not be empty"));
    }
  }
  if (artist.has_years_active() && artist.years_active() > internal::kMaxYearsActive) {
    return absl::InvalidArgumentError(absl::StrCat("experience.yearsActive: must be at most ",
                                                   internal::kMaxYearsActive, ", got ",
                                                   artist.years_active()));
  }
  return internal::CheckFieldLimits(artist);
}

void NormalizeArtist(Artist* artist) {
  auto country = [](Location* location) {
    if (!location->country().empty()) {
      location->set_country(internal::NormalizeCode(location->country(), 2));
    }
  };
  if (artist->has_location()) country(artist->mutable_location());
  for (GuestSpot& spot : *artist->mutable_guest_spots()) {
    if (spot.has_location()) country(spot.mutable_location());
  }
  if (artist->has_pricing() && !artist->pricing().currency().empty()) {
    artist->mutable_pricing()->set_currency(
        internal::NormalizeCode(artist->pricing().currency(), 3));
  }
  if (!artist->instagram_handle().empty()) {
    artist->set_instagram_handle(
        std::string(internal::NormalizeHandle(artist->instagram_handle())));
  }
  auto* specialties = artist->mutable_specialties();
  int kept = 0;
  for (int i = 0; i < specialties->size(); ++i) {
    const absl::string_view trimmed = absl::StripAsciiWhitespace(specialties->Get(i));
    if (trimmed.empty()) continue;
    specialties->Mutable(kept++)->assign(trimmed.data(), trimmed.size());
  }
  while (specialties->size() > kept) specialties->RemoveLast();
}

}  // namespace inkdex
