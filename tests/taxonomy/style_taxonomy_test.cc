#include "inkdex/taxonomy.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "taxonomy/edit_distance.h"

namespace inkdex {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

const StyleTaxonomy& Tax() {
  static const StyleTaxonomy* const kTax = [] {
    absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Default();
    EXPECT_TRUE(tax.ok()) << tax.status();
    return new StyleTaxonomy(*std::move(tax));
  }();
  return *kTax;
}

// The canonical id `name` resolves to, or "<none>".
std::string IdOf(std::string_view name) {
  std::optional<int> index = Tax().Find(name);
  return index ? Tax().style(*index).id : "<none>";
}

TEST(StyleTaxonomyDefault, HasEveryDataModelConcept) {
  const std::vector<std::string> concepts = {
      "old_school",     "traditional", "new_school",  "neo_traditional", "japanese",
      "tribal",         "blackwork",   "dotwork",     "geometric",       "lettering",
      "biomechanical",  "watercolour", "floral",      "fineline",        "realism",
      "black_and_grey", "portrait",    "minimalist",  "surrealism",      "sketch",
      "illustrative",   "ornamental",  "trash_polka", "psychedelic",     "anime",
      "linework",       "cover_up"};
  for (const std::string& id : concepts) EXPECT_EQ(IdOf(id), id);
  EXPECT_GE(Tax().size(), 27);
  EXPECT_LE(Tax().size(), StyleTaxonomy::kMaxStyles);
  for (const StyleInfo& style : Tax().styles())
    EXPECT_FALSE(style.display_name.empty()) << style.id;
  EXPECT_EQ(Tax().style(*Tax().Find("neo_traditional")).display_name, "Neo-Traditional");
}

TEST(StyleTaxonomyDefault, EveryIdAndAliasFindsItsOwnStyle) {
  for (int i = 0; i < Tax().size(); ++i) {
    const StyleInfo& style = Tax().style(i);
    EXPECT_EQ(Tax().Find(style.id), i) << style.id;
    EXPECT_EQ(Tax().Find(style.display_name), i) << style.display_name;
    for (const std::string& alias : style.aliases) EXPECT_EQ(Tax().Find(alias), i) << alias;
  }
}

struct AliasCase {
  const char* name;
  const char* id;
};

// Test names (and CTest's) show the case's name, not its bytes.
void PrintTo(const AliasCase& c, std::ostream* os) { *os << c.name; }

class AliasFamilyTest : public ::testing::TestWithParam<AliasCase> {};

TEST_P(AliasFamilyTest, ResolvesToCanonicalId) {
  EXPECT_EQ(IdOf(GetParam().name), GetParam().id) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Spellings, AliasFamilyTest,
    ::testing::Values(
        AliasCase{"neo_traditional", "neo_traditional"},
        AliasCase{"neo-traditional", "neo_traditional"},
        AliasCase{"neotraditional", "neo_traditional"},
        AliasCase{"Neotraditional", "neo_traditional"},
        AliasCase{"Neo Traditional", "neo_traditional"}, AliasCase{"NEO-TRAD", "neo_traditional"},
        AliasCase{"watercolour", "watercolour"}, AliasCase{"watercolor", "watercolour"},
        AliasCase{"Water Color", "watercolour"}, AliasCase{"fineline", "fineline"},
        AliasCase{"fine_line", "fineline"}, AliasCase{"fine-line", "fineline"},
        AliasCase{"fine line", "fineline"}, AliasCase{"Fine Line", "fineline"},
        AliasCase{"micro", "fineline"}, AliasCase{"minimalism", "minimalist"},
        AliasCase{"minimalist", "minimalist"}, AliasCase{"Minimal", "minimalist"},
        AliasCase{"irezumi", "japanese"}, AliasCase{"Japanese", "japanese"},
        AliasCase{"american traditional", "old_school"},
        AliasCase{"American-Traditional", "old_school"}, AliasCase{"old school", "old_school"},
        AliasCase{"oldschool", "old_school"}, AliasCase{"traditional", "traditional"},
        AliasCase{"new school", "new_school"}, AliasCase{"black and gray", "black_and_grey"},
        AliasCase{"black and grey", "black_and_grey"}, AliasCase{"Black & Grey", "black_and_grey"},
        AliasCase{"black_and_gray", "black_and_grey"}, AliasCase{"b&g", "black_and_grey"},
        AliasCase{"realistic", "realism"}, AliasCase{"photorealism", "realism"},
        AliasCase{"biomech", "biomechanical"}, AliasCase{"bio-mechanical", "biomechanical"},
        AliasCase{"stippling", "dotwork"}, AliasCase{"pointillism", "dotwork"},
        AliasCase{"dot work", "dotwork"}, AliasCase{"sacred geometry", "geometric"},
        AliasCase{"script", "lettering"}, AliasCase{"calligraphy", "lettering"},
        AliasCase{"typography", "lettering"}, AliasCase{"trash-polka", "trash_polka"},
        AliasCase{"Trash Polka", "trash_polka"}, AliasCase{"coverup", "cover_up"},
        AliasCase{"cover-up", "cover_up"}, AliasCase{"Cover Up", "cover_up"},
        AliasCase{"line work", "linework"}, AliasCase{"manga", "anime"},
        AliasCase{"illustration", "illustrative"}, AliasCase{"mandala", "ornamental"},
        AliasCase{"surreal", "surrealism"}, AliasCase{"portraits", "portrait"},
        AliasCase{"polynesian", "tribal"}, AliasCase{"chicano", "chicano"},
        AliasCase{"  Sketchy  ", "sketch"}, AliasCase{"flowers", "floral"},
        AliasCase{"psychedelia", "psychedelic"}, AliasCase{"black work", "blackwork"}));

TEST(StyleTaxonomyFind, UnknownAndEmptyNamesAreNotFound) {
  EXPECT_EQ(Tax().Find("dragonz"), std::nullopt);
  EXPECT_EQ(Tax().Find(""), std::nullopt);
  EXPECT_EQ(Tax().Find("---"), std::nullopt);
  EXPECT_EQ(Tax().Find("   "), std::nullopt);
  EXPECT_EQ(Tax().Find(std::string(1 << 20, 'x')), std::nullopt);
}

TEST(StyleTaxonomyNormalize, FoldsCaseSeparatorsAndSpelling) {
  EXPECT_EQ(StyleTaxonomy::Normalize("Neo-Traditional"), "neotraditional");
  EXPECT_EQ(StyleTaxonomy::Normalize("neo_traditional"), "neotraditional");
  EXPECT_EQ(StyleTaxonomy::Normalize(" Fine  Line! "), "fineline");
  EXPECT_EQ(StyleTaxonomy::Normalize("Watercolour"), "watercolor");
  EXPECT_EQ(StyleTaxonomy::Normalize("Black & Grey"), "blackgray");
  EXPECT_EQ(StyleTaxonomy::Normalize("3D"), "3d");
  EXPECT_EQ(StyleTaxonomy::Normalize("japonés"), "japon\xc3\xa9s");  // UTF-8 kept
  EXPECT_EQ(StyleTaxonomy::Normalize("_-. "), "");
}

TEST(StyleTaxonomyResolve, KnownNameGivesIndex) {
  absl::StatusOr<int> r = Tax().Resolve("Fine-Line", "styles[0]");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Tax().style(*r).id, "fineline");
}

