// inkdex_bench_queries: prints the benchmark query sets (query_set.h) as JSON
// lines, so that load generators and peer systems outside C++ run exactly
// the queries the library benchmarks run.
//
//   inkdex_bench_queries [--count=1000] [--class=Q1_local]   # default: all classes
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "query_set.h"

int main(int argc, char** argv) {
  using inkdex::bench::QueryClass;
  size_t count = 1000;
  std::vector<QueryClass> classes;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--count=") && absl::SimpleAtoi(std::string(arg.substr(8)), &count) &&
        count > 0) {
      continue;
    }
    if (arg.starts_with("--class=")) {
      if (auto c = inkdex::bench::ParseQueryClass(arg.substr(8)); c.has_value()) {
        classes.push_back(*c);
        continue;
      }
    }
    std::cerr << "bad argument: " << arg << "\n"
              << "usage: inkdex_bench_queries [--count=N] [--class=Q1_local|Q1|...]...\n";
    return 2;
  }
  if (classes.empty()) {
    const auto all = inkdex::bench::AllQueryClasses();
    classes.assign(all.begin(), all.end());
  }
  for (QueryClass c : classes) {
    for (const auto& q : inkdex::bench::MakeQueries(c, count)) {
      std::cout << inkdex::bench::QueryToJson(q) << "\n";
    }
  }
  return 0;
}
