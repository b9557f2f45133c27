#include "index/change_version.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "record/stream_sequence.h"

namespace inkdex::index {

VersionRef VersionOf(const StoredRecord& record) {
  return {record.version(), record.stream_sequence()};
}

absl::StatusOr<VersionRef> VersionOf(const Change& change) {
  const bool upsert = change.kind == Change::Kind::kUpsert;
  const std::string& stream = upsert ? change.artist.stream_sequence() : change.stream_sequence;
  if (stream.empty()) return VersionRef{upsert ? change.artist.version() : change.version, {}};
  if (!internal::IsValidStreamSequence(stream)) {
    return absl::InvalidArgumentError("streamSequence: must be 1..40 decimal digits");
  }
  return VersionRef{0, internal::CanonicalStreamSequence(stream)};
}

int CompareVersions(VersionRef a, VersionRef b) {
  if (a.stream.empty() != b.stream.empty()) return a.stream.empty() ? -1 : 1;
  if (!a.stream.empty()) return internal::CompareStreamSequences(a.stream, b.stream);
  return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
}

uint32_t RankOf(const Change& change) {
  return change.kind == Change::Kind::kUpsert ? change.artist.source_rank() : change.source_rank;
}

std::string DescribeVersion(VersionRef v) {
  return v.stream.empty() ? absl::StrCat("version ", v.number)
                          : absl::StrCat("stream sequence ",
                                         absl::string_view(v.stream.data(), v.stream.size()));
}

}  // namespace inkdex::index
