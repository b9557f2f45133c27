// Stream sequence numbers as versions: Index::Apply's order between them and
// numeric versions, across batches, within a batch and across a reopen.
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"
#include "inkdex/record.h"
#include "record/stream_sequence.h"

namespace inkdex {
namespace {

using ::inkdex::testing::MakeArtist;
using ::testing::HasSubstr;
using Outcome = ChangeResult::Outcome;

using testing::kLeedsLat;
using testing::kLeedsLon;

Artist StreamArtist(const std::string& id, const std::string& name, const std::string& seq) {
  Artist a = MakeArtist(id, name, kLeedsLat, kLeedsLon, {"blackwork"}, /*version=*/0);
  a.set_stream_sequence(seq);
  return a;
}

class StreamVersionTest : public testing::IndexDirTest {
 protected:
  ChangeResult Upsert(Artist a) {
    WriteBatch b;
    b.Upsert(std::move(a));
    return One(b);
  }
  ChangeResult DeleteAt(const std::string& id, const std::string& seq) {
    WriteBatch b;
    b.DeleteAtStreamSequence(id, seq);
    return One(b);
  }
  ChangeResult One(const WriteBatch& b) {
    auto r = index_->Apply(b);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r.ok() ? r->size() : 0u, 1u);
    return r.ok() && !r->empty() ? (*r)[0] : ChangeResult{Outcome::kRejected, "apply failed"};
  }
  std::string NameOf(const std::string& id) {
    auto a = index_->Get(id);
    return a.ok() ? a->name() : std::string(a.status().message());
  }
};

TEST_F(StreamVersionTest, NewerSequenceWinsAndGetReportsItCanonical) {
  EXPECT_EQ(Upsert(StreamArtist("a1", "First", "000000000000000000100")).outcome,
            Outcome::kApplied);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Second", "000000000000000000200")).outcome,
            Outcome::kApplied);
  auto a = index_->Get("a1");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->name(), "Second");
  EXPECT_EQ(a->stream_sequence(), "200");
  EXPECT_EQ(a->version(), 0u);
}

TEST_F(StreamVersionTest, DuplicateAndOlderSequencesAreStale) {
  ASSERT_EQ(Upsert(StreamArtist("a1", "Kept", "500")).outcome, Outcome::kApplied);
  ChangeResult dup = Upsert(StreamArtist("a1", "Duplicate", "0000500"));
  EXPECT_EQ(dup.outcome, Outcome::kStale);
  EXPECT_EQ(dup.reason, "stream sequence 500 <= stored stream sequence 500");
  EXPECT_EQ(Upsert(StreamArtist("a1", "Older", "499")).outcome, Outcome::kStale);
  EXPECT_EQ(NameOf("a1"), "Kept");
}

TEST_F(StreamVersionTest, ComparesBeyondSixtyFourBits) {
  // 40 digits: far above 2^64 (20 digits); a string compare of unequal
  // lengths would get these wrong.
  const std::string big = "1" + std::string(39, '0');
  const std::string less = std::string(39, '9');
  ASSERT_EQ(Upsert(StreamArtist("a1", "Big", big)).outcome, Outcome::kApplied);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Less", less)).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Bigger", big.substr(0, 39) + "1")).outcome,
            Outcome::kApplied);
  EXPECT_EQ(NameOf("a1"), "Bigger");
}

