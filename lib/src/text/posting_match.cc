#include "text/posting_match.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "text/match_stop.h"

namespace inkdex::text {
namespace {

using Matches = std::vector<engine::SlotWeight>;
using Slots = std::vector<uint32_t>;

// TfIdfWeight's "l": 1 + ln(wdf), 0 for wdf 0; from a table for the small
// wdfs nearly every posting has (Xapian computes the log per posting, ~10 %
// of a broad text query).
class WdfWeight {
 public:
  WdfWeight() {
    for (size_t wdf = 1; wdf < kTable; ++wdf) table_[wdf] = 1 + std::log(static_cast<double>(wdf));
  }
  double operator()(Xapian::termcount wdf) const {
    return wdf < kTable ? table_[wdf] : 1 + std::log(static_cast<double>(wdf));
  }

 private:
  static constexpr size_t kTable = 256;
  std::array<double, kTable> table_{};
};

const WdfWeight& Weight() {
  static const WdfWeight weight;
  return weight;
}

bool IsTerm(const Xapian::Query& q) { return q.get_type() == Xapian::Query::LEAF_TERM; }

std::string TermOf(const Xapian::Query& q) { return *q.get_terms_begin(); }

Slots SlotsOf(const Matches& matches) {
  Slots out;
  out.reserve(matches.size());
  for (const engine::SlotWeight& m : matches) out.push_back(m.slot);
  return out;
}

// The first index at or after `from` whose slot is >= `target` (w.size()
// if none), by galloping: O(log distance), for the short steps a leapfrog
// mostly takes.
size_t GallopTo(const Slots& w, size_t from, uint32_t target) {
  size_t step = 1, lo = from, hi = from;
  while (hi < w.size() && w[hi] < target) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  hi = std::min(hi, w.size());
  return static_cast<size_t>(std::lower_bound(w.begin() + static_cast<ptrdiff_t>(lo),
                                              w.begin() + static_cast<ptrdiff_t>(hi), target) -
                             w.begin());
}

// A term's frequency, from `freqs` or looked up once into it.
Xapian::doccount LookUpTermFreq(const Xapian::Database& db, const std::string& term,
                                TermFreqs& freqs) {
  auto [it, inserted] = freqs.try_emplace(term, 0);
  if (inserted) it->second = db.get_termfreq(term);
  return it->second;
}

// Xapian's estimates (its posting lists' get_termfreq_est): a term's
// frequency; an OR or synonym of a and b a + b - ab/n; an AND n times the
// product of its sides' shares; AND_MAYBE its left side; AND_NOT its left
// side times the share the right leaves; FILTER as AND.
double Estimate(const Xapian::Database& db, const Xapian::Query& q, double n, TermFreqs& freqs) {
  const size_t count = q.get_num_subqueries();
  switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM:
      return LookUpTermFreq(db, TermOf(q), freqs);
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_OR: {
      double est = 0;
      for (size_t i = 0; i < count; ++i) {
        const double sub = Estimate(db, q.get_subquery(i), n, freqs);
        est = est + sub - est * sub / n;
      }
      return est;
    }
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_PHRASE:
    case Xapian::Query::OP_NEAR:
    case Xapian::Query::OP_FILTER: {
      double est = n;
      for (size_t i = 0; i < count; ++i) est *= Estimate(db, q.get_subquery(i), n, freqs) / n;
      return est;
    }
    case Xapian::Query::OP_AND_MAYBE:
      return Estimate(db, q.get_subquery(0), n, freqs);
    case Xapian::Query::OP_AND_NOT: {
      double est = Estimate(db, q.get_subquery(0), n, freqs);
      for (size_t i = 1; i < count; ++i) est *= 1 - Estimate(db, q.get_subquery(i), n, freqs) / n;
      return est;
    }
    default:
      return 0;
  }
}

class Evaluator {
 public:
  Evaluator(const Xapian::Database& db, const std::function<bool()>& stop, TermFreqs* freqs)
      : db_(db), stop_(stop), freqs_(freqs != nullptr ? *freqs : own_freqs_) {}

