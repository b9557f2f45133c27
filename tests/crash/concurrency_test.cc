// Readers during writes: every search sees whole commits only, and replaying
// a shuffled change log with duplicates converges to the newest changes.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_format.h"
#include "crash/crash_util.h"
#include "gtest/gtest.h"

namespace inkdex::crash {
namespace {

constexpr int kPerBatch = 20;
constexpr int kMaxBatches = 400;

// The tests here race readers against commits, not crashes: no fsyncs.
absl::StatusOr<std::unique_ptr<Index>> OpenUnsynced(const ScratchDir& dir) {
  IndexOptions options;
  options.sync = false;
  return Index::Open(dir.path(), options);
}

std::string Marker(int batch) { return absl::StrFormat("batch%03d", batch); }

// Batch n's artists share a point of their own, 0.05 degrees from any other.
GeoPoint BatchPoint(int batch) {
  return GeoPoint{-50.0 + (batch % 40) * 2.5, -170.0 + (batch / 40) * 5.0};
}

// One writer adds batches of 20 artists (commit n = batch n-1) while two
// readers check that every answer is consistent with exactly one commit.
TEST(ConcurrencyTest, SearchesSeeWholeBatchesWhileAWriterAdds) {
  ScratchDir dir("concurrent");
  absl::StatusOr<std::unique_ptr<Index>> opened = OpenUnsynced(dir);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Index& index = **opened;
  std::atomic<bool> done{false};
  std::atomic<int> written{0};
  std::atomic<int64_t> searches{0};

  std::thread writer([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (int b = 0; b < kMaxBatches && std::chrono::steady_clock::now() < deadline; ++b) {
      WriteBatch batch;
      for (int i = 0; i < kPerBatch; ++i) {
        const GeoPoint p = BatchPoint(b);
        batch.Upsert(
            MakeArtist(Marker(b) + "_" + std::to_string(i), 1, p.lat + i * 1e-5, p.lon, Marker(b)));
      }
      absl::StatusOr<std::vector<ChangeResult>> r = index.Apply(batch);
      EXPECT_TRUE(r.ok()) << r.status();
      written = b + 1;
    }
    done = true;
  });

  auto reader = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    uint64_t last_seq = 0;
    int64_t last_total = 0;
    while (!done) {
      const int b = static_cast<int>(rng() % (written + 3));
      SearchRequest q;
      switch (rng() % 3) {
        case 0:  // the batch's own point
          q.point = BatchPoint(b);
          q.radius_km = 1;
          break;
        case 1:  // its marker word, through Xapian
          q.text = Marker(b);
          break;
        default:  // everything
          break;
      }
      absl::StatusOr<SearchResponse> r = index.Search(q);
      ASSERT_TRUE(r.ok()) << r.status();
      ++searches;
      const int64_t committed = static_cast<int64_t>(r->commit_seq);  // batches 0..committed-1
      ASSERT_GE(r->commit_seq, last_seq) << "commits went backwards";
      last_seq = r->commit_seq;
      if (q.point || !q.text.empty()) {
        ASSERT_EQ(r->total, b < committed ? kPerBatch : 0)
            << Marker(b) << " at commit " << committed
            << (q.text.empty() ? " (radius)" : " (text)");
      } else {
        ASSERT_EQ(r->total, committed * kPerBatch) << "at commit " << committed;
        ASSERT_GE(r->total, last_total) << "the writer only adds";
        last_total = r->total;
      }
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  writer.join();
  r1.join();
  r2.join();
  EXPECT_GT(written.load(), 10);
  EXPECT_GT(searches.load(), 100);
  absl::StatusOr<VerifyReport> report = index.Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

// Text searches while a writer commits as fast as it can: a reader that
// opens or reads Xapian while the writer commits twice may read a block the
// writer has reused, which Xapian reports as corruption; the search takes
// the newer commit instead of failing (search_impl.cc, MaybeOvertaken).
// Each text search reopens its reader at the newest commit, so this is the
// reader path under the most churn: without that, 16 runs of 16 failed
// (UNAVAILABLE "DatabaseCorruptError: Expected block 7 to be level 1").
TEST(ConcurrencyTest, TextSearchesNeverFailWhileTheWriterCommitsNonstop) {
  ScratchDir dir("text_while_committing");
  absl::StatusOr<std::unique_ptr<Index>> opened = OpenUnsynced(dir);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Index& index = **opened;
  std::atomic<bool> done{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (uint64_t v = 1; std::chrono::steady_clock::now() < deadline; ++v) {
      WriteBatch batch;
      for (int k = 0; k < 5; ++k) {
        batch.Upsert(MakeArtist("t" + std::to_string((v * 5 + k) % 400), v, 40 + k * 0.01, 2,
                                "word" + std::to_string(v % 7)));
      }
      absl::StatusOr<std::vector<ChangeResult>> r = index.Apply(batch);
      EXPECT_TRUE(r.ok()) << r.status();
      ++commits;
    }
    done = true;
  });
  std::atomic<int64_t> searches{0};
  auto reader = [&](int seed) {
    for (int i = seed; !done; ++i) {
      SearchRequest q;
      q.text = "word" + std::to_string(i % 7);
      absl::StatusOr<SearchResponse> r = index.Search(q);
      ASSERT_TRUE(r.ok()) << r.status();
      ++searches;
    }
  };
  std::thread r1(reader, 0), r2(reader, 3), r3(reader, 5);
  writer.join();
  r1.join();
  r2.join();
  r3.join();
  EXPECT_GT(commits.load(), 50);
  EXPECT_GT(searches.load(), 100);
}

// Verify while a writer commits: each report is of one commit, store, search
// index and snapshot alike, so it finds nothing wrong however the commits
// (new artists, new versions that move them, deletes) fall during it.
TEST(ConcurrencyTest, VerifyDuringCommitsFindsNoProblems) {
  ScratchDir dir("verify_during_commits");
  absl::StatusOr<std::unique_ptr<Index>> opened = OpenUnsynced(dir);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Index& index = **opened;
  {
    WriteBatch batch;
    for (int i = 0; i < 2000; ++i) {
      batch.Upsert(MakeArtist("a" + std::to_string(i), 1, 40 + (i % 50) * 0.01, 2 + (i / 50) * 0.01,
                              "first"));
    }
    ASSERT_TRUE(index.Apply(batch).ok());
  }
  std::atomic<bool> done{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    std::mt19937_64 rng(11);
    for (uint64_t v = 2; !done; ++v) {
      WriteBatch batch;
      for (int k = 0; k < 50; ++k) {
        const std::string id = "a" + std::to_string(rng() % 2500);
        if (rng() % 5 == 0) {
          batch.Delete(id, v);
        } else {
          batch.Upsert(MakeArtist(id, v, 40 + (rng() % 100) * 0.01, 2 + (rng() % 100) * 0.01,
                                  "v" + std::to_string(v)));
        }
      }
      absl::StatusOr<std::vector<ChangeResult>> r = index.Apply(batch);
      EXPECT_TRUE(r.ok()) << r.status();
      ++commits;
    }
  });
  int verified = 0;
  std::string failure;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (failure.empty() && (std::chrono::steady_clock::now() < deadline || verified < 5)) {
    absl::StatusOr<VerifyReport> report = index.Verify();
    if (!report.ok()) {
      failure = report.status().ToString();
    } else if (!report->ok()) {
      failure = absl::StrFormat("%d problems, the first: %s", report->problems.size(),
                                report->problems.front());
    }
    ++verified;
    // Verify holds writes off while it runs; a pause lets the writer in.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  done = true;
  writer.join();
  ASSERT_EQ(failure, "") << "verify " << verified;
  EXPECT_GT(commits.load(), 5) << "the writer should commit between the verifies";
}

// A change log replayed out of order, with repeats, in random batch splits:
// the newest change per id wins, whatever the order.
TEST(ConcurrencyTest, ShuffledChangeLogWithDuplicatesConvergesToNewestPerId) {
  std::mt19937_64 rng(7);
  std::vector<Change> log;
  for (int id = 0; id < 200; ++id) {
    std::vector<uint64_t> versions;
    for (uint64_t v = 1; v <= 40; ++v) versions.push_back(v);
    std::shuffle(versions.begin(), versions.end(), rng);
    versions.resize(1 + rng() % 12);
    for (uint64_t v : versions) {
      Change c;
      const std::string name = "s" + std::to_string(id);
      if (rng() % 3 == 0) {
        c.kind = Change::Kind::kDelete;
        c.id = name;
        c.version = v;
      } else {
        c.artist = MakeArtist(name, v, 40 + (rng() % 100) * 0.01, 2 + (rng() % 100) * 0.01);
      }
      const int copies = 1 + static_cast<int>(rng() % 3);  // exact duplicates
      for (int k = 0; k < copies; ++k) log.push_back(c);
    }
  }
  std::shuffle(log.begin(), log.end(), rng);

  // The expected state: the max-version change per id.
  ExpectedState want;
  for (const Change& c : log) {
    const bool upsert = c.kind == Change::Kind::kUpsert;
    const std::string& id = upsert ? c.artist.id() : c.id;
    const uint64_t v = upsert ? c.artist.version() : c.version;
    Expected& e = want[id];
    if (v > e.version) e = upsert ? Expected{v, false, c.artist.name()} : Expected{v, true, ""};
  }

  ScratchDir dir("shuffled");
  {
    auto index = Index::Open(dir.path());
    ASSERT_TRUE(index.ok()) << index.status();
    for (size_t i = 0; i < log.size();) {
      WriteBatch batch;
      const size_t n = std::min<size_t>(log.size() - i, 1 + rng() % 100);
      for (size_t k = 0; k < n; ++k, ++i) {
        const Change& c = log[i];
        if (c.kind == Change::Kind::kUpsert) {
          batch.Upsert(c.artist);
        } else {
          batch.Delete(c.id, c.version);
        }
      }
      absl::StatusOr<std::vector<ChangeResult>> r = (*index)->Apply(batch);
      ASSERT_TRUE(r.ok()) << r.status();
      for (const ChangeResult& cr : *r)
        ASSERT_NE(cr.outcome, ChangeResult::Outcome::kRejected) << cr.reason;
    }
    EXPECT_EQ(DiffIndex(**index, want), "");
  }
  auto index = Index::Open(dir.path());  // and the same from disk
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(DiffIndex(**index, want), "");
  absl::StatusOr<VerifyReport> report = (*index)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

}  // namespace
}  // namespace inkdex::crash
