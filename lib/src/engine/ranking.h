// Ranker: the sort key and relevance score of a match (README "Ranking").
//
//   score = text_weight * t / (1 + t)
//         + distance_weight * exp(-d / distance_scale_km)   (with a point or viewport)
//         + quality_weight * bayes / 5
//   bayes = (prior_weight * prior_rating + rating * reviews) / (prior_weight + reviews)
//
// t is the Xapian TF weight (TfIdfWeight "lnn": depends on the document and
// the query only). Every part depends on the artist and the query alone, so
// an artist's key is the same on every page of a paging session however the
// rest of the index changes.
//
// Keys sort ascending: relevance uses -score, rating -rating, price_desc
// -rate; a missing rating or rate sorts last (+inf).
//
// Thread safety: immutable after construction.
#ifndef INKDEX_ENGINE_RANKING_H_
#define INKDEX_ENGINE_RANKING_H_

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/query_plan.h"
#include "engine/row.h"
#include "inkdex/query.h"

namespace inkdex::engine {

class Ranker {
 public:
  Ranker(const SearchRequest& r, const QueryPlan& p)
      : o_(r.ranking),
        sort_(p.sort),
        has_ref_(p.has_ref),
        has_text_(!r.text.empty()),
        currency_(p.currency) {}

  double Bayes(const HotRow& row) const {
    // A rating without a review count weighs as one review.
    const double n = std::isnan(row.rating) ? 0 : std::max<uint32_t>(row.review_count, 1);
    const double denom = o_.prior_weight + n;
    if (denom <= 0) return o_.prior_rating;
    return (o_.prior_weight * o_.prior_rating + (n > 0 ? row.rating * n : 0)) / denom;
  }

  ScoreExplanation Explain(const HotRow& row, double dist, double t) const {
    ScoreExplanation e;
    e.text_raw = t;
    e.text = has_text_ ? o_.text_weight * t / (1 + t) : 0;
    e.distance = has_ref_ && !std::isnan(dist)
                     ? o_.distance_weight * std::exp(-dist / o_.distance_scale_km)
                     : 0;
    e.quality_raw = Bayes(row);
    e.quality = o_.quality_weight * e.quality_raw / 5;
    return e;
  }

  double Key(const HotRow& row, double dist, double t) const {
    constexpr double kLast = std::numeric_limits<double>::infinity();
    switch (sort_) {
      case SortOrder::kRelevance: {
        const ScoreExplanation e = Explain(row, dist, t);
        return -(e.text + e.distance + e.quality);
      }
      case SortOrder::kDistance:
        return std::isnan(dist) ? kLast : dist;
      case SortOrder::kRating:
        return std::isnan(row.rating) ? kLast : -static_cast<double>(row.rating);
      case SortOrder::kPriceAsc: {
        const double rate = RateIn(row, currency_);
        return std::isnan(rate) ? kLast : rate;
      }
      case SortOrder::kPriceDesc: {
        const double rate = RateIn(row, currency_);
        return std::isnan(rate) ? kLast : -rate;
      }
    }
    return kLast;
  }

  // A key that no match farther than `radius_km` from the point can beat,
  // given the largest text weight and Bayesian rating among the matches.
  // Only meaningful for the distance-dependent sorts.
  double KeyBoundOutside(double radius_km, double max_text, double max_bayes) const {
    if (sort_ == SortOrder::kDistance) return radius_km;
    return -((has_text_ ? o_.text_weight * max_text / (1 + max_text) : 0) +
             o_.distance_weight * std::exp(-radius_km / o_.distance_scale_km) +
             o_.quality_weight * max_bayes / 5);
  }

 private:
  RankingOptions o_;
  SortOrder sort_;
  bool has_ref_;
  bool has_text_;
  uint16_t currency_;
};

}  // namespace inkdex::engine

#endif  // INKDEX_ENGINE_RANKING_H_
