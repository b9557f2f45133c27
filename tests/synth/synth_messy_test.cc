// `--messy`: about 10% of records carry each kind of fault the platform's real
// data has, and the rest stay clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "synth/artist_generator.h"
#include "synth/word_lists.h"
#include "synth_test_util.h"

namespace inkdex::synth {
namespace {

TEST(SynthMessyTest, CleanOutputHasNoFaults) {
  SynthOptions o;
  o.count = 2000;
  absl::StatusOr<ArtistGenerator> gen = ArtistGenerator::Create(o);
  ASSERT_TRUE(gen.ok());
  for (uint64_t i = 0; i < o.count; ++i) ASSERT_EQ(gen->FaultFor(i), Fault::kNone);
}

TEST(SynthMessyTest, ProducesEveryFaultKindWithItsSymptom) {
  SynthOptions o;
  o.count = 20000;
  o.messy = true;
  absl::StatusOr<ArtistGenerator> gen = ArtistGenerator::Create(o);
  ASSERT_TRUE(gen.ok());
  std::vector<std::string> lines = GenerateLines(o);
  ASSERT_EQ(lines.size(), o.count);

  std::map<std::string, uint64_t> id_count;
  for (uint64_t i = 0; i < o.count; ++i) id_count[gen->ArtistId(i)] = 0;
  std::vector<nlohmann::json> parsed(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    parsed[i] = nlohmann::json::parse(lines[i], nullptr, false);
    if (parsed[i].is_object() && parsed[i].contains("artistId") &&
        parsed[i]["artistId"].is_string()) {
      id_count[parsed[i]["artistId"]]++;
    }
  }

  std::map<Fault, int> seen;
  for (uint64_t i = 0; i < o.count; ++i) {
    const Fault fault = gen->FaultFor(i);
    seen[fault]++;
    const nlohmann::json& j = parsed[i];
    SCOPED_TRACE(std::string(FaultName(fault)) + ": " + lines[i]);
    switch (fault) {
      case Fault::kNone:
        ASSERT_TRUE(j.is_object());
        EXPECT_TRUE(j.contains("artistName"));
        for (const auto& s : j["styles"]) EXPECT_TRUE(IsCanonicalStyle(s));
        break;
      case Fault::kTruncated:
        EXPECT_TRUE(j.is_discarded());
        EXPECT_TRUE(lines[i].starts_with("{"));
        break;
      case Fault::kGarbage:
        EXPECT_FALSE(j.is_object() && j.contains("artistName"));
        break;
      case Fault::kStyleAlias: {
        bool any_alias = false;
        for (const auto& s : j["styles"]) any_alias |= !IsCanonicalStyle(s);
        EXPECT_TRUE(any_alias);
        break;
      }
      case Fault::kUnknownStyle: {
        const auto& styles = j["styles"];
        WordList unknown = UnknownStyles();
        EXPECT_TRUE(std::any_of(styles.begin(), styles.end(), [&](const nlohmann::json& s) {
          return std::find(unknown.begin(), unknown.end(), s.get<std::string>()) != unknown.end();
        }));
        break;
      }
      case Fault::kOldFieldNames:
        EXPECT_TRUE(j.contains("name") && !j.contains("artistName"));
        EXPECT_TRUE(j.contains("location") && !j.contains("locationDisplay"));
        EXPECT_TRUE(j.contains("bio") && !j.contains("biography"));
        EXPECT_FALSE(j.contains("studioInfo"));
        break;
      case Fault::kMissingFields: {
        int missing = 0;
        for (const char* f :
             {"instagramHandle", "locationDisplay", "locationCity", "biography", "pricing",
              "availability", "experience", "contactInfo", "specialties", "rating", "createdAt"}) {
          missing += !j.contains(f);
        }
        EXPECT_GE(missing, 1);
        break;
      }
      case Fault::kNumbersAsStrings:
        EXPECT_TRUE(j["latitude"].is_string());
        EXPECT_TRUE(j["longitude"].is_string());
        EXPECT_DOUBLE_EQ(std::stod(j["latitude"].get<std::string>()),
                         std::round(gen->Generate(i).latitude * 1e5) / 1e5);
        break;
      case Fault::kBadCoordinates: {
        bool bad = !j.contains("longitude") || !j["latitude"].is_number() ||
                   std::abs(j["latitude"].get<double>()) > 90 ||
                   std::abs(j["longitude"].get<double>()) > 180;
        EXPECT_TRUE(bad);
        break;
      }
      case Fault::kWrongTypes:
        EXPECT_TRUE(j["styles"].is_string());
        break;
      case Fault::kDuplicateId:
        ASSERT_TRUE(j["artistId"].is_string());
        EXPECT_NE(j["artistId"], gen->ArtistId(i));
        // The id of another record in the file (whose own line may be damaged too).
        EXPECT_TRUE(id_count.contains(j["artistId"]));
        break;
    }
  }
  EXPECT_GT(std::count_if(id_count.begin(), id_count.end(),
                          [](const auto& entry) { return entry.second >= 2; }),
            20);
  for (int k = 1; k < kFaultKinds; ++k) {
    EXPECT_GE(seen[static_cast<Fault>(k)], 20) << FaultName(static_cast<Fault>(k));
  }
  const double faulty = 1.0 - seen[Fault::kNone] / double(o.count);
  EXPECT_NEAR(faulty, 0.10, 0.015);
}

TEST(SynthMessyTest, FractionIsConfigurable) {
  SynthOptions o;
  o.count = 5000;
  o.messy = true;
  o.messy_fraction = 1.0;
  absl::StatusOr<ArtistGenerator> gen = ArtistGenerator::Create(o);
  ASSERT_TRUE(gen.ok());
  for (uint64_t i = 0; i < o.count; ++i) ASSERT_NE(gen->FaultFor(i), Fault::kNone);
}

}  // namespace
}  // namespace inkdex::synth
