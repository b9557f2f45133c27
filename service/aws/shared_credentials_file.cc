#include "aws/shared_credentials_file.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace inkdex::aws {
namespace {

constexpr absl::string_view kSource = "shared credentials file";

}  // namespace

absl::StatusOr<IniSections> ParseIni(absl::string_view text, absl::string_view file_name) {
  IniSections sections;
  std::map<std::string, std::string>* current = nullptr;
  int line_number = 0;
  for (absl::string_view raw_line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (!raw_line.empty() && (raw_line.front() == ' ' || raw_line.front() == '\t')) continue;
    absl::string_view line = absl::StripAsciiWhitespace(raw_line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto malformed = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(kSource, " ", file_name, " line ", line_number, ": ", why));
    };
    if (line.front() == '[') {
      if (line.back() != ']') return malformed("section header without closing ']'");
      std::string name(absl::StripAsciiWhitespace(line.substr(1, line.size() - 2)));
      if (name.empty()) return malformed("empty section name");
      current = &sections[name];
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos) return malformed("expected \"key = value\"");
    if (current == nullptr) return malformed("\"key = value\" before any [section]");
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, equals)));
    if (key.empty()) return malformed("empty key");
    (*current)[std::move(key)] = std::string(absl::StripAsciiWhitespace(line.substr(equals + 1)));
  }
  return sections;
}

SharedCredentialsFileProvider::SharedCredentialsFileProvider(Environment env)
    : env_(std::move(env)) {}

absl::StatusOr<Credentials> SharedCredentialsFileProvider::GetCredentials() {
  std::string path;
  if (std::optional<std::string> explicit_path = env_("AWS_SHARED_CREDENTIALS_FILE")) {
    path = *explicit_path;
  } else if (std::optional<std::string> home = env_("HOME")) {
    path = absl::StrCat(*home, "/.aws/credentials");
  } else {
    return absl::NotFoundError(
        absl::StrCat(kSource, ": neither AWS_SHARED_CREDENTIALS_FILE nor HOME is set"));
  }
  const std::optional<std::string> profile_variable = env_("AWS_PROFILE");
  const std::string profile = profile_variable.value_or("default");

  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(kSource, " ", path, ": cannot be opened"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat(kSource, " ", path, ": read error"));

  absl::StatusOr<IniSections> sections = ParseIni(text.str(), path);
  if (!sections.ok()) return sections.status();
  auto section = sections->find(profile);
  if (section == sections->end()) {
    const std::string message = absl::StrCat(kSource, " ", path, ": no profile [", profile, "]",
                                             profile_variable ? " (named by AWS_PROFILE)" : "");
    if (profile_variable) return absl::FailedPreconditionError(message);
    return absl::NotFoundError(message);
  }
  const std::map<std::string, std::string>& keys = section->second;
  auto value_of = [&keys](const std::string& key) -> std::string {
    auto it = keys.find(key);
    return it == keys.end() ? std::string() : it->second;
  };
  Credentials credentials;
  credentials.access_key_id = value_of("aws_access_key_id");
  credentials.secret_access_key = value_of("aws_secret_access_key");
  credentials.session_token = value_of("aws_session_token");
  for (const auto& [key, value] :
       {std::pair{"aws_access_key_id", &credentials.access_key_id},
        std::pair{"aws_secret_access_key", &credentials.secret_access_key}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kSource, " ", path, ": profile [", profile, "] has no ", key));
    }
  }
  credentials.source = absl::StrCat(kSource, " ", path, " profile ", profile);
  return credentials;
}

}  // namespace inkdex::aws
