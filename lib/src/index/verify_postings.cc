#include "index/verify_postings.h"

#include <tuple>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "text/document_builder.h"

namespace inkdex::index {

namespace {

constexpr uint64_t kTermsPerCancelPoll = 1024;

// Order-free: a document's sum is the same whatever order its terms are
// added in, as the scan adds them term by term across documents.
uint64_t TermHash(absl::string_view term, Xapian::termcount wdf) {
  return absl::Hash<std::tuple<absl::string_view, Xapian::termcount>>()(std::make_tuple(term, wdf));
}

uint64_t PhraseHash(absl::string_view phrase_text) {
  return absl::Hash<std::tuple<int, absl::string_view>>()(std::make_tuple(1, phrase_text));
}

// Shows a term as it is stored; bytes outside printable ASCII escaped.
std::string Quoted(absl::string_view term) {
  std::string out = "'";
  for (unsigned char c : term) {
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "\\x", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out + "'";
}

}  // namespace

void PostingsCheck::Expect(Xapian::docid slot, const Xapian::Document& doc) {
  if (slot >= slots_.size()) slots_.resize(slot + slot / 4 + 1024);
  Sums& sums = slots_[slot];
  sums.expected = true;
  for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
    const Xapian::termcount wdf = t.get_wdf();
    sums.want += TermHash(*t, wdf);
    sums.want_length += wdf;
  }
  const std::string phrase_text = doc.get_value(text::kPhraseTextSlot);
  if (!phrase_text.empty()) sums.want += PhraseHash(phrase_text);
}

absl::StatusOr<PostingsCheck::Result> PostingsCheck::Scan(
    const Xapian::Database& db, const std::function<absl::Status()>& cancelled) {
  Result result;
  // The documents the database holds, and whether each expected one has the
  // length its terms give it.
  std::vector<bool> present, length_wrong(slots_.size(), false);
  for (Xapian::PostingIterator d = db.postlist_begin(""); d != db.postlist_end(""); ++d) {
    const Xapian::docid slot = *d;
    if (slot >= present.size()) present.resize(slot + slot / 4 + 1024, false);
    present[slot] = true;
    if (slot < slots_.size() && slots_[slot].expected) {
      length_wrong[slot] = d.get_doclength() != slots_[slot].want_length;
    }
  }
  uint64_t terms = 0;
  auto stray = [&](absl::string_view term, Xapian::docid slot) {
    if (slot < present.size() && present[slot]) return;  // an unexpected document: said by Verify
    if (result.stray_postings++ == 0) {
      result.stray_example = absl::StrCat("term ", Quoted(term), " lists document ", slot);
    }
  };
  for (Xapian::TermIterator t = db.allterms_begin(); t != db.allterms_end(); ++t) {
    if (++terms % kTermsPerCancelPoll == 0) {
      if (absl::Status s = cancelled(); !s.ok()) return s;
    }
    const std::string term = *t;
    for (Xapian::PostingIterator p = db.postlist_begin(term); p != db.postlist_end(term); ++p) {
      ++result.postings_read;
      const Xapian::docid slot = *p;
      if (slot >= slots_.size() || !slots_[slot].expected) {
        stray(term, slot);
        continue;
      }
      slots_[slot].seen += TermHash(term, p.get_wdf());
    }
  }
  for (Xapian::ValueIterator v = db.valuestream_begin(text::kPhraseTextSlot);
       v != db.valuestream_end(text::kPhraseTextSlot); ++v) {
    const Xapian::docid slot = v.get_docid();
    if (slot < slots_.size() && slots_[slot].expected) slots_[slot].seen += PhraseHash(*v);
  }
  for (Xapian::docid slot = 0; slot < slots_.size(); ++slot) {
    const Sums& sums = slots_[slot];
    if (sums.expected && (sums.want != sums.seen || length_wrong[slot])) {
      result.mismatched.push_back(slot);
    }
  }
  return result;
}

std::string PostingsCheck::Describe(const Xapian::Database& db, Xapian::docid slot,
                                    const Xapian::Document& want) {
  constexpr size_t kShown = 3;
  std::vector<std::string> differences;
  size_t more = 0;
  auto note = [&](std::string difference) {
    if (differences.size() < kShown) {
      differences.push_back(std::move(difference));
    } else {
      ++more;
    }
  };
  Xapian::TermIterator have = db.termlist_begin(slot);
  const Xapian::TermIterator have_end = db.termlist_end(slot);
  Xapian::TermIterator need = want.termlist_begin();
  const Xapian::TermIterator need_end = want.termlist_end();
  while (have != have_end || need != need_end) {
    if (need == need_end || (have != have_end && *have < *need)) {
      note(absl::StrCat("term ", Quoted(*have), " is not the stored record's"));
      ++have;
    } else if (have == have_end || *need < *have) {
      note(absl::StrCat("term ", Quoted(*need), " is missing"));
      ++need;
    } else {
      if (have.get_wdf() != need.get_wdf()) {
        note(absl::StrCat("term ", Quoted(*need), " counts ", have.get_wdf(), ", the record ",
                          need.get_wdf()));
      }
      ++have;
      ++need;
    }
  }
  // A length that follows from a term's difference is not another one.
  const bool terms_differ = !differences.empty();
  if (db.get_document(slot).get_value(text::kPhraseTextSlot) !=
      want.get_value(text::kPhraseTextSlot)) {
    note("its phrase text differs");
  }
  Xapian::termcount want_length = 0;
  for (Xapian::TermIterator t = want.termlist_begin(); t != want.termlist_end(); ++t) {
    want_length += t.get_wdf();
  }
  if (const Xapian::termcount length = db.get_doclength(slot);
      !terms_differ && length != want_length) {
    note(absl::StrCat("its document length is ", length, ", the record's ", want_length));
  }
  if (differences.empty()) {
    return "its term list agrees with the stored record but its posting lists or document "
           "length do not (the posting table is damaged: `inkdex repair` rebuilds it)";
  }
  std::string out = absl::StrJoin(differences, ", ");
  if (more > 0) absl::StrAppend(&out, " and ", more, " more");
  return out;
}

}  // namespace inkdex::index
