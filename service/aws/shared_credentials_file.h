// SharedCredentialsFileProvider: credentials from the AWS shared
// credentials file, an INI file of profiles:
//
//   [default]
//   aws_access_key_id = AKIA...
//   aws_secret_access_key = ...
//   aws_session_token = ...        (optional)
//
// The file is AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials; the
// profile is AWS_PROFILE, else "default". The file is read on every call
// (wrap the provider in a CachingCredentialsProvider).
//
// Errors: NotFound when the file does not exist, or when the default
// profile is not in it (other sources may apply). FailedPrecondition when
// AWS_PROFILE names a profile the file does not have (an explicit choice
// that cannot be honoured). InvalidArgument naming the file, line or
// profile and key when the file is malformed or the profile lacks a key.
//
// Thread safety: safe to call concurrently.
#ifndef INKDEX_SERVICE_AWS_SHARED_CREDENTIALS_FILE_H_
#define INKDEX_SERVICE_AWS_SHARED_CREDENTIALS_FILE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aws/credentials.h"

namespace inkdex::aws {

class SharedCredentialsFileProvider final : public CredentialsProvider {
 public:
  explicit SharedCredentialsFileProvider(Environment env);
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  Environment env_;
};

// section name -> (key -> value), keys lower-cased. Comment lines start
// with '#' or ';'; indented lines (nested sub-sections) are skipped.
// `file_name` is used in errors.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
absl::StatusOr<IniSections> ParseIni(absl::string_view text, absl::string_view file_name);

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_SHARED_CREDENTIALS_FILE_H_