TEST(StyleTaxonomyResolve, UnknownNameNamesFieldAndClosestStyles) {
  absl::StatusOr<int> r = Tax().Resolve("dragonz", "styles[0]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<std::string> closest = Tax().Closest("dragonz", 3);
  ASSERT_THAT(closest, SizeIs(3));
  EXPECT_EQ(r.status().message(), "styles[0]: unknown style 'dragonz'; closest: " + closest[0] +
                                      ", " + closest[1] + ", " + closest[2]);
}

TEST(StyleTaxonomyResolve, MisspellingSuggestsIntendedStyleFirst) {
  absl::StatusOr<int> r = Tax().Resolve("tradtional", "query.styles");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              StartsWith("query.styles: unknown style 'tradtional'; closest: traditional"));
  EXPECT_EQ(Tax().Closest("watercolr", 1), std::vector<std::string>{"watercolour"});
  EXPECT_EQ(Tax().Closest("Geometrik", 1), std::vector<std::string>{"geometric"});
  EXPECT_EQ(Tax().Closest("irezmi", 1), std::vector<std::string>{"japanese"});
  EXPECT_EQ(Tax().Closest("blakwork", 1), std::vector<std::string>{"blackwork"});
}

TEST(StyleTaxonomyClosest, StylesSharingAWholeWordComeFirst) {
  // Edit distance alone ranked illustrative, japanese and neo_traditional
  // here: "traditional" is shared, but the words around it cost edits.
  const std::vector<std::string> closest = Tax().Closest("classic traditional", 3);
  ASSERT_THAT(closest, SizeIs(3));
  EXPECT_EQ(closest[0], "old_school");  // "classic americana", "american traditional"
  EXPECT_EQ(closest[1], "traditional");
  EXPECT_THAT(Tax().Closest("traditional classic", 2), ElementsAre("old_school", "traditional"));
  // A style's name inside a one-word query counts as a shared word.
  EXPECT_EQ(Tax().Closest("oldschoolish", 1), std::vector<std::string>{"old_school"});
  EXPECT_THAT(Tax().Closest("Realism portraits", 2), UnorderedElementsAre("portrait", "realism"));
  EXPECT_THAT(Tax().Closest("fine line work", 2), Contains("fineline"));
}

