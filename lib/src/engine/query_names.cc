// Names of the query enums, shared by the CLI, the service and the tests.
#include "inkdex/query.h"

namespace inkdex {

const char* SortOrderName(SortOrder sort) {
  switch (sort) {
    case SortOrder::kRelevance:
      return "relevance";
    case SortOrder::kDistance:
      return "distance";
    case SortOrder::kRating:
      return "rating";
    case SortOrder::kPriceAsc:
      return "price_asc";
    case SortOrder::kPriceDesc:
      return "price_desc";
  }
  return "relevance";
}

std::optional<SortOrder> ParseSortOrder(std::string_view name) {
  for (SortOrder s : {SortOrder::kRelevance, SortOrder::kDistance, SortOrder::kRating,
                      SortOrder::kPriceAsc, SortOrder::kPriceDesc}) {
    if (name == SortOrderName(s)) return s;
  }
  return std::nullopt;
}

const char* SuggestionKindName(Suggestion::Kind kind) {
  switch (kind) {
    case Suggestion::Kind::kArtist:
      return "artist";
    case Suggestion::Kind::kStudio:
      return "studio";
    case Suggestion::Kind::kStyle:
      return "style";
    case Suggestion::Kind::kCity:
      return "city";
  }
  return "artist";
}

}  // namespace inkdex
