// The deep part of Index::Verify (VerifyOptions::check_postings): the
// search index's posting lists, document lengths and phrase texts must be
// exactly those of the documents text::DocumentBuilder makes from the
// stored records. The shallow check compares content hashes, which a
// document carries in a value: it cannot see a posting list that lost or
// gained an entry, the table a search actually reads.
//
// How: each expected document is folded into an order-free sum of hashes
// of its (term, wdf) pairs and its phrase text, kept per slot (24 bytes a
// slot). Then every posting list is read once, term by term in the index's
// own order, into a second sum per slot, and the document lengths and
// phrase texts are read as streams. A slot whose sums or length differ is
// mismatched; Describe then names what differs, from the document's term
// list (a separate Xapian table) against the rebuilt document.
//
// Cost: building every searchable artist's document (~15 us each) and
// reading every posting (~40 an artist): ~25 s per 1,000,000
// artists, on top of the shallow check. Memory: 24 bytes per slot.
// Thread safety: one thread; the database must not change meanwhile (the
// caller holds one revision).
#ifndef INKDEX_INDEX_VERIFY_POSTINGS_H_
#define INKDEX_INDEX_VERIFY_POSTINGS_H_

#include <xapian.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inkdex::index {

class PostingsCheck {
 public:
  // Records `doc` as what slot `slot` must hold. At most once per slot.
  void Expect(Xapian::docid slot, const Xapian::Document& doc);

  struct Result {
    std::vector<Xapian::docid> mismatched;  // expected slots that differ, ascending
    // Postings of documents the database does not hold (a document it
    // holds that no Expect named is Verify's to report, once).
    // `stray_example` names the first.
    uint64_t stray_postings = 0;
    std::string stray_example;
    uint64_t postings_read = 0;
  };

  // Reads every posting list, document length and phrase text of `db`.
  // `cancelled` is polled every ~1,000 terms and its error returned.
  // Xapian errors propagate as exceptions (the caller catches them).
  absl::StatusOr<Result> Scan(const Xapian::Database& db,
                              const std::function<absl::Status()>& cancelled);

  // What differs between slot `slot` of `db` and `want`, in words: terms
  // missing or extra or with another wdf in its term list, its document
  // length, its phrase text; or, when all of those agree, that its posting
  // lists do not (the posting table is damaged).
  static std::string Describe(const Xapian::Database& db, Xapian::docid slot,
                              const Xapian::Document& want);

 private:
  struct Sums {
    uint64_t want = 0;
    uint64_t seen = 0;
    uint32_t want_length = 0;
    bool expected = false;
  };
  std::vector<Sums> slots_;  // by docid
};

}  // namespace inkdex::index

#endif  // INKDEX_INDEX_VERIFY_POSTINGS_H_
