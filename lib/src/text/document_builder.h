// The Xapian document of an artist: what the search index holds.
//
// Terms (none with positions: phrases are checked against value 1), of the
// accent-folded text (text/fold.h: "Lefèvre" is indexed as "lefevre"):
//   (no prefix)/Z    free text of the short fields: name, studio, specialties,
//                    style display names, locations, instagram handle; words
//                    and English stems (Z-prefixed)
//   Z (biography)    stems only, English stopwords dropped
//   S<style id>      one per canonical style (style aliases in a query map here)
// (Suggest's names are in memory, engine/suggest_index.h, not terms here.)
// Values:
//   0  the content hash of the artist's indexed fields (ContentHash):
//      Index::Apply skips re-writing a document whose hash is unchanged (a
//      rating or availability update changes no text), and Verify checks it
//      against the stored record's
//   1  every text field above as PhraseText, fields separated by '|' (which
//      PhraseText never outputs, so no phrase spans two fields): phrase
//      queries ("fine line", neo-traditional) are matched against it
// Data: the artist id.
// Cost: ~40 terms for a typical artist; indexing is Xapian-bound. Positions
// would let Xapian match phrases itself, but they cost a position-table
// entry per term and document: ~15 % of a build and ~20 % of a stream of
// renames (bench/ANALYSIS.md "Documents without positions"), for queries
// that are rare here and cheap to check against value 1.
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

// The layout of the documents Build makes. The search index records it
// (metadata kDocumentFormatKey) and is rebuilt from the stored records when
// opened with documents of another layout.
//   1 (no key)  short fields with positions; value 1 the biography only
//   2           no positions; value 1 every text field
//   3           no suggest terms (XA/XT/XC: names, studios and cities for
//               completion, now engine::SuggestIndex)
//   4           terms and phrase text of accent-folded text (text/fold.h)
inline constexpr std::string_view kDocumentFormat = "4";
inline constexpr char kDocumentFormatKey[] = "inkdex_document_format";

inline constexpr Xapian::valueno kContentHashSlot = 0;
inline constexpr Xapian::valueno kPhraseTextSlot = 1;
inline constexpr char kPhraseFieldSeparator = '|';
inline constexpr char kStylePrefix[] = "S";

// The English stopwords dropped from biographies and from queries.
const Xapian::Stopper& EnglishStopper();

// The words of `text`, accent-folded (FoldAccents) and lowercased (Unicode),
// separated and surrounded by single spaces; anything that is not a letter
// or digit separates words: " black rose " is a phrase of PhraseText(t) iff
// it occurs in it. An invalid UTF-8 byte is read as a Latin-1 character, as
// Xapian reads it.
std::string PhraseText(std::string_view text);
// Appends PhraseText(text) to *phrase_text, after kPhraseFieldSeparator
// unless *phrase_text is empty; an empty `text` adds nothing.
void AppendPhraseField(std::string_view text, std::string* phrase_text);

// The fields of `a` that DocumentBuilder::Build reads, and nothing else:
// Build(TextProjection(a)) is the same document as Build(a) (tested), so
// two artists with equal projections have equal search documents.
Artist TextProjection(const Artist& a);
// A 64-bit FNV-1a hash of the deterministic serialization of
// TextProjection(a): stable across processes, never 0. Cost: ~1-2 us.
uint64_t ContentHash(const Artist& a);
// The hash as value kContentHashSlot holds it (8 bytes big-endian).
std::string EncodeContentHash(uint64_t hash);

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