TEST_F(StreamVersionTest, SequencesAlikeInTheirFirstDigitsCompareInFull) {
  // DynamoDB's sequence numbers are 21-40 digits, and the in-memory rows
  // keep only the first 17 (internal::StreamSequencePrefix): numbers that
  // differ only after them must still be told apart (from the stored
  // digits), each change in a batch of its own so that the rows are used.
  const std::string head = "4000000000000000123";  // 19 digits, alike in all
  ASSERT_EQ(Upsert(StreamArtist("a1", "Five", head + "00005")).outcome, Outcome::kApplied);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Four", head + "00004")).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Again", head + "00005")).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Six", head + "00006")).outcome, Outcome::kApplied);
  EXPECT_EQ(DeleteAt("a1", head + "00005").outcome, Outcome::kStale);
  EXPECT_EQ(NameOf("a1"), "Six");
  // Numbers the prefixes tell apart, both ways, and by their length.
  EXPECT_EQ(Upsert(StreamArtist("a1", "Lower", "3" + head.substr(1) + "99999")).outcome,
            Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Shorter", std::string(23, '9'))).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Higher", "5" + head.substr(1) + "00000")).outcome,
            Outcome::kApplied);
  EXPECT_EQ(DeleteAt("a1", "1" + std::string(24, '0')).outcome, Outcome::kApplied);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Late", "9" + head.substr(1) + "00000")).outcome,
            Outcome::kStale);
  EXPECT_FALSE(index_->Get("a1").ok());
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
}

TEST_F(StreamVersionTest, MatchesTheLargestSequenceSeenUnderRandomOrder) {
  // Random upserts and deletes of a few artists, one or several per batch,
  // at sequence numbers drawn so that many share their first 17 digits or
  // more: each change applies exactly when its number is larger than every
  // one applied to its artist before (a model with full comparisons).
  std::mt19937_64 rng(20261201);
  const std::string head = "1234567890123456";  // 16 digits shared by many
  auto draw = [&] {
    switch (rng() % 4) {
      case 0:
        return absl::StrCat(head, rng() % 1000);  // 17-19 digits
      case 1:
        return absl::StrCat(head, 7, rng() % 100000);
      case 2:
        return absl::StrCat(head, 7, 1, rng() % 100000);
      default:
        return absl::StrCat(rng() % 10'000'000'000'000'000'000ULL);
    }
  };
  std::map<std::string, std::string> largest;  // id -> largest sequence applied
  std::map<std::string, bool> live;
  for (int round = 0; round < 300; ++round) {
    WriteBatch b;
    std::vector<std::pair<std::string, std::string>> sent;  // id, sequence
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      const std::string id = absl::StrCat("a", rng() % 5);
      const std::string seq = draw();
      if (rng() % 5 == 0) {
        b.DeleteAtStreamSequence(id, seq);
      } else {
        b.Upsert(StreamArtist(id, absl::StrCat("n", seq), seq));
      }
      sent.emplace_back(id, seq);
    }
    auto r = index_->Apply(b);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
      const auto& [id, seq] = sent[i];
      auto it = largest.find(id);
      const bool newer =
          it == largest.end() || internal::CompareStreamSequences(seq, it->second) > 0;
      EXPECT_EQ((*r)[i].outcome, newer ? Outcome::kApplied : Outcome::kStale)
          << "round " << round << ": " << id << " at " << seq << " against "
          << (it == largest.end() ? "none" : it->second);
      if (newer) {
        largest[id] = seq;
        live[id] = b.changes()[i].kind == Change::Kind::kUpsert;
      }
    }
  }
  for (const auto& [id, seq] : largest) {
    auto a = index_->Get(id);
    ASSERT_EQ(a.ok(), live[id]) << id;
    if (a.ok()) {
      EXPECT_EQ(a->stream_sequence(), seq) << id;
    }
  }
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
}

TEST_F(StreamVersionTest, StreamVersionsOutrankNumericVersions) {
  // A bootstrap scan writes numeric versions; the stream replayed over it wins
  // even with a small (zero-padded) sequence number.
  ASSERT_EQ(Upsert(MakeArtist("a1", "Scanned", kLeedsLat, kLeedsLon, {}, 1'000'000)).outcome,
            Outcome::kApplied);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Streamed", "000000000000000000001")).outcome,
            Outcome::kApplied);
  ChangeResult numeric =
      Upsert(MakeArtist("a1", "Numeric", kLeedsLat, kLeedsLon, {}, UINT64_MAX - 1));
  EXPECT_EQ(numeric.outcome, Outcome::kStale);
  EXPECT_THAT(numeric.reason, HasSubstr("<= stored stream sequence 1"));
  EXPECT_EQ(NameOf("a1"), "Streamed");
}

