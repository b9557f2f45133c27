// Output format, determinism, files and options of the synth generator.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "synth/json_line.h"
#include "synth/synth.h"
#include "synth/text_util.h"
#include "synth_test_util.h"

namespace inkdex::synth {
namespace {

SynthOptions Options(uint64_t count, uint64_t seed = 42) {
  SynthOptions o;
  o.count = count;
  o.seed = seed;
  return o;
}

TEST(SynthOutputTest, SameOptionsGiveByteIdenticalOutput) {
  std::string a = GenerateText(Options(3000));
  EXPECT_EQ(a, GenerateText(Options(3000)));
  EXPECT_NE(a, GenerateText(Options(3000, 43)));
  SynthOptions one_thread = Options(3000);
  one_thread.threads = 1;
  SynthOptions five_threads = Options(3000);
  five_threads.threads = 5;
  EXPECT_EQ(a, GenerateText(one_thread));
  EXPECT_EQ(a, GenerateText(five_threads));
}

// FNV-1a: a digest that is the same in every build.
uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Benchmark indexes and the peers' stores are reused while their marker
// names the same kOutputVersion: a change to the output must raise it (and
// update the digest here), or stale stores are compared with fresh ones.
TEST(SynthOutputTest, TheOutputIsTheOneItsVersionNames) {
  ASSERT_EQ(kOutputVersion, 2) << "update the digest below for the new output";
  SynthOptions o = Options(2000);
  o.today = "2026-11-29";
  EXPECT_EQ(Fnv1a(GenerateText(o)), 10513249980110719015ull);
}

TEST(SynthOutputTest, AnyRecordCanBeRegeneratedAlone) {
  SynthOptions o = Options(20000);
  o.messy = true;
  std::vector<std::string> lines = GenerateLines(o);
  ASSERT_EQ(lines.size(), 20000u);
  for (uint64_t i : {0, 1, 4095, 4096, 8193, 19999}) {
    absl::StatusOr<std::string> line = ArtistJson(o, i);
    ASSERT_TRUE(line.ok()) << line.status();
    EXPECT_EQ(*line, lines[i] + "\n") << i;
  }
}

TEST(SynthOutputTest, WritesCountLinesWithOrderedUniqueIds) {
  std::vector<nlohmann::json> records = GenerateRecords(Options(1500));
  ASSERT_EQ(records.size(), 1500u);
  EXPECT_EQ(records[0]["artistId"], "artist-0000000");
  EXPECT_EQ(records[42]["artistId"], "artist-0000042");
  std::set<std::string> ids;
  std::string previous;
  for (const nlohmann::json& r : records) {
    std::string id = r["artistId"];
    EXPECT_LT(previous, id);
    previous = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), records.size());
  EXPECT_TRUE(GenerateText(Options(0)).empty());
}

TEST(SynthOutputTest, IdOffsetShiftsIdsAndWidensPastSevenDigits) {
  SynthOptions o = Options(3);
  o.id_offset = 12345678;
  std::vector<nlohmann::json> records = GenerateRecords(o);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["artistId"], "artist-12345678");
  EXPECT_EQ(records[2]["artistId"], "artist-12345680");
}

TEST(SynthOutputTest, WritesPlainAndGzipFiles) {
  SynthOptions o = Options(2000);
  const std::string expected = GenerateText(o);
  const std::string dir = ::testing::TempDir();
  const std::string plain = dir + "/synth_output_test.jsonl";
  uint64_t last_progress = 0;
  ASSERT_TRUE(WriteArtistsToFile(o, plain, [&](uint64_t done, uint64_t total) {
                EXPECT_EQ(total, 2000u);
                last_progress = done;
              }).ok());
  EXPECT_EQ(last_progress, 2000u);
  std::ifstream in(plain, std::ios::binary);
  std::stringstream read;
  read << in.rdbuf();
  EXPECT_EQ(read.str(), expected);

  const std::string gz = dir + "/synth_output_test.jsonl.gz";
  ASSERT_TRUE(WriteArtistsToFile(o, gz).ok());
  gzFile f = gzopen(gz.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::string inflated(expected.size() + 100, '\0');
  int n = gzread(f, inflated.data(), static_cast<unsigned>(inflated.size()));
  gzclose(f);
  inflated.resize(static_cast<size_t>(std::max(n, 0)));
  EXPECT_EQ(inflated, expected);
  std::remove(plain.c_str());
  std::remove(gz.c_str());

  std::ostringstream stream;
  ASSERT_TRUE(WriteArtists(o, stream).ok());
  EXPECT_EQ(stream.str(), expected);
}

TEST(SynthOutputTest, ReportsUnwritablePaths) {
  absl::Status s = WriteArtistsToFile(Options(10), "/nonexistent-dir/x.jsonl");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("/nonexistent-dir/x.jsonl"), std::string::npos) << s;
  EXPECT_FALSE(WriteArtistsToFile(Options(10), "/nonexistent-dir/x.jsonl.gz").ok());
  EXPECT_EQ(WriteArtistsToFile(Options(10), "").code(), absl::StatusCode::kInvalidArgument);
}

