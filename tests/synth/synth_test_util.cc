#include "synth_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "synth/word_lists.h"

namespace inkdex::synth {

std::string GenerateText(const SynthOptions& options) {
  std::string text;
  absl::Status s = WriteArtists(options, [&](std::string_view chunk) {
    text.append(chunk);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return text;
}

std::vector<std::string> GenerateLines(const SynthOptions& options) {
  std::string text = GenerateText(options);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  EXPECT_EQ(start, text.size()) << "output does not end with a newline";
  return lines;
}

std::vector<nlohmann::json> GenerateRecords(const SynthOptions& options) {
  std::vector<nlohmann::json> records;
  for (const std::string& line : GenerateLines(options)) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << line;
    records.push_back(std::move(j));
  }
  return records;
}

bool IsCanonicalStyle(const std::string& s) {
  WordList ids = StyleIdsByPopularity();
  return std::find(ids.begin(), ids.end(), s) != ids.end();
}

}  // namespace inkdex::synth
