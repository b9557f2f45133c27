// The Xapian document of an artist: what the search index holds.
//
// Terms:
//   Q<id>            unique id term (Xapian's convention), for lookups and verify
//   (no prefix)      free text: name, studio, specialties, styles (display names
//                    and aliases), location, instagram handle, biography;
//                    English stems (Z-prefixed) and positions for phrases
//   S<style id>      one per canonical style
//   XA<lower>\x1f<name>     full artist name, for suggest (termfreq = artists)
//   XT<lower>\x1f<studio>   studio name, for suggest
//   XC<lower>\x1f<City, CC> city of every location, for suggest
// Values:
//   0  the document version (EncodeVersion), checked by Verify
// Data: the artist id.
// Spelling data (for "did you mean") is added for names, studios,
// specialties, styles and cities, not biographies.
//
// Thread safety: a DocumentBuilder is used by one thread (it owns a
// TermGenerator).
#ifndef INKDEX_TEXT_DOCUMENT_BUILDER_H_
#define INKDEX_TEXT_DOCUMENT_BUILDER_H_

#include <string>
#include <string_view>

#include <xapian.h>

#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::text {

inline constexpr Xapian::valueno kVersionSlot = 0;
inline constexpr char kSuggestSeparator = '\x1f';
inline constexpr std::string_view kArtistNamePrefix = "XA";
inline constexpr std::string_view kStudioNamePrefix = "XT";
inline constexpr std::string_view kCityPrefix = "XC";

// 8 bytes big-endian: sorts like the number.
std::string EncodeVersion(uint64_t version);

// Lowercases ASCII and folds runs of spaces: the suggest key of a name.
std::string SuggestKey(std::string_view s);
// "XA" + key + '\x1f' + original, cut to Xapian's term length limit.
std::string SuggestTerm(std::string_view prefix, std::string_view original);

class DocumentBuilder {
 public:
  // `spelling_db` receives spelling data (may be null: no spelling).
  DocumentBuilder(const StyleTaxonomy& taxonomy, Xapian::WritableDatabase* spelling_db);

  Xapian::Document Build(const Artist& artist);

 private:
  const StyleTaxonomy& taxonomy_;
  Xapian::TermGenerator termgen_;
  bool spelling_;
};

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_DOCUMENT_BUILDER_H_
