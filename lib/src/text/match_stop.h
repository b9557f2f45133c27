// MatchStopSource: a way to end a Xapian match early. Xapian 1.4 has none
// (Enquire::set_time_limit only turns check_at_least off, and a match that
// wants every document, as inkdex's do, runs to its end regardless), so this
// posting source, ANDed (OP_FILTER) with a query, matches every document and
// polls a stop predicate every kPollEvery documents the matcher checks; once
// it says stop, it throws MatchStopped, which unwinds out of get_mset.
//
// Thread safety: one match at a time; the predicate is called on the
// matching thread. Ownership: the predicate must outlive the match.
#ifndef INKDEX_TEXT_MATCH_STOP_H_
#define INKDEX_TEXT_MATCH_STOP_H_

#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>

namespace inkdex::text {

// Thrown out of Enquire::get_mset when the match was stopped.
struct MatchStopped {};

class MatchStopSource : public Xapian::PostingSource {
 public:
  // A predicate call costs a clock read or two; a document the matcher checks
  // costs a few hundred nanoseconds: a poll every ~0.1-0.5 ms.
  static constexpr uint32_t kPollEvery = 1024;

  explicit MatchStopSource(const std::function<bool()>& stop) : stop_(stop) {}

  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return last_; }
  Xapian::doccount get_termfreq_max() const override { return last_; }
  void init(const Xapian::Database& db) override {
    last_ = db.get_lastdocid();
    did_ = 0;
  }
  void next(double) override { Move(did_ + 1); }
  void skip_to(Xapian::docid did, double) override { Move(std::max(did, did_)); }
  bool at_end() const override { return did_ > last_; }
  Xapian::docid get_docid() const override { return did_; }
  std::string get_description() const override { return "MatchStopSource"; }

 private:
  void Move(Xapian::docid to) {
    did_ = to;
    if (++calls_ % kPollEvery == 0 && stop_()) throw MatchStopped();
  }

  const std::function<bool()>& stop_;
  Xapian::docid last_ = 0;
  Xapian::docid did_ = 0;
  uint32_t calls_ = 0;
};

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_MATCH_STOP_H_
