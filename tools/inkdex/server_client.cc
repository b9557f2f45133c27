#include "server_client.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/convert.h"
#include "cli_common.h"

namespace inkdex::cli {

namespace {

// Replies bigger than gRPC's 4 MiB default (a long page of explained hits)
// must not fail on the client side; the server caps what it sends.
constexpr int kMaxReceiveMessageBytes = 64 << 20;

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": cannot read it"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": read error"));
  return text.str();
}

// Metadata values may only hold printable ASCII; anything else would be
// refused by gRPC at send time with a less helpful message.
absl::Status CheckTokenText(absl::string_view token, absl::string_view source) {
  if (token.empty())
    return absl::InvalidArgumentError(absl::StrCat(source, ": the token is empty"));
  for (char c : token) {
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": the token may only hold printable ASCII characters"));
    }
  }
  return absl::OkStatus();
}

std::string TokenHint(const ServerFlags& flags) {
  return flags.access == Access::kWrite ? "pass --token-file FILE or set INKDEX_WRITE_TOKEN"
                                        : "pass --token-file FILE or set INKDEX_READ_TOKEN";
}

}  // namespace

void AddServerFlags(CLI::App& command, ServerFlags& flags, Access access, bool required) {
  flags.access = access;
  CLI::Option_group* group = command.add_option_group(
      "Server", required ? "The inkdex-server to send the changes to"
                         : "Ask a running inkdex-server instead of opening --index");
  flags.server_option =
      group->add_option("--server", flags.address, "Address of inkdex-server, HOST:PORT")
          ->type_name("HOST:PORT");
  if (required) flags.server_option->required();
  group->add_flag("--tls", flags.tls, "Connect with TLS, trusting the system's CA certificates")
      ->needs(flags.server_option);
  group
      ->add_option("--tls-ca", flags.tls_ca_file,
                   "Connect with TLS, trusting this CA certificate (PEM) instead")
      ->type_name("FILE")
      ->needs(flags.server_option);
  group
      ->add_option("--timeout-ms", flags.timeout_ms,
                   absl::StrCat("Deadline of each request to the server, ms (default ",
                                flags.timeout_ms, ")"))
      ->check(CLI::Range(1, 24 * 3600 * 1000))
      ->needs(flags.server_option);
  group
      ->add_option("--token-file", flags.token_file,
                   access == Access::kWrite
                       ? "File holding the server's write token (default: $INKDEX_WRITE_TOKEN, "
                         "else $INKDEX_TOKEN)"
                       : "File holding a token, for a server started with a read token "
                         "(default: $INKDEX_READ_TOKEN, else $INKDEX_TOKEN)")
      ->type_name("FILE")
      ->needs(flags.server_option);
}

void AddIndexOrServerFlags(CLI::App& command, IndexOrServerFlags& flags, Access access) {
  flags.index_option = AddIndexOption(command, &flags.index_dir)->required(false);
  AddServerFlags(command, flags.server, access, /*required=*/false);
  flags.index_option->excludes(flags.server.server_option);
}

absl::Status CheckIndexOrServer(const IndexOrServerFlags& flags) {
  if (flags.index_option->count() > 0 || flags.server.given()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "--index DIR or --server HOST:PORT is required (a local index or a running inkdex-server)");
}

absl::StatusOr<BearerToken> ResolveToken(const ServerFlags& flags) {
  BearerToken token;
  if (!flags.token_file.empty()) {
    token.source = "--token-file " + flags.token_file;
    absl::StatusOr<std::string> text = ReadWholeFile(flags.token_file, "--token-file");
    if (!text.ok()) return text.status();
    token.value = std::string(absl::StripAsciiWhitespace(*text));
  } else {
    const char* const names[] = {
        flags.access == Access::kWrite ? "INKDEX_WRITE_TOKEN" : "INKDEX_READ_TOKEN",
        "INKDEX_TOKEN"};
    for (const char* name : names) {
      const char* value = std::getenv(name);
      if (value == nullptr || *value == '\0') continue;
      token.source = name;
      token.value = std::string(absl::StripAsciiWhitespace(value));
      break;
    }
    if (token.source.empty()) return token;
  }
  if (absl::Status s = CheckTokenText(token.value, token.source); !s.ok()) return s;
  return token;
}

absl::Status StatusFromGrpc(const grpc::Status& status, const ServerFlags& flags,
                            const BearerToken& token) {
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::UNAVAILABLE:
      return absl::Status(
          code, absl::StrCat("--server ", flags.address, ": server unavailable: ", message));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::Status(
          code, absl::StrCat("--server ", flags.address, ": no answer within ", "--timeout-ms ",
                             flags.timeout_ms, " (", message, ")"));
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::Status(code, absl::StrCat(message, " (", TokenHint(flags), ")"));
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::Status(code, token.source.empty() ? message
                                                     : absl::StrCat(message, " (the token from ",
                                                                    token.source, " was refused)"));
    default:
      return absl::Status(code, message);
  }
}