  Matches Eval(const Xapian::Query& q, const Slots* within) {
    switch (q.get_type()) {
      case Xapian::Query::LEAF_TERM:
        return Synonym({TermOf(q)}, within);
      case Xapian::Query::OP_SYNONYM: {
        std::vector<std::string> terms;
        for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
          const Xapian::Query sub = q.get_subquery(i);
          if (IsTerm(sub)) terms.push_back(TermOf(sub));
        }
        return Synonym(terms, within);
      }
      case Xapian::Query::OP_OR:
        return Or(q, within);
      case Xapian::Query::OP_AND:
      case Xapian::Query::OP_PHRASE:
      case Xapian::Query::OP_NEAR:
        return And(q, within);
      case Xapian::Query::OP_AND_MAYBE:
      case Xapian::Query::OP_AND_NOT:
      case Xapian::Query::OP_FILTER:
        return LeftSided(q, within);
      default:  // LEAF_MATCH_NOTHING (the others are not supported)
        return {};
    }
  }

 private:
  // An AND's order and the synonym that reads a term both want its
  // frequency: looked up once (a B-tree descent and a block read, ~2 us),
  // unless the prefix walk read it.
  Xapian::doccount TermFreq(const std::string& term) { return LookUpTermFreq(db_, term, freqs_); }

  // Polls `stop` as often as Xapian's match does (MatchStopSource): every
  // ~20 us of postings read.
  void Tick() {
    if (++ticks_ % MatchStopSource::kPollEvery == 0 && stop_ && stop_()) throw MatchStopped();
  }

  // Calls emit(docid, wdf) for `term`'s postings, among `within` if set.
  template <typename Emit>
  void ReadTerm(const std::string& term, const Slots* within, Emit emit) {
    Xapian::PostingIterator it = db_.postlist_begin(term);
    const Xapian::PostingIterator end = db_.postlist_end(term);
    if (within == nullptr) {
      for (; it != end; ++it) {
        emit(*it, it.get_wdf());
        Tick();
      }
      return;
    }
    // Leapfrog: the list skips to the next slot, the slots to the list's
    // next document, so the cost follows the shorter side and the gaps
    // (a region's slots are runs of consecutive slots: skip_to passes the
    // chunks between them by a B-tree seek instead of reading them).
    const Slots& w = *within;
    for (size_t i = 0; i < w.size();) {
      it.skip_to(w[i]);
      Tick();
      if (it == end) return;
      const Xapian::docid d = *it;
      if (d == w[i]) {
        emit(d, it.get_wdf());
        ++i;
      } else {
        i = GallopTo(w, i, d);
      }
    }
  }

  // The documents holding any of `terms`, weighted on their summed wdf (a
  // single term is a synonym of one).
  Matches Synonym(const std::vector<std::string>& terms, const Slots* within) {
    Matches out;
    if (terms.empty()) return out;
    std::vector<Xapian::doccount> freqs;
    uint64_t postings = 0;
    for (const std::string& t : terms) {
      freqs.push_back(TermFreq(t));
      postings += freqs.back();
    }
    const WdfWeight& weight = Weight();
    if (terms.size() == 1) {
      out.reserve(within != nullptr ? std::min<size_t>(within->size(), freqs[0]) : freqs[0]);
      ReadTerm(terms[0], within, [&](Xapian::docid d, Xapian::termcount wdf) {
        out.push_back({d, weight(wdf)});
      });
      return out;
    }
    const Xapian::docid last = db_.get_lastdocid();
    const uint64_t reach =
        within != nullptr ? std::min<uint64_t>(postings, within->size() * terms.size()) : postings;
    if (reach > last / 16) return DenseSynonym(terms, freqs, within, last);
    std::vector<std::pair<uint32_t, Xapian::termcount>> found;
    found.reserve(reach);
    for (size_t i = 0; i < terms.size(); ++i) {
      ReadTerm(terms[i], within,
               [&](Xapian::docid d, Xapian::termcount wdf) { found.emplace_back(d, wdf); });
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < found.size();) {
      const uint32_t d = found[i].first;
      Xapian::termcount wdf = 0;
      for (; i < found.size() && found[i].first == d; ++i) wdf += found[i].second;
      out.push_back({d, weight(wdf)});
    }
    return out;
  }

