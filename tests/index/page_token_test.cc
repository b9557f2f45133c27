// Page tokens across spellings of one query: a token continues any request
// that asks the same thing (text case and spacing, style aliases and order,
// the date given or left to default), and is refused for a different one.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/test_util.h"
#include "inkdex/index.h"

namespace inkdex {
namespace {

using ::inkdex::testing::HitIds;
using ::inkdex::testing::MakeArtist;
using ::testing::HasSubstr;

using testing::kLeedsLat;
using testing::kLeedsLon;

std::string Today() {
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()));
}

class PageTokenTest : public testing::IndexDirTest {
 protected:
  void SetUp() override {
    IndexDirTest::SetUp();
    WriteBatch b;
    for (int i = 0; i < 12; ++i) {
      Artist a = MakeArtist("a" + std::to_string(i), "Artist " + std::to_string(i),
                            kLeedsLat + 0.01 * i, kLeedsLon, {"fineline", "watercolour"});
      a.set_biography("Rose tattoos and Łukasz's lettering");
      b.Upsert(std::move(a));
    }
    ASSERT_TRUE(index_->Apply(b).ok());
  }

  SearchRequest Query() {
    SearchRequest q;
    q.text = "rose tattoos";
    q.point = GeoPoint{kLeedsLat, kLeedsLon};
    q.styles = {"fineline", "watercolour"};
    q.limit = 4;
    return q;
  }

  // The second page of `first` continued by `next` (its page token set).
  absl::StatusOr<SearchResponse> SecondPage(const SearchRequest& first, SearchRequest next) {
    absl::StatusOr<SearchResponse> page = index_->Search(first);
    if (!page.ok()) return page.status();
    EXPECT_FALSE(page->next_page_token.empty());
    next.page_token = page->next_page_token;
    return index_->Search(next);
  }
};

TEST_F(PageTokenTest, SpellingsOfTheSameQueryContinueEachOther) {
  absl::StatusOr<SearchResponse> expected = SecondPage(Query(), Query());
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_EQ(expected->hits.size(), 4u);
  std::vector<SearchRequest> spellings(4, Query());
  spellings[0].text = "  Rose\tTATTOOS ";
  spellings[1].styles = {"Watercolor", "fine-line"};
  spellings[2].styles = {"fine line", "watercolour", "fineline"};
  spellings[3].text = "ROSE tattoos";
  spellings[3].styles = {"watercolour", "Fine Line"};
  for (const SearchRequest& next : spellings) {
    absl::StatusOr<SearchResponse> page = SecondPage(Query(), next);
    ASSERT_TRUE(page.ok()) << next.text << ": " << page.status();
    EXPECT_EQ(HitIds(*page), HitIds(*expected)) << next.text;
  }
  // Accents fold as the index folds them.
  SearchRequest accented = Query();
  accented.text = "Łukasz";
  SearchRequest plain = Query();
  plain.text = "lukasz";
  absl::StatusOr<SearchResponse> page = SecondPage(accented, plain);
  EXPECT_TRUE(page.ok()) << page.status();
}

TEST_F(PageTokenTest, DifferentQueriesAreRefused) {
  std::vector<SearchRequest> others(4, Query());
  others[0].text = "rose tattoo";       // another word
  others[1].text = "\"rose tattoos\"";  // a phrase
  others[2].styles = {"fineline"};
  others[3].style_match = StyleMatch::kAll;
  for (const SearchRequest& next : others) {
    absl::StatusOr<SearchResponse> page = SecondPage(Query(), next);
    ASSERT_FALSE(page.ok()) << next.text;
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(page.status().message(), HasSubstr("page_token: was issued for a different query"));
  }
}

// The day is the first page's, whether that page named it or took today's:
// a later page may name the same day or none, but not another.
TEST_F(PageTokenTest, ThePagingSessionKeepsTheFirstPagesDay) {
  SearchRequest dated = Query();
  dated.date = Today();
  absl::StatusOr<SearchResponse> expected = SecondPage(Query(), Query());
  ASSERT_TRUE(expected.ok());
  absl::StatusOr<SearchResponse> page = SecondPage(Query(), dated);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(HitIds(*page), HitIds(*expected));
  page = SecondPage(dated, Query());
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(HitIds(*page), HitIds(*expected));

  SearchRequest other_day = Query();
  other_day.date = "2026-01-01";
  page = SecondPage(Query(), other_day);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(),
            "page_token: was issued for the date " + Today() + ", not 2026-01-01");
  page = SecondPage(other_day, dated);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().message(),
            "page_token: was issued for the date 2026-01-01, not " + Today());
  page = SecondPage(other_day, Query());
  EXPECT_TRUE(page.ok()) << page.status();
}

}  // namespace
}  // namespace inkdex