TEST(StyleTaxonomyResolve, LongNamesAreCutInMessages) {
  const std::string name(5000, 'q');
  absl::StatusOr<int> r = Tax().Resolve(name, "styles");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 400u);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("...'"));
}

TEST(StyleTaxonomyClosest, DeduplicatedBoundedAndTiesById) {
  const std::vector<std::string> all = Tax().Closest("x", 1000);
  EXPECT_THAT(all, SizeIs(Tax().size()));
  std::vector<std::string> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
  EXPECT_TRUE(Tax().Closest("x", 0).empty());
  EXPECT_TRUE(Tax().Closest("x", -1).empty());

  absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Parse("bbb\tB\nccc\tC\naaa\tA\n");
  ASSERT_TRUE(tax.ok()) << tax.status();
  // All three are at distance 3 from "zzz": ties come back ordered by id.
  EXPECT_THAT(tax->Closest("zzz", 3), ElementsAre("aaa", "bbb", "ccc"));
  EXPECT_THAT(tax->Closest("ccb", 2), ElementsAre("ccc", "bbb"));
}

TEST(StyleTaxonomyClosest, AliasesCountForTheirStyle) {
  absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Parse("alpha\tAlpha\tzebra\nbeta\tBeta\n");
  ASSERT_TRUE(tax.ok()) << tax.status();
  EXPECT_THAT(tax->Closest("zebr", 2), ElementsAre("alpha", "beta"));
}

TEST(EditDistance, CountsEditsAndTranspositions) {
  using internal::EditDistance;
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("abc", ""), 3);
  EXPECT_EQ(EditDistance("", "ab"), 2);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("tarditional", "traditional"), 1);
  EXPECT_EQ(EditDistance("dotwork", "dotwork"), 0);
}

TEST(StyleTaxonomyParse, AcceptsCommentsBlankLinesAndCrlf) {
  absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Parse(
      "# comment\r\n\r\nfoo\tFoo Style\tfu|foo-ish | \r\n  # indented comment\nbar_2\tBar\n");
  ASSERT_TRUE(tax.ok()) << tax.status();
  ASSERT_EQ(tax->size(), 2);
  EXPECT_EQ(tax->style(0).id, "foo");
  EXPECT_EQ(tax->style(0).display_name, "Foo Style");
  EXPECT_THAT(tax->style(0).aliases, ElementsAre("fu", "foo-ish"));
  EXPECT_TRUE(tax->style(1).aliases.empty());
  EXPECT_EQ(tax->Find("Foo Ish"), 0);
  EXPECT_EQ(tax->Find("BAR 2"), 1);
}

TEST(StyleTaxonomyParse, SameStyleMayListEquivalentSpellings) {
  absl::StatusOr<StyleTaxonomy> tax =
      StyleTaxonomy::Parse("fineline\tFine Line\tfine line|fine-line|fine_line\n");
  ASSERT_TRUE(tax.ok()) << tax.status();
}

struct BadFileCase {
  const char* name;
  std::string text;
  const char* message;
};

// Test names (and CTest's) show the case's name, not its bytes.
void PrintTo(const BadFileCase& c, std::ostream* os) { *os << c.name; }

class StyleTaxonomyParseErrorTest : public ::testing::TestWithParam<BadFileCase> {};

