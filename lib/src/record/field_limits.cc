#include "record/field_limits.h"

#include <functional>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace inkdex::internal {
namespace {

// A text field of the record: its name in messages, where it is, its limit.
struct TextField {
  std::string name;
  std::string* value;
  size_t limit;
};

// Calls f on every text field of `a` with its limit. Submessages that are
// absent are skipped, never created (mutable_studio() would add an empty
// studio to the record).
void ForEachTextField(Artist& a, const std::function<void(const TextField&)>& f) {
  const auto short_text = [&](std::string name, std::string* value) {
    f({std::move(name), value, kMaxShortTextBytes});
  };
  short_text("artistName", a.mutable_name());
  short_text("instagramHandle", a.mutable_instagram_handle());
  if (a.has_studio()) {
    Studio* studio = a.mutable_studio();
    short_text("studioInfo.studioId", studio->mutable_id());
    short_text("studioInfo.studioName", studio->mutable_name());
    short_text("studioInfo.address", studio->mutable_address());
    short_text("studioInfo.postcode", studio->mutable_postcode());
  }
  if (a.has_location()) {
    short_text("locationDisplay", a.mutable_location()->mutable_display());
    short_text("locationCity", a.mutable_location()->mutable_city());
  }
  short_text("createdAt", a.mutable_created_at());
  short_text("updatedAt", a.mutable_updated_at());
  f({"biography", a.mutable_biography(), kMaxBiographyBytes});
  for (int i = 0; i < a.specialties_size(); ++i) {
    short_text(absl::StrCat("specialties[", i, "]"), a.mutable_specialties(i));
  }
  for (int i = 0; i < a.unknown_styles_size(); ++i) {
    short_text(absl::StrCat("unknownStyles[", i, "]"), a.mutable_unknown_styles(i));
  }
  for (int i = 0; i < a.guest_spots_size(); ++i) {
    if (!a.guest_spots(i).has_location()) continue;
    Location* l = a.mutable_guest_spots(i)->mutable_location();
    short_text(absl::StrCat("guestSpots[", i, "].locationDisplay"), l->mutable_display());
    short_text(absl::StrCat("guestSpots[", i, "].locationCity"), l->mutable_city());
  }
}

// The longest prefix of `s` of at most `limit` bytes that ends on a UTF-8
// character boundary.
size_t Utf8Prefix(std::string_view s, size_t limit) {
  if (s.size() <= limit) return s.size();
  size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// A repeated field and its limit.
template <typename Repeated>
void FitList(const char* name, int limit, Repeated* list, std::vector<std::string>* warnings) {
  if (list->size() <= limit) return;
  warnings->push_back(absl::StrCat(name, ": ", list->size(), " entries; kept the first ", limit));
  list->DeleteSubrange(limit, list->size() - limit);
}

template <typename Repeated>
absl::Status CheckList(const char* name, int limit, const Repeated& list) {
  if (list.size() <= limit) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": has ", list.size(), " entries; at most ", limit));
}

}  // namespace

void FitFieldLimits(Artist* artist, std::vector<std::string>* warnings) {
  FitList("specialties", kMaxListEntries, artist->mutable_specialties(), warnings);
  FitList("unknownStyles", kMaxListEntries, artist->mutable_unknown_styles(), warnings);
  FitList("guestSpots", kMaxGuestSpots, artist->mutable_guest_spots(), warnings);
  ForEachTextField(*artist, [&](const TextField& field) {
    if (field.value->size() <= field.limit) return;
    warnings->push_back(absl::StrCat(field.name, ": ", field.value->size(),
                                     " bytes; cut to the first ", field.limit));
    field.value->resize(Utf8Prefix(*field.value, field.limit));
  });
}

absl::Status CheckFieldLimits(const Artist& artist) {
  if (absl::Status s = CheckList("specialties", kMaxListEntries, artist.specialties()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckList("unknownStyles", kMaxListEntries, artist.unknown_styles());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckList("guestSpots", kMaxGuestSpots, artist.guest_spots()); !s.ok()) {
    return s;
  }
  // ForEachTextField takes a mutable artist to serve FitFieldLimits; this
  // copy is only read. Cost: one copy of a record that is about to be
  // stored (writes are not a hot path).
  Artist copy = artist;
  absl::Status first;
  ForEachTextField(copy, [&](const TextField& field) {
    if (!first.ok() || field.value->size() <= field.limit) return;
    first = absl::InvalidArgumentError(
        absl::StrCat(field.name, ": is ", field.value->size(), " bytes; at most ", field.limit));
  });
  return first;
}

}  // namespace inkdex::internal