TEST(SynthOutputTest, SinkErrorsStopGeneration) {
  int calls = 0;
  absl::Status s = WriteArtists(Options(100000), [&](std::string_view) {
    ++calls;
    return absl::UnavailableError("disk full");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);
}

TEST(SynthOutputTest, RejectsBadOptionsNamingTheField) {
  struct Case {
    SynthOptions options;
    std::string field;
  };
  SynthOptions bad_today = Options(1);
  bad_today.today = "29/11/2026";
  SynthOptions bad_month = Options(1);
  bad_month.today = "2026-13-01";
  SynthOptions bad_threads = Options(1);
  bad_threads.threads = 0;
  SynthOptions bad_fraction = Options(1);
  bad_fraction.messy_fraction = 1.5;
  for (const Case& c : {Case{bad_today, "today"}, Case{bad_month, "today"},
                        Case{bad_threads, "threads"}, Case{bad_fraction, "messy_fraction"}}) {
    absl::Status s = ValidateOptions(c.options);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(std::string(s.message()).rfind(c.field + ":", 0), 0u) << s;
    EXPECT_FALSE(WriteArtists(c.options, [](std::string_view) { return absl::OkStatus(); }).ok());
    EXPECT_FALSE(ArtistJson(c.options, 0).ok());
  }
}

TEST(JsonLineTest, EscapesStringsAndFormatsNumbers) {
  std::string out;
  JsonLine j(&out);
  j.BeginObject();
  j.String("s", std::string_view("quote\" back\\ nl\n tab\t ctl\x01 é", 29));
  j.Fixed("a", 4.5, 1);
  j.Fixed("b", 120.0, 2);
  j.Fixed("c", -0.07861, 5);
  j.Fixed("d", 53.000049, 5);
  j.Fixed("e", -0.000001, 3);
  j.Int("f", -42);
  j.Key("g");
  j.BeginArray();
  j.Bool(true);
  j.Null();
  j.EndArray();
  j.EndObject();
  EXPECT_EQ(
      out.substr(out.find("\"a\"")),
      "\"a\":4.5,\"b\":120,\"c\":-0.07861,\"d\":53.00005,\"e\":0,\"f\":-42,\"g\":[true,null]}");
  nlohmann::json parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["s"], std::string("quote\" back\\ nl\n tab\t ctl\x01 é"));
}

TEST(TextUtilTest, FoldsNamesToAscii) {
  EXPECT_EQ(AsciiFoldLower("Zoë Müller-Łukasz O'Brien"), "zoemullerlukaszobrien");
  EXPECT_EQ(AsciiFoldLower("Straße Şahin Øre"), "strassesahinore");
  EXPECT_EQ(AsciiFoldLower("東京 Tokyo"), "tokyo");
}

TEST(TextUtilTest, FormatsDatesAndTimestamps) {
  std::string out;
  AppendDate(&out, absl::CivilDay(2026, 3, 5));
  out.push_back(' ');
  AppendTimestamp(&out, absl::CivilSecond(2026, 11, 29, 8, 5, 9));
  EXPECT_EQ(out, "2026-03-05 2026-11-29T08:05:09Z");
}

}  // namespace
}  // namespace inkdex::synth
