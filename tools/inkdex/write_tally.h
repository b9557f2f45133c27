// WriteTally: the report of `inkdex upsert` and `inkdex delete`. Counts the
// per-item outcomes the server returns (applied, stale, rejected) plus the
// items refused or skipped before sending, prints one line per item that
// needs attention and a closing summary.
//
// Item lines, on the output stream, in input order:
//   FILE:LINE: ID: rejected: REASON     (the server refused it)
//   FILE:LINE: ID: stale: REASON        (an equal or newer version is stored)
//   FILE:LINE: ID: warning: NOTE        (applied, with a note: unknown styles...)
//   FILE:LINE: rejected: REASON         (not sent: the line did not parse)
// without "FILE:LINE: " when an item has no origin (ids given as arguments).
// Summary: "inkdex upsert: A applied, S stale, R rejected, W warnings (commit C)".
//
// Thread safety: not thread-safe; one per command run.
#ifndef INKDEX_TOOLS_INKDEX_WRITE_TALLY_H_
#define INKDEX_TOOLS_INKDEX_WRITE_TALLY_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "inkdex/v1/artist_search.pb.h"

namespace inkdex::cli {

// One item of a write batch as the CLI tracks it.
struct WriteItem {
  std::string origin;  // "FILE:LINE", or empty
  std::string id;
  bool warned = false;  // a warning was already printed for it (parse warnings)
};

class WriteTally {
 public:
  // REQUIRES: `out` outlives the tally.
  explicit WriteTally(std::ostream& out) : out_(out) {}

  // An item not sent because it is invalid on this side.
  void RejectLocally(absl::string_view origin, absl::string_view reason);
  // A non-fatal finding about an item before it is sent.
  void Warn(const WriteItem& item, absl::string_view note);
  // A line skipped on purpose (an item of another type in a DynamoDB export).
  void Skip() { ++skipped_; }

  // The server's answer to one batch; items[i] is the request's item i.
  // INTERNAL when the server returned a different number of results.
  absl::Status Add(const v1::WriteArtistsResponse& response, const std::vector<WriteItem>& items);

  // "inkdex <command>: ..." summary line.
  void PrintSummary(absl::string_view command) const;

  uint64_t applied() const { return applied_; }
  // Items accounted for so far: applied, stale or rejected.
  uint64_t items() const { return applied_ + stale_ + rejected_; }
  uint64_t rejected() const { return rejected_; }
  // kExitFailure when any item was rejected, else kExitOk.
  int exit_code() const;

 private:
  void PrintItem(absl::string_view origin, absl::string_view id, absl::string_view outcome,
                 absl::string_view reason);

  std::ostream& out_;
  uint64_t applied_ = 0;
  uint64_t stale_ = 0;
  uint64_t rejected_ = 0;
  uint64_t warnings_ = 0;
  uint64_t skipped_ = 0;
  uint64_t last_commit_seq_ = 0;
};

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_WRITE_TALLY_H_
