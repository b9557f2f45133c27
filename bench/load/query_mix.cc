#include "query_mix.h"

#include <cmath>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "api/convert.h"

namespace inkdex::bench::load {
namespace {

size_t ClassIndex(QueryClass c) { return static_cast<size_t>(c); }

// Abseil's string_view is its own type here, not std::string_view.
absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view StdView(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// A uniform double in [0, 1) from the engine's top 53 bits: the same on every
// platform, unlike std::uniform_real_distribution.
double UniformUnit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

MixWeights DefaultMix() { return {35, 15, 25, 10, 14, 1}; }

absl::StatusOr<MixWeights> ParseMix(std::string_view spec) {
  MixWeights weights{};
  std::array<bool, kClassCount> seen{};
  for (absl::string_view item : absl::StrSplit(AbslView(spec), ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    const std::vector<absl::string_view> parts = absl::StrSplit(item, '=');
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mix: \"", item, "\": expected CLASS=WEIGHT, e.g. Q1_local=35"));
    }
    const std::optional<QueryClass> c =
        ParseQueryClass(StdView(absl::StripAsciiWhitespace(parts[0])));
    if (!c.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mix: \"", item, "\": unknown class (Q1_local..Q6_wide, or Q1..Q6)"));
    }
    if (seen[ClassIndex(*c)]) {
      return absl::InvalidArgumentError(absl::StrCat("--mix: \"", item, "\": class ",
                                                     AbslView(QueryClassName(*c)), " given twice"));
    }
    seen[ClassIndex(*c)] = true;
    double w = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(parts[1]), &w) || !std::isfinite(w) || w < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mix: \"", item, "\": the weight must be a number >= 0"));
    }
    weights[ClassIndex(*c)] = w;
  }
  double total = 0;
  for (double w : weights) total += w;
  if (total <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mix: \"", AbslView(spec), "\": at least one class needs a weight > 0"));
  }
  return weights;
}

std::string MixToString(const MixWeights& weights) {
  std::vector<std::string> items;
  for (QueryClass c : AllQueryClasses()) {
    const double w = weights[ClassIndex(c)];
    if (w > 0) items.push_back(absl::StrCat(AbslView(QueryClassName(c)), "=", w));
  }
  return absl::StrJoin(items, ",");
}

absl::StatusOr<QueryMix> QueryMix::Create(const MixWeights& weights, size_t per_class,
                                          size_t plan_length, uint64_t seed) {
  std::vector<WireQuery> queries;
  for (QueryClass c : AllQueryClasses()) {
    if (weights[ClassIndex(c)] <= 0) continue;
    for (const BenchQuery& q : MakeQueries(c, per_class)) {
      WireQuery wire;
      wire.query_class = c;
      if (wire.is_suggest()) {
        wire.suggest = api::ToProto(q.suggest);
      } else {
        wire.search = api::ToProto(q.search);
      }
      queries.push_back(std::move(wire));
    }
  }
  return FromQueries(std::move(queries), weights, plan_length, seed);
}

absl::StatusOr<QueryMix> QueryMix::FromQueries(std::vector<WireQuery> queries,
                                               const MixWeights& weights, size_t plan_length,
                                               uint64_t seed) {
  if (plan_length == 0) return absl::InvalidArgumentError("plan_length: must be > 0");
  std::array<std::vector<uint32_t>, kClassCount> by_class;
  for (size_t i = 0; i < queries.size(); ++i) {
    by_class[ClassIndex(queries[i].query_class)].push_back(static_cast<uint32_t>(i));
  }
  double total = 0;
  for (QueryClass c : AllQueryClasses()) {
    const double w = weights[ClassIndex(c)];
    if (!std::isfinite(w) || w < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("weights: ", AbslView(QueryClassName(c)), " must be a number >= 0"));
    }
    if (w > 0 && by_class[ClassIndex(c)].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("queries: class ", AbslView(QueryClassName(c)),
                                                     " has a weight but no queries"));
    }
    total += w;
  }
  if (total <= 0) return absl::InvalidArgumentError("weights: at least one must be > 0");

  QueryMix mix;
  mix.weights_ = weights;
  mix.queries_ = std::move(queries);
  mix.plan_.reserve(plan_length);
  std::mt19937_64 rng(seed);
  std::array<size_t, kClassCount> next{};
  for (size_t i = 0; i < plan_length; ++i) {
    double u = UniformUnit(rng) * total;
    size_t chosen = kClassCount;
    for (size_t c = 0; c < kClassCount; ++c) {
      if (weights[c] <= 0) continue;
      chosen = c;  // the last positive class absorbs rounding at the top end
      if (u < weights[c]) break;
      u -= weights[c];
    }
    const std::vector<uint32_t>& list = by_class[chosen];
    mix.plan_.push_back(list[next[chosen]++ % list.size()]);
  }
  return mix;
}

}  // namespace inkdex::bench::load