absl::StatusOr<std::unique_ptr<ServerClient>> ServerClient::Connect(const ServerFlags& flags) {
  if (flags.address.empty()) return absl::InvalidArgumentError("--server: empty address");
  absl::StatusOr<BearerToken> token = ResolveToken(flags);
  if (!token.ok()) return token.status();
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!flags.tls_ca_file.empty()) {
    absl::StatusOr<std::string> pem = ReadWholeFile(flags.tls_ca_file, "--tls-ca");
    if (!pem.ok()) return pem.status();
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = *std::move(pem);
    credentials = grpc::SslCredentials(options);
  } else if (flags.tls) {
    credentials = grpc::SslCredentials(grpc::SslCredentialsOptions());
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(flags.address, credentials, args);
  return std::unique_ptr<ServerClient>(new ServerClient(flags, std::move(channel), *token));
}

ServerClient::ServerClient(const ServerFlags& flags, std::shared_ptr<grpc::Channel> channel,
                           BearerToken token)
    : flags_(flags),
      stub_(v1::ArtistSearch::NewStub(channel)),
      admin_stub_(v1::Admin::NewStub(channel)),
      token_(std::move(token)) {}

std::unique_ptr<grpc::ClientContext> ServerClient::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(flags_.timeout_ms)));
  if (!token_.value.empty()) context->AddMetadata("authorization", "Bearer " + token_.value);
  return context;
}

absl::StatusOr<SearchResponse> ServerClient::Search(const SearchRequest& request) {
  auto response = Call(&Stub::Search, api::ToProto(request));
  if (!response.ok()) return response.status();
  return api::FromProto(*response);
}

absl::StatusOr<std::vector<Suggestion>> ServerClient::Suggest(const SuggestRequest& request) {
  auto response = Call(&Stub::Suggest, api::ToProto(request));
  if (!response.ok()) return response.status();
  return api::FromProto(*response);
}

absl::StatusOr<Artist> ServerClient::GetArtist(const std::string& id) {
  v1::GetArtistRequest request;
  request.set_id(id);
  return Call(&Stub::GetArtist, request);
}

absl::StatusOr<ServerStyles> ServerClient::ListStyles() {
  auto response = Call(&Stub::ListStyles, v1::ListStylesRequest());
  if (!response.ok()) return response.status();
  // Rebuilt through the taxonomy's own text format, so that names resolve on
  // this side exactly as the server resolves them.
  std::string text;
  std::vector<int64_t> counts;
  for (const v1::Style& style : response->styles()) {
    absl::StrAppend(&text, style.id(), "\t", style.name(), "\t",
                    absl::StrJoin(style.aliases(), "|"), "\n");
    counts.push_back(style.artist_count());
  }
  absl::StatusOr<StyleTaxonomy> taxonomy = StyleTaxonomy::Parse(text);
  if (!taxonomy.ok()) {
    return absl::DataLossError(
        absl::StrCat("--server ", flags_.address,
                     ": ListStyles returned an unusable taxonomy: ", taxonomy.status().message()));
  }
  return ServerStyles{*std::move(taxonomy), std::move(counts), response->commit_seq()};
}

absl::StatusOr<v1::GetStatsResponse> ServerClient::GetStats() {
  return Call(&Stub::GetStats, v1::GetStatsRequest());
}

absl::StatusOr<v1::WriteArtistsResponse> ServerClient::UpsertArtists(
    const v1::UpsertArtistsRequest& request) {
  return Call(&Stub::UpsertArtists, request);
}

absl::StatusOr<v1::WriteArtistsResponse> ServerClient::DeleteArtists(
    const v1::DeleteArtistsRequest& request) {
  return Call(&Stub::DeleteArtists, request);
}

absl::StatusOr<v1::RenumberSlotsResponse> ServerClient::RenumberSlots(double min_drift) {
  v1::RenumberSlotsRequest request;
  request.set_min_drift(min_drift);
  return Call(&v1::Admin::Stub::RenumberSlots, request);
}

absl::StatusOr<v1::VerifyIndexResponse> ServerClient::VerifyIndex(bool check_postings) {
  v1::VerifyIndexRequest request;
  request.set_check_postings(check_postings);
  return Call(&v1::Admin::Stub::VerifyIndex, request);
}

absl::Status ServerClient::ExportArtists(bool searchable_only,
                                         const std::function<absl::Status(const Artist&)>& fn) {
  v1::ExportArtistsRequest request;
  request.set_searchable_only(searchable_only);
  std::unique_ptr<grpc::ClientContext> context = NewContext();
  std::unique_ptr<grpc::ClientReader<v1::ExportArtistsResponse>> reader =
      admin_stub_->ExportArtists(context.get(), request);
  v1::ExportArtistsResponse message;
  absl::Status failed;
  while (failed.ok() && reader->Read(&message)) {
    for (const Artist& artist : message.artists()) {
      failed = fn(artist);
      if (!failed.ok()) break;
    }
  }
  if (!failed.ok()) {
    context->TryCancel();
    (void)reader->Finish();
    return failed;
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return StatusFromGrpc(status, flags_, token_);
  return absl::OkStatus();
}

}  // namespace inkdex::cli