TEST_P(StyleTaxonomyParseErrorTest, NamesLineAndReason) {
  absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Parse(GetParam().text);
  ASSERT_FALSE(tax.ok());
  EXPECT_EQ(tax.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(tax.status().message()), HasSubstr(GetParam().message));
}

std::string ManyStyles(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += "s" + std::to_string(i) + "\tStyle\n";
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, StyleTaxonomyParseErrorTest,
    ::testing::Values(
        BadFileCase{"Empty", "", "no styles defined"},
        BadFileCase{"OnlyComments", "# nothing\n\n", "no styles defined"},
        BadFileCase{"DuplicateId", "a\tA\nb\tB\na\tA again\n",
                    "line 3: duplicate style id 'a' (first defined on line 1)"},
        BadFileCase{"AliasTwoStyles", "a\tA\tshared\nb\tB\tShared\n",
                    "line 2: alias 'Shared' of style 'b' already names style 'a'"},
        BadFileCase{"IdCollidesWithAlias", "a\tA\tbee\nbee\tB\n",
                    "line 2: id 'bee' of style 'bee' already names style 'a'"},
        BadFileCase{"IdsEqualAfterNormalizing", "old_school\tA\noldschool\tB\n",
                    "line 2: id 'oldschool' of style 'oldschool' already names style 'old_school'"},
        BadFileCase{"UppercaseId", "Blackwork\tB\n", "line 1: style id 'Blackwork' must be"},
        BadFileCase{"HyphenId", "cover-up\tC\n", "line 1: style id 'cover-up' must be"},
        BadFileCase{"DigitFirstId", "3d\tThree D\n", "line 1: style id '3d' must be"},
        BadFileCase{"EmptyId", "\tNo Id\n", "line 1: style id '' must be"},
        BadFileCase{"OneField", "# c\nlonely\n", "line 2: expected 'id<TAB>Display Name"},
        BadFileCase{"FourFields", "a\tA\tx\ty\n", "line 1: expected"},
        BadFileCase{"EmptyDisplayName", "a\t \n", "line 1: style 'a' has an empty display name"},
        BadFileCase{"AliasWithoutLetters", "a\tA\t&&\n", "line 1: alias '&&' of style 'a' has no"},
        BadFileCase{"TooManyStyles", ManyStyles(65), "line 65: more than 64 styles"}),
    [](const ::testing::TestParamInfo<BadFileCase>& info) { return info.param.name; });

TEST(StyleTaxonomyParse, ExactlyMaxStylesIsAccepted) {
  absl::StatusOr<StyleTaxonomy> tax = StyleTaxonomy::Parse(ManyStyles(StyleTaxonomy::kMaxStyles));
  ASSERT_TRUE(tax.ok()) << tax.status();
  EXPECT_EQ(tax->size(), StyleTaxonomy::kMaxStyles);
}

TEST(StyleTaxonomyFromFile, ReadsShippedFileLikeDefault) {
  absl::StatusOr<StyleTaxonomy> tax =
      StyleTaxonomy::FromFile(std::string(INKDEX_SOURCE_DIR) + "/data/styles.tsv");
  ASSERT_TRUE(tax.ok()) << tax.status();
  ASSERT_EQ(tax->size(), Tax().size());
  for (int i = 0; i < tax->size(); ++i) EXPECT_EQ(tax->style(i).id, Tax().style(i).id);
}

TEST(StyleTaxonomyFromFile, ErrorsNameThePath) {
  absl::StatusOr<StyleTaxonomy> missing = StyleTaxonomy::FromFile("/nonexistent/styles.tsv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/nonexistent/styles.tsv"));

  const std::string path = ::testing::TempDir() + "/bad_styles.tsv";
  {
    std::ofstream out(path);
    out << "a\tA\na\tA\n";
  }
  absl::StatusOr<StyleTaxonomy> bad = StyleTaxonomy::FromFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            path + ": line 2: duplicate style id 'a' (first defined on line 1)");
  std::remove(path.c_str());
}

TEST(StyleTaxonomyThreads, ConcurrentLookupsAgree) {
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &mismatches] {
      for (int i = 0; i < 2000; ++i) {
        if (IdOf("Neo Traditional") != "neo_traditional") ++mismatches[t];
        if (Tax().Closest("watercolr", 1)[0] != "watercolour") ++mismatches[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

}  // namespace
}  // namespace inkdex
