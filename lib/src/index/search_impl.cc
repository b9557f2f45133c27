// The read side of IndexImpl: Search, Suggest and the Xapian reader pool.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/date.h"
#include "engine/query_plan.h"
#include "engine/searcher.h"
#include "index/index_impl.h"
#include "text/suggester.h"
#include "text/text_matcher.h"
#include "text/utf8.h"

namespace inkdex::index {
namespace {

// A text search retries when the writer overtakes its Xapian reader
// (DatabaseModifiedError) or commits again while the reader waits for a
// commit's publication; each retry is microseconds, so this bound is only
// reached by a writer that commits continuously, faster than a reader can
// reopen.
constexpr int kMaxAttempts = 2100;

// Whether a DatabaseCorruptError met by a reader at commit `read_seq` may be
// the writer overtaking it rather than a damaged index: a reader that opens
// or reads while the writer commits twice can read a block the second
// commit has already reused, which Xapian 1.4 reports as corruption
// ("Expected block 0 to be level 1, not 0") rather than as a modification.
// The writer publishes each commit before it starts the next, so a block of
// the reader's revision can only have been reused once a later commit was
// published. Real damage stays while the index stands still, and is
// reported.
bool MaybeOvertaken(const std::shared_ptr<const engine::Snapshot>& now, uint64_t read_seq) {
  return now->seq > read_seq;
}

// How long a reader that finds Xapian a commit ahead of the published
// snapshot waits for the writer to publish it. The writer has nothing left
// to do but return from Xapian's commit and publish, so only a writer
// descheduled for that long on a saturated machine is waited for in full.
constexpr absl::Duration kPublishWait = absl::Seconds(2);
// How often such a wait polls the search's `interrupted`.
constexpr absl::Duration kInterruptPoll = absl::Milliseconds(10);

// Whether `text` has something to search for: a character the indexer
// takes for part of a word: an ASCII letter or digit, or beyond ASCII what
// Xapian::Unicode::is_wordchar accepts (a letter, mark or digit of any
// script). Text of spaces, quotes and punctuation alone
// ("--", "—", "¿?", "«»") is no text at all, so it matches like an empty
// query instead of matching nothing. An invalid UTF-8 byte reads as a
// Latin-1 character, as the indexer reads it.
bool HasWords(absl::string_view text) {
  for (Xapian::Utf8Iterator it(text.data(), text.size()); it != Xapian::Utf8Iterator(); ++it) {
    const unsigned ch = *it;
    if (ch < 0x80 ? absl::ascii_isalnum(static_cast<unsigned char>(ch))
                  : Xapian::Unicode::is_wordchar(ch)) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status IndexImpl::AwaitPublication(uint64_t seq, const ReadLimits& limits,
                                         std::shared_ptr<const engine::Snapshot>* snap) const {
  const absl::Time give_up = std::min(absl::Now() + kPublishWait, limits.deadline);
  const bool pollable = limits.interrupted != nullptr && *limits.interrupted;
  bool failed = false;
  for (;;) {
    const absl::Time until = pollable ? std::min(give_up, absl::Now() + kInterruptPoll) : give_up;
    *snap = AwaitPublished(seq, until, &failed);
    if (failed) {
      return absl::UnavailableError(
          absl::StrCat("search index: commit ", seq, " failed after Xapian wrote it; retry"));
    }
    if ((*snap)->seq >= seq) return absl::OkStatus();
    if (pollable && (*limits.interrupted)()) {
      return absl::CancelledError("search interrupted by the caller");
    }
    if (absl::Now() >= give_up) break;
  }
  if (absl::Now() >= limits.deadline) {
    return absl::DeadlineExceededError("search stopped at its deadline");
  }
  return absl::UnavailableError(absl::StrCat("search index: commit ", seq, " not published after ",
                                             absl::FormatDuration(kPublishWait), "; retry"));
}

absl::Status IndexImpl::AcquireConsistent(std::shared_ptr<const engine::Snapshot>* snap,
                                          SearchReader* reader, const ReadLimits& limits) const {
  {
    absl::MutexLock lock(&readers_mu_);
    if (!readers_.empty()) {
      *reader = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  std::unique_ptr<Xapian::Database>& db = reader->db;
  try {
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      *snap = snapshot();
      if (db != nullptr && reader->seq == (*snap)->seq) return absl::OkStatus();
      reader->seq.reset();
      std::string seq_text;
      try {
        if (db == nullptr) db = std::make_unique<Xapian::Database>(dir_ + "/text");
        db->reopen();
        seq_text = db->get_metadata(kSearchIndexSeqKey);
      } catch (const Xapian::DatabaseModifiedError&) {
        db.reset();  // the writer committed twice between open/reopen and read
        continue;
      } catch (const Xapian::DatabaseCorruptError&) {
        db.reset();
        if (MaybeOvertaken(snapshot(), (*snap)->seq)) continue;
        throw;
      }
      uint64_t seq = 0;
      if (!seq_text.empty() && !absl::SimpleAtoi(seq_text, &seq)) {
        return absl::DataLossError(
            absl::StrCat("search index: its commit seq '", seq_text, "' is not a number"));
      }
      if (seq > (*snap)->seq) {
        // The writer is between Xapian's commit and publishing its snapshot.
        if (absl::Status s = AwaitPublication(seq, limits, snap); !s.ok()) return s;
      }
      if (seq == (*snap)->seq) {
        reader->seq = seq;
        return absl::OkStatus();
      }
      // The writer published and committed again meanwhile: reopen.
    }
  } catch (const Xapian::Error& e) {
    db.reset();
    return absl::UnavailableError(absl::StrCat("search index: ", e.get_description()));
  }
  return absl::UnavailableError("search index: could not read a consistent commit; retry");
}

void IndexImpl::ReleaseReader(SearchReader reader) const {
  if (reader.db == nullptr) return;
  absl::MutexLock lock(&readers_mu_);
  if (readers_.size() < 64) readers_.push_back(std::move(reader));
}

template <typename T, typename Fn>
absl::StatusOr<T> IndexImpl::WithConsistentReader(Fn&& fn, const ReadLimits& limits) const {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::shared_ptr<const engine::Snapshot> snap;
    SearchReader reader;
    if (absl::Status s = AcquireConsistent(&snap, &reader, limits); !s.ok()) return s;
    try {
      absl::StatusOr<T> result = fn(*snap, *reader.db);
      ReleaseReader(std::move(reader));
      return result;
    } catch (const Xapian::DatabaseModifiedError&) {
      continue;  // the writer moved on twice during the read: take the new commit
    } catch (const Xapian::DatabaseCorruptError& e) {
      if (MaybeOvertaken(snapshot(), snap->seq)) continue;  // as above; the reader is dropped
      return absl::InternalError(absl::StrCat("search index: ", e.get_description()));
    } catch (const Xapian::Error& e) {
      return absl::InternalError(absl::StrCat("search index: ", e.get_description()));
    }
  }
  return absl::UnavailableError("search index: changing too fast to read; retry");
}

absl::StatusOr<SearchResponse> IndexImpl::Search(const SearchRequest& request) const {
  if (!request.text.empty() && !HasWords(request.text) &&
      request.text.size() <= SearchRequest::kMaxTextBytes) {
    SearchRequest without_text = request;
    without_text.text.clear();
    return Search(without_text);
  }
  absl::StatusOr<engine::QueryPlan> plan = engine::PlanQuery(request, taxonomy_);
  if (!plan.ok()) return plan.status();
  const std::string text(absl::StripAsciiWhitespace(request.text));
  if (text.empty()) {
    return engine::RunSearch(*snapshot(), *plan, taxonomy_, nullptr);
  }
  if (search_index_deferred_.load()) return DeferredSearchIndexError("text");
  return WithConsistentReader<SearchResponse>(
      [&](const engine::Snapshot& snap, Xapian::Database& db) {
        text::TextQuery query(db, text, taxonomy_);
        engine::TextSearch match;
        match.match = [&](const std::vector<uint32_t>* restrict_to, const auto& stop) {
          return query.Match(restrict_to, stop);
        };
        match.estimate = [&] { return query.Estimate(); };
        return engine::RunSearch(snap, *plan, taxonomy_, &match);
      },
      ReadLimits{request.deadline, &request.interrupted});
}

absl::StatusOr<std::vector<Suggestion>> IndexImpl::Suggest(const SuggestRequest& request) const {
  if (request.prefix.empty() || request.prefix.size() > 100) {
    return absl::InvalidArgumentError("prefix: must be 1..100 bytes");
  }
  if (!text::IsValidUtf8(request.prefix)) {
    return absl::InvalidArgumentError("prefix: is not valid UTF-8");
  }
  if (!HasWords(request.prefix)) {
    return absl::InvalidArgumentError("prefix: must contain a letter or digit");
  }
  if (request.limit < 1 || request.limit > SuggestRequest::kMaxLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be in 1..", SuggestRequest::kMaxLimit, ", got ", request.limit));
  }
  if (request.near) {
    if (absl::Status s = engine::CheckGeoPoint("near", *request.near); !s.ok()) return s;
  }
  int32_t day = 0;
  if (request.date.empty()) {
    day = engine::TodayUtc();
  } else if (std::optional<int32_t> d = engine::ParseIsoDay(request.date)) {
    day = *d;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("date: must be a date YYYY-MM-DD, got '", request.date, "'"));
  }
  // Suggest reads only the snapshot: no Xapian reader is taken.
  return text::Suggest(*snapshot(), taxonomy_, request, day);
}

}  // namespace inkdex::index
