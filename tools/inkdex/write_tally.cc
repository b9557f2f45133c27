#include "write_tally.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli_common.h"

namespace inkdex::cli {

void WriteTally::PrintItem(absl::string_view origin, absl::string_view id,
                           absl::string_view outcome, absl::string_view reason) {
  std::string line;
  if (!origin.empty()) absl::StrAppend(&line, origin, ": ");
  if (!id.empty()) absl::StrAppend(&line, id, ": ");
  absl::StrAppend(&line, outcome, ": ", reason, "\n");
  out_ << line;
}

void WriteTally::RejectLocally(absl::string_view origin, absl::string_view reason) {
  ++rejected_;
  PrintItem(origin, "", "rejected", reason);
}

void WriteTally::Warn(const WriteItem& item, absl::string_view note) {
  ++warnings_;
  PrintItem(item.origin, item.id, "warning", note);
}

absl::Status WriteTally::Add(const v1::WriteArtistsResponse& response,
                             const std::vector<WriteItem>& items) {
  if (static_cast<size_t>(response.results_size()) != items.size()) {
    return absl::InternalError(absl::StrCat("the server returned ", response.results_size(),
                                            " results for ", items.size(), " items"));
  }
  last_commit_seq_ = std::max(last_commit_seq_, response.commit_seq());
  for (size_t i = 0; i < items.size(); ++i) {
    const v1::WriteResult& result = response.results(static_cast<int>(i));
    const WriteItem& item = items[i];
    switch (result.outcome()) {
      case v1::WriteResult::OUTCOME_STALE:
        ++stale_;
        PrintItem(item.origin, item.id, "stale", result.reason());
        break;
      case v1::WriteResult::OUTCOME_REJECTED:
        ++rejected_;
        PrintItem(item.origin, item.id, "rejected", result.reason());
        break;
      default:
        ++applied_;
        // A note about an item already warned about repeats that warning
        // (unknown styles are found by the parser and again by the server).
        if (!result.reason().empty() && !item.warned) Warn(item, result.reason());
        break;
    }
  }
  return absl::OkStatus();
}

void WriteTally::PrintSummary(absl::string_view command) const {
  std::string summary = absl::StrFormat("inkdex %s: %d applied, %d stale, %d rejected", command,
                                        applied_, stale_, rejected_);
  if (warnings_ > 0) {
    absl::StrAppendFormat(&summary, ", %d warning%s", warnings_, warnings_ == 1 ? "" : "s");
  }
  if (skipped_ > 0) {
    absl::StrAppendFormat(&summary, ", %d other items skipped (not artist profiles)", skipped_);
  }
  if (last_commit_seq_ > 0) absl::StrAppendFormat(&summary, " (commit %d)", last_commit_seq_);
  out_ << summary << "\n";
}

int WriteTally::exit_code() const { return rejected_ > 0 ? kExitFailure : kExitOk; }

}  // namespace inkdex::cli
