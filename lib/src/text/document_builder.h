// The Xapian document of an artist: what the search index holds.
//
// Terms:
//   (no prefix)/Z    free text of the short fields: name, studio, specialties,
//                    style display names, locations, instagram handle; words
//                    and English stems (Z-prefixed), with positions for phrases
//   Z (biography)    stems only, English stopwords dropped, no positions
//                    (phrases are checked against value 1 instead)
//   S<style id>      one per canonical style (style aliases in a query map here)
//   XA<lower>\x1f<name>     full artist name, for suggest (termfreq = artists)
//   XT<lower>\x1f<studio>   studio name, for suggest
//   XC<lower>\x1f<City, CC> city of every location, for suggest
// Values:
//   0  the content hash of the artist's indexed fields (ContentHash):
//      Index::Apply skips re-writing a document whose hash is unchanged (a
//      rating or availability update changes no text), and Verify checks it
//      against the stored record's
//   1  the biography as PhraseText, for phrase queries
// Data: the artist id.
// Cost: ~40 terms for a typical artist; indexing is Xapian-bound.
//
// Thread safety: a DocumentBuilder is used by one thread (it owns a
// TermGenerator); the documents it returns hold no reference to it and may be
// passed to another thread.
#ifndef INKDEX_TEXT_DOCUMENT_BUILDER_H_
#define INKDEX_TEXT_DOCUMENT_BUILDER_H_

#include <string>
#include <string_view>

#include <xapian.h>

#include "inkdex/artist.pb.h"
#include "inkdex/taxonomy.h"

namespace inkdex::text {

inline constexpr Xapian::valueno kContentHashSlot = 0;
inline constexpr Xapian::valueno kPhraseTextSlot = 1;
inline constexpr char kSuggestSeparator = '\x1f';
inline constexpr std::string_view kArtistNamePrefix = "XA";
inline constexpr std::string_view kStudioNamePrefix = "XT";
inline constexpr std::string_view kCityPrefix = "XC";
inline constexpr char kStylePrefix[] = "S";

// The English stopwords dropped from biographies and from queries.
const Xapian::Stopper& EnglishStopper();

// Lowercase ASCII words separated and surrounded by single spaces (other
// bytes kept): " black rose " is a phrase of PhraseText(t) iff it occurs in it.
std::string PhraseText(std::string_view text);

// The fields of `a` that DocumentBuilder::Build reads, and nothing else:
// Build(TextProjection(a)) is the same document as Build(a) (tested), so
// two artists with equal projections have equal search documents.
Artist TextProjection(const Artist& a);
// A 64-bit FNV-1a hash of the deterministic serialization of
// TextProjection(a): stable across processes, never 0. Cost: ~1-2 us.
uint64_t ContentHash(const Artist& a);
// The hash as value kContentHashSlot holds it (8 bytes big-endian).
std::string EncodeContentHash(uint64_t hash);

// Lowercases ASCII and folds runs of spaces: the suggest key of a name.
std::string SuggestKey(std::string_view s);
// prefix + key + '\x1f' + original, each part cut to 118 bytes (on a UTF-8
// boundary) to stay within Xapian's 245-byte term limit.
std::string SuggestTerm(std::string_view prefix, std::string_view original);

class DocumentBuilder {
 public:
  explicit DocumentBuilder(const StyleTaxonomy& taxonomy);

  Xapian::Document Build(const Artist& artist) { return Build(artist, ContentHash(artist)); }
  // With the artist's ContentHash already known (StoredRecord::content_hash),
  // so it is not computed again. REQUIRES: content_hash == ContentHash(artist).
  Xapian::Document Build(const Artist& artist, uint64_t content_hash);

 private:
  const StyleTaxonomy& taxonomy_;
  Xapian::TermGenerator termgen_;
};

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_DOCUMENT_BUILDER_H_