TEST_F(StreamVersionTest, StreamDeleteLeavesATombstoneOlderRecordsCannotPass) {
  ASSERT_EQ(Upsert(StreamArtist("a1", "Live", "10")).outcome, Outcome::kApplied);
  EXPECT_EQ(DeleteAt("a1", "20").outcome, Outcome::kApplied);
  EXPECT_FALSE(index_->Get("a1").ok());
  // A retried, older INSERT must not resurrect the artist.
  EXPECT_EQ(Upsert(StreamArtist("a1", "Resurrected", "15")).outcome, Outcome::kStale);
  EXPECT_EQ(DeleteAt("a1", "20").outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a1", "Back", "21")).outcome, Outcome::kApplied);
  EXPECT_EQ(NameOf("a1"), "Back");
}

TEST_F(StreamVersionTest, WithinOneBatchTheOrderHolds) {
  WriteBatch b;
  b.Upsert(StreamArtist("a1", "Two", "2"));
  b.Upsert(StreamArtist("a1", "One", "1"));
  b.DeleteAtStreamSequence("a1", "2");
  b.Upsert(StreamArtist("a1", "Three", "3"));
  auto r = index_->Apply(b);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].outcome, Outcome::kApplied);
  EXPECT_EQ((*r)[1].outcome, Outcome::kStale);
  EXPECT_EQ((*r)[2].outcome, Outcome::kStale);
  EXPECT_EQ((*r)[3].outcome, Outcome::kApplied);
  EXPECT_EQ(NameOf("a1"), "Three");
}

TEST_F(StreamVersionTest, OrderSurvivesReopenAndVerifies) {
  ASSERT_EQ(Upsert(StreamArtist("a1", "Live", "300")).outcome, Outcome::kApplied);
  ASSERT_EQ(DeleteAt("a2", "301").outcome, Outcome::kApplied);
  Reopen();
  EXPECT_EQ(Upsert(StreamArtist("a1", "Old", "299")).outcome, Outcome::kStale);
  EXPECT_EQ(Upsert(StreamArtist("a2", "Old", "300")).outcome, Outcome::kStale);
  EXPECT_EQ(NameOf("a1"), "Live");
  auto report = index_->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->problems.empty()) << report->problems[0];
  SearchRequest q;
  q.point = GeoPoint{kLeedsLat, kLeedsLon};
  q.radius_km = 5;
  auto found = index_->Search(q);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(found->hits[0].id, "a1");
}

TEST_F(StreamVersionTest, MalformedSequenceNumbersAreRejected) {
  for (const std::string& bad :
       {std::string("12a"), std::string("-5"), std::string(" 1"), std::string(41, '1')}) {
    ChangeResult r = Upsert(StreamArtist("a1", "Bad", bad));
    EXPECT_EQ(r.outcome, Outcome::kRejected) << bad;
    EXPECT_THAT(r.reason, HasSubstr("streamSequence")) << bad;
    EXPECT_EQ(DeleteAt("a1", bad).outcome, Outcome::kRejected) << bad;
  }
  EXPECT_FALSE(index_->Get("a1").ok());
}

TEST(StreamSequenceJsonTest, RoundTripsThroughArtistJson) {
  Artist a = StreamArtist("a1", "Json", "123456789012345678901234567890");
  auto tax = StyleTaxonomy::Default();
  auto parsed = ParseArtistRecord(ArtistToJson(a), *tax);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->artist.stream_sequence(), a.stream_sequence());
  a.set_stream_sequence("x1");
  auto warned = ParseArtistRecord(ArtistToJson(a), *tax);
  ASSERT_TRUE(warned.ok()) << warned.status();
  EXPECT_TRUE(warned->artist.stream_sequence().empty());
  ASSERT_EQ(warned->warnings.size(), 1u);
  EXPECT_THAT(warned->warnings[0], HasSubstr("streamSequence"));
}

}  // namespace
}  // namespace inkdex
