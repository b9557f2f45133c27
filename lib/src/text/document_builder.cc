#include "text/document_builder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"

namespace inkdex::text {

std::string SuggestKey(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string SuggestTerm(std::string_view prefix, std::string_view original) {
  constexpr size_t kMaxTerm = 240;  // Xapian's limit is 245 bytes
  std::string term = absl::StrCat(absl::string_view(prefix.data(), prefix.size()),
                                  SuggestKey(original), std::string(1, kSuggestSeparator),
                                  absl::string_view(original.data(), original.size()));
  if (term.size() > kMaxTerm) {
    term.resize(kMaxTerm);
    while (!term.empty() && (static_cast<unsigned char>(term.back()) & 0xC0) == 0x80)
      term.pop_back();
    if (!term.empty() && static_cast<unsigned char>(term.back()) >= 0xC0) term.pop_back();
  }
  return term;
}

std::string EncodeVersion(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xff);
  return s;
}

DocumentBuilder::DocumentBuilder(const StyleTaxonomy& taxonomy,
                                 Xapian::WritableDatabase* spelling_db)
    : taxonomy_(taxonomy), spelling_(spelling_db != nullptr) {
  termgen_.set_stemmer(Xapian::Stem("english"));
  termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  if (spelling_db != nullptr) termgen_.set_database(*spelling_db);
}

Xapian::Document DocumentBuilder::Build(const Artist& a) {
  Xapian::Document doc;
  termgen_.set_document(doc);
  auto field = [&](std::string_view text, Xapian::termcount weight, bool spell) {
    if (text.empty()) return;
    termgen_.set_flags(spell && spelling_ ? Xapian::TermGenerator::FLAG_SPELLING
                                          : Xapian::TermGenerator::flags(0));
    termgen_.index_text(std::string(text), weight);
    termgen_.increase_termpos(100);  // no phrase matches across fields
  };
  field(a.name(), 3, true);
  field(a.studio().name(), 2, true);
  for (const std::string& s : a.specialties()) field(s, 2, true);
  for (const std::string& id : a.styles()) {
    std::optional<int> idx = taxonomy_.Find(id);
    if (!idx) continue;
    const StyleInfo& info = taxonomy_.style(*idx);
    field(info.display_name, 2, true);
    for (const std::string& alias : info.aliases) field(alias, 1, false);
    doc.add_boolean_term(absl::StrCat("S", info.id));
  }
  field(a.location().display(), 1, true);
  field(a.location().city(), 1, true);
  for (const GuestSpot& g : a.guest_spots()) {
    field(g.location().display(), 1, false);
    field(g.location().city(), 1, false);
  }
  field(a.instagram_handle(), 1, false);
  field(a.biography(), 1, false);

  doc.add_boolean_term(absl::StrCat("Q", a.id()));
  if (!a.name().empty()) doc.add_boolean_term(SuggestTerm(kArtistNamePrefix, a.name()));
  if (!a.studio().name().empty())
    doc.add_boolean_term(SuggestTerm(kStudioNamePrefix, a.studio().name()));
  const std::string city = engine::CityKey(a.location());
  if (!city.empty()) doc.add_boolean_term(SuggestTerm(kCityPrefix, city));
  doc.add_value(kVersionSlot, EncodeVersion(a.version()));
  doc.set_data(a.id());
  return doc;
}

}  // namespace inkdex::text
