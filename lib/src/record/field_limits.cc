#include "record/field_limits.h"

#include <functional>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace inkdex::internal {
namespace {

// A text field of the record and its limit. Its name for messages
// ("specialties[3]", "guestSpots[1].locationCity") is built only when the
// field is over its limit: this runs on every parsed record.
struct TextField {
  const char* field;
  int index = -1;                // >= 0: an element of a repeated field
  const char* member = nullptr;  // set: a member of that element
  const std::string* value;
  size_t limit;

  std::string Name() const {
    if (index < 0) return field;
    if (member == nullptr) return absl::StrCat(field, "[", index, "]");
    return absl::StrCat(field, "[", index, "].", member);
  }
};

// Calls f on every text field of `a`. Absent submessages are skipped: their
// default instances hold only empty strings.
void ForEachTextField(const Artist& a, const std::function<void(const TextField&)>& f) {
  const auto short_text = [&](const char* name, const std::string& value) {
    f({name, -1, nullptr, &value, kMaxShortTextBytes});
  };
  short_text("artistName", a.name());
  short_text("instagramHandle", a.instagram_handle());
  if (a.has_studio()) {
    short_text("studioInfo.studioId", a.studio().id());
    short_text("studioInfo.studioName", a.studio().name());
    short_text("studioInfo.address", a.studio().address());
    short_text("studioInfo.postcode", a.studio().postcode());
  }
  if (a.has_location()) {
    short_text("locationDisplay", a.location().display());
    short_text("locationCity", a.location().city());
    short_text("locationCountry", a.location().country());
  }
  short_text("createdAt", a.created_at());
  short_text("updatedAt", a.updated_at());
  f({"biography", -1, nullptr, &a.biography(), kMaxBiographyBytes});
  for (int i = 0; i < a.specialties_size(); ++i) {
    f({"specialties", i, nullptr, &a.specialties(i), kMaxShortTextBytes});
  }
  for (int i = 0; i < a.unknown_styles_size(); ++i) {
    f({"unknownStyles", i, nullptr, &a.unknown_styles(i), kMaxShortTextBytes});
  }
  for (int i = 0; i < a.guest_spots_size(); ++i) {
    const Location& l = a.guest_spots(i).location();
    f({"guestSpots", i, "locationDisplay", &l.display(), kMaxShortTextBytes});
    f({"guestSpots", i, "locationCity", &l.city(), kMaxShortTextBytes});
    f({"guestSpots", i, "locationCountry", &l.country(), kMaxShortTextBytes});
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
    warnings->push_back(absl::StrCat(field.Name(), ": ", field.value->size(),
                                     " bytes; cut to the first ", field.limit));
    // A field over its limit is never a default instance's (those are
    // empty), so it lives in `*artist`, which is ours to change.
    auto* value = const_cast<std::string*>(field.value);
    value->resize(Utf8Prefix(*value, field.limit));
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
  absl::Status first;
  ForEachTextField(artist, [&](const TextField& field) {
    if (!first.ok() || field.value->size() <= field.limit) return;
    first = absl::InvalidArgumentError(
        absl::StrCat(field.Name(), ": is ", field.value->size(), " bytes; at most ", field.limit));
  });
  return first;
}

}  // namespace inkdex::internal
