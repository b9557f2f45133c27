#include "server/emf_publisher.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace inkdex::server {

namespace {

// CloudWatch's dimension and namespace characters: ASCII, no control
// characters. Spaces are allowed inside but a value of spaces only is not.
bool PrintableAscii(absl::string_view s) {
  bool visible = false;
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
    visible |= c != ' ';
  }
  return visible;
}

const EmfMetric* FindEmfMetric(absl::string_view name) {
  for (const EmfMetric& m : kEmfMetrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string KnownEmfMetrics() {
  std::vector<absl::string_view> names;
  for (const EmfMetric& m : kEmfMetrics) names.push_back(m.name);
  return absl::StrJoin(names, ", ");
}

bool Selected(const EmfMetric& metric, const prometheus::ClientMetric& series) {
  if (metric.label.empty()) return true;
  for (const prometheus::ClientMetric::Label& l : series.label) {
    if (l.name != metric.label) continue;
    for (absl::string_view v : absl::StrSplit(metric.values, ',')) {
      if (l.value == v) return true;
    }
    return false;
  }
  return false;
}

// The metric's value over `family`, or nullopt when no series is selected.
std::optional<double> Aggregate(const EmfMetric& metric, const prometheus::MetricFamily& family) {
  std::optional<double> value;
  for (const prometheus::ClientMetric& series : family.metric) {
    if (!Selected(metric, series)) continue;
    double v = 0;
    switch (family.type) {
      case prometheus::MetricType::Counter:
        v = series.counter.value;
        break;
      case prometheus::MetricType::Gauge:
        v = series.gauge.value;
        break;
      default:
        continue;  // histograms and summaries are not published
    }
    if (!value.has_value()) {
      value = v;
    } else if (metric.aggregation == EmfAggregation::kGaugeMax) {
      value = std::max(*value, v);
    } else {
      *value += v;
    }
  }
  return value;
}

}  // namespace

std::vector<std::string> DefaultEmfMetrics(bool with_table) {
  std::vector<std::string> names;
  for (const EmfMetric& m : kEmfMetrics) {
    if (with_table || !m.needs_table) names.emplace_back(m.name);
  }
  return names;
}

absl::Status CheckEmfNamespace(absl::string_view ns, absl::string_view flag) {
  if (ns.empty() || ns.size() > 255) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": must be 1..255 characters"));
  }
  if (!PrintableAscii(ns)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": '", ns, "' must be printable ASCII (CloudWatch namespaces are)"));
  }
  if (ns.front() == ':' || absl::StartsWith(ns, "AWS/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": '", ns, "' must not begin with ':' or 'AWS/' (reserved for AWS services)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseEmfDimensions(
    absl::string_view text, absl::string_view flag) {
  std::vector<std::pair<std::string, std::string>> dimensions;
  if (text.empty()) return dimensions;
  absl::flat_hash_set<std::string> names;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": '", item, "' is not Name=Value (dimensions are comma-separated)"));
    }
    const std::string name(item.substr(0, eq));
    const std::string value(item.substr(eq + 1));
    const std::string what = absl::StrCat(flag, ": dimension '", name, "'");
    if (name.empty() || name.size() > 250 || !PrintableAscii(name) || name.front() == ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": a name must be 1..250 printable ASCII characters, not beginning with ':'"));
    }
    if (value.empty() || value.size() > 1024 || !PrintableAscii(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": its value must be 1..1024 printable ASCII characters"));
    }
    if (name == "ts" || name == "level" || name == "event" || name == "_aws" ||
        FindEmfMetric(name) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the name is a log field's or a metric's"));
    }
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": given twice"));
    }
    dimensions.emplace_back(name, value);
  }
  if (dimensions.size() > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", dimensions.size(), " dimensions, at most 30"));
  }
  return dimensions;
}

absl::StatusOr<std::vector<std::string>> ParseEmfMetrics(absl::string_view text,
                                                         absl::string_view flag) {
  std::vector<std::string> metrics;
  if (text.empty() || text == "all") return metrics;
  absl::flat_hash_set<std::string> seen;
  for (absl::string_view name : absl::StrSplit(text, ',')) {
    name = absl::StripAsciiWhitespace(name);
    if (FindEmfMetric(name) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, ": unknown metric '", name, "'; known: all, ", KnownEmfMetrics()));
    }
    if (seen.insert(std::string(name)).second) metrics.emplace_back(name);
  }
  return metrics;
}

EmfFormat::EmfFormat(EmfFormatOptions options) : options_(std::move(options)) {
  if (options_.metrics.empty()) {
    for (const EmfMetric& m : kEmfMetrics) metrics_.push_back(&m);
  } else {
    for (const std::string& name : options_.metrics) {
      if (const EmfMetric* m = FindEmfMetric(name)) metrics_.push_back(m);
    }
  }
}

nlohmann::ordered_json EmfFormat::Format(const std::vector<prometheus::MetricFamily>& families,
                                         absl::Time now) {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  nlohmann::ordered_json definitions = nlohmann::ordered_json::array();
  for (const EmfMetric* metric : metrics_) {
    const auto family =
        std::find_if(families.begin(), families.end(),
                     [&](const prometheus::MetricFamily& f) { return f.name == metric->family; });
    const bool counter = metric->aggregation == EmfAggregation::kCounterDelta;
    std::optional<double> value;
    if (family != families.end()) value = Aggregate(*metric, *family);
    // A counter's series (and, with them, its family in a Collect) appear
    // with its first event: none yet is 0.
    if (counter && !value.has_value()) value = 0;
    if (!value.has_value() || !std::isfinite(*value)) continue;
    if (counter) {
      double& last = last_totals_[metric->name];
      // A total below the last one (a series removed) restarts the count.
      const double growth = *value >= last ? *value - last : 0;
      last = *value;
      value = growth;
    }
    definitions.push_back({{"Name", metric->name}, {"Unit", metric->unit}});
    values[std::string(metric->name)] = *value;
  }
  nlohmann::ordered_json dimension_names = nlohmann::ordered_json::array();
  for (const auto& [name, value] : options_.dimensions) dimension_names.push_back(name);
  nlohmann::ordered_json doc = {
      {"_aws",
       {{"Timestamp", absl::ToUnixMillis(now)},
        {"CloudWatchMetrics",
         nlohmann::ordered_json::array(
             {{{"Namespace", options_.cloudwatch_namespace},
               {"Dimensions", nlohmann::ordered_json::array({std::move(dimension_names)})},
               {"Metrics", std::move(definitions)}}})}}}};
  for (const auto& [name, value] : options_.dimensions) doc[name] = value;
  doc.update(values);
  return doc;
}

EmfPublisher::EmfPublisher(Options options)
    : options_(std::move(options)), format_(options_.format), thread_([this] { Loop(); }) {}

EmfPublisher::~EmfPublisher() { Stop(); }

void EmfPublisher::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // Returns early only when stopping.
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      if (stopping_) return;
    }
    PublishNow();
  }
}

void EmfPublisher::PublishNow() {
  absl::MutexLock lock(&publish_mu_);
  if (options_.refresh) options_.refresh();
  const std::vector<prometheus::MetricFamily> families = options_.registry->Collect();
  options_.log->EventUnfiltered(LogLevel::kInfo, "metrics", format_.Format(families, absl::Now()));
}

void EmfPublisher::Stop() {
  absl::MutexLock stop(&stop_mu_);
  if (stopped_) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  PublishNow();
  stopped_ = true;
}

}  // namespace inkdex::server
