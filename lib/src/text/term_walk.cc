#include "text/term_walk.h"

#include <algorithm>
#include <utility>

namespace inkdex::text {
namespace {

// Above this many documents a term's postings span several chunks, which
// Xapian's ++ would read one by one; a seek past them costs ~2 block reads.
constexpr Xapian::doccount kSeekPastAbove = 500;

}  // namespace

void ForEachTermWithPrefix(const Xapian::Database& db, const std::string& prefix,
                           absl::FunctionRef<bool(const std::string&, Xapian::doccount)> fn) {
  const Xapian::TermIterator end = db.allterms_end(prefix);
  for (Xapian::TermIterator it = db.allterms_begin(prefix); it != end;) {
    const std::string term = *it;
    const Xapian::doccount termfreq = it.get_termfreq();
    if (!fn(term, termfreq)) return;
    if (termfreq > kSeekPastAbove) {
      // The first key after all of term's chunks: they sort as term + "\0\0"
      // + docid, below term + "\x01".
      it.skip_to(term + '\x01');
    } else {
      ++it;
    }
  }
}

std::vector<std::string> MostFrequentTermsWithPrefix(const Xapian::Database& db,
                                                     const std::string& prefix, size_t limit,
                                                     TermFreqs* freqs) {
  std::vector<std::pair<Xapian::doccount, std::string>> terms;
  ForEachTermWithPrefix(db, prefix, [&](const std::string& term, Xapian::doccount termfreq) {
    terms.emplace_back(termfreq, term);
    return true;
  });
  if (terms.size() > limit) {
    // Xapian (OrContext::select_most_frequent) runs this nth_element, by
    // descending term frequency only, over the terms in byte order: the same
    // call picks the same terms among equally frequent ones.
    std::nth_element(terms.begin(), terms.begin() + static_cast<ptrdiff_t>(limit) - 1, terms.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    terms.resize(limit);
  }
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (auto& [termfreq, term] : terms) {
    if (freqs != nullptr) freqs->insert_or_assign(term, termfreq);
    out.push_back(std::move(term));
  }
  return out;
}

Xapian::Query PrefixSynonymQuery(const Xapian::Database& db, const std::string& prefix,
                                 size_t limit, TermFreqs* freqs) {
  const std::vector<std::string> terms = MostFrequentTermsWithPrefix(db, prefix, limit, freqs);
  std::vector<Xapian::Query> leaves;
  leaves.reserve(terms.size());
  for (const std::string& term : terms) leaves.emplace_back(term);
  return Xapian::Query(Xapian::Query::OP_SYNONYM, leaves.begin(), leaves.end());
}

}  // namespace inkdex::text