  // A synonym reaching a large part of the database: wdfs summed in an array by
  // docid, then read back in docid order through a bitmap of the documents
  // seen. Both are the thread's, left all zero after each use (also when a
  // stop or an error unwinds).
  Matches DenseSynonym(const std::vector<std::string>& terms,
                       const std::vector<Xapian::doccount>& freqs, const Slots* within,
                       Xapian::docid last) {
    thread_local std::vector<Xapian::termcount> wdfs;
    thread_local std::vector<uint64_t> seen;
    if (wdfs.size() < size_t{last} + 1) wdfs.resize(size_t{last} + 1, 0);
    if (seen.size() < size_t{last} / 64 + 1) seen.resize(size_t{last} / 64 + 1, 0);
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    auto clear = [&] {
      if (lo > hi) return;
      std::fill(wdfs.begin() + lo, wdfs.begin() + hi + 1, 0);
      std::fill(seen.begin() + (lo >> 6), seen.begin() + (hi >> 6) + 1, 0);
    };
    try {
      for (size_t i = 0; i < terms.size(); ++i) {
        ReadTerm(terms[i], within, [&](Xapian::docid d, Xapian::termcount wdf) {
          if (d > last) return;  // not in this revision: cannot happen
          wdfs[d] += wdf;
          seen[d >> 6] |= uint64_t{1} << (d & 63);
          lo = std::min(lo, d);
          hi = std::max(hi, d);
        });
      }
    } catch (...) {
      clear();
      throw;
    }
    Matches out;
    if (lo > hi) return out;
    out.reserve(std::min<uint64_t>(within != nullptr ? within->size() : hi - lo + 1,
                                   *std::max_element(freqs.begin(), freqs.end()) * 2));
    const WdfWeight& weight = Weight();
    for (size_t w = lo >> 6; w <= (hi >> 6); ++w) {
      for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
        const auto d = static_cast<uint32_t>(w * 64 + std::countr_zero(bits));
        out.push_back({d, weight(wdfs[d])});
        wdfs[d] = 0;
      }
      seen[w] = 0;
    }
    return out;
  }

  Matches Or(const Xapian::Query& q, const Slots* within) {
    Matches acc;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
      Matches next = Eval(q.get_subquery(i), within);
      if (acc.empty()) {
        acc = std::move(next);
        continue;
      }
      Matches merged;
      merged.reserve(acc.size() + next.size());
      size_t a = 0, b = 0;
      while (a < acc.size() && b < next.size()) {
        if (acc[a].slot < next[b].slot) {
          merged.push_back(acc[a++]);
        } else if (next[b].slot < acc[a].slot) {
          merged.push_back(next[b++]);
        } else {
          merged.push_back({acc[a].slot, acc[a].weight + next[b].weight});
          ++a, ++b;
        }
      }
      merged.insert(merged.end(), acc.begin() + static_cast<ptrdiff_t>(a), acc.end());
      merged.insert(merged.end(), next.begin() + static_cast<ptrdiff_t>(b), next.end());
      acc = std::move(merged);
    }
    return acc;
  }

  // Every side must match: the rarest is read first, the others only at its
  // matches.
  Matches And(const Xapian::Query& q, const Slots* within) {
    const double n = std::max<double>(1, db_.get_doccount());  // no 0/0 on an empty database
    std::vector<std::pair<double, size_t>> order;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i) {
      order.emplace_back(Estimate(db_, q.get_subquery(i), n, freqs_), i);
    }
    std::sort(order.begin(), order.end());
    Matches acc;
    for (size_t k = 0; k < order.size(); ++k) {
      const Xapian::Query sub = q.get_subquery(order[k].second);
      if (k == 0) {
        acc = Eval(sub, within);
      } else {
        const Slots slots = SlotsOf(acc);
        CombineWith(Eval(sub, &slots), Combine::kAdd, &acc);
      }
      if (acc.empty()) break;
    }
    return acc;
  }

  // AND_MAYBE (the right sides add their weight where they match), AND_NOT
  // (they remove) and FILTER (they must match, and add nothing).
  Matches LeftSided(const Xapian::Query& q, const Slots* within) {
    const Combine how = q.get_type() == Xapian::Query::OP_AND_MAYBE ? Combine::kAddWhereMatched
                        : q.get_type() == Xapian::Query::OP_AND_NOT ? Combine::kRemove
                                                                    : Combine::kKeep;
    Matches acc = Eval(q.get_subquery(0), within);
    for (size_t i = 1; i < q.get_num_subqueries() && !acc.empty(); ++i) {
      const Slots slots = SlotsOf(acc);
      CombineWith(Eval(q.get_subquery(i), &slots), how, &acc);
    }
    return acc;
  }

  enum class Combine {
    kAdd,              // keep acc's matches that `other` has, weights added
    kAddWhereMatched,  // keep all of acc, adding `other`'s weights
    kRemove,           // drop acc's matches that `other` has
    kKeep,             // keep acc's matches that `other` has, weights as they are
  };

  // REQUIRES: `other` holds only slots of *acc (it was evaluated within them).
  static void CombineWith(const Matches& other, Combine how, Matches* acc) {
    size_t kept = 0, o = 0;
    for (size_t a = 0; a < acc->size(); ++a) {
      engine::SlotWeight m = (*acc)[a];
      while (o < other.size() && other[o].slot < m.slot) ++o;
      const bool in_other = o < other.size() && other[o].slot == m.slot;
      switch (how) {
        case Combine::kAdd:
          if (!in_other) continue;
          m.weight += other[o].weight;
          break;
        case Combine::kAddWhereMatched:
          if (in_other) m.weight += other[o].weight;
          break;
        case Combine::kRemove:
          if (in_other) continue;
          break;
        case Combine::kKeep:
          if (!in_other) continue;
          break;
      }
      (*acc)[kept++] = m;
    }
    acc->resize(kept);
  }

  const Xapian::Database& db_;
  const std::function<bool()>& stop_;
  uint32_t ticks_ = 0;
  TermFreqs own_freqs_;  // when the caller keeps none
  TermFreqs& freqs_;
};

