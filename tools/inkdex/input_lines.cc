#include "input_lines.h"

#include "absl/strings/str_cat.h"
#include "input_reader.h"

namespace inkdex::cli {

absl::Status ForEachInputLine(const std::vector<std::string>& inputs,
                              const std::function<absl::Status(InputLine)>& on_line) {
  for (const std::string& input : inputs) {
    auto reader = LineReader::Open(input);
    if (!reader.ok()) return reader.status();
    std::string text;
    bool oversized = false;
    while ((*reader)->Next(&text, &oversized)) {
      absl::Status status =
          on_line({absl::StrCat(input, ":", (*reader)->line_number()), text, oversized});
      if (!status.ok()) return status;
    }
    if (!(*reader)->status().ok()) return (*reader)->status();
  }
  return absl::OkStatus();
}

}  // namespace inkdex::cli