bool Supported(const Xapian::Query& q, bool positions) {
  const size_t n = q.get_num_subqueries();
  switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM:
    case Xapian::Query::LEAF_MATCH_NOTHING:
      return true;
    case Xapian::Query::OP_SYNONYM: {
      // Of distinct terms: Xapian caps a synonym's summed wdf at the
      // document's length, which distinct terms never reach (each one's wdf
      // is part of it) and a term named twice can.
      std::vector<std::string> terms;
      for (size_t i = 0; i < n; ++i) {
        const Xapian::Query sub = q.get_subquery(i);
        if (IsTerm(sub)) {
          terms.push_back(TermOf(sub));
        } else if (sub.get_type() != Xapian::Query::LEAF_MATCH_NOTHING) {
          return false;
        }
      }
      std::sort(terms.begin(), terms.end());
      return std::adjacent_find(terms.begin(), terms.end()) == terms.end();
    }
    case Xapian::Query::OP_PHRASE:
    case Xapian::Query::OP_NEAR:
      if (positions) return false;
      [[fallthrough]];
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_FILTER:
      for (size_t i = 0; i < n; ++i) {
        if (!Supported(q.get_subquery(i), positions)) return false;
      }
      return n > 0;
    default:
      return false;
  }
}

}  // namespace

bool CanMatchByPostings(const Xapian::Database& db, const Xapian::Query& query) {
  return Supported(query, db.has_positions());
}

uint64_t EstimateByPostings(const Xapian::Database& db, const Xapian::Query& query,
                            TermFreqs* freqs) {
  const double n = db.get_doccount();
  if (n == 0) return 0;
  TermFreqs own;
  const double est = Estimate(db, query, n, freqs != nullptr ? *freqs : own);
  return static_cast<uint64_t>(std::llround(std::clamp(est, 0.0, n)));
}

absl::StatusOr<std::vector<engine::SlotWeight>> MatchByPostings(
    const Xapian::Database& db, const Xapian::Query& query,
    const std::vector<uint32_t>* restrict_to, const std::function<bool()>& stop, TermFreqs* freqs) {
  if (restrict_to != nullptr && restrict_to->empty()) return std::vector<engine::SlotWeight>();
  try {
    return Evaluator(db, stop, freqs).Eval(query, restrict_to);
  } catch (const MatchStopped&) {
    return absl::CancelledError("text match stopped");
  }
}

}  // namespace inkdex::text
