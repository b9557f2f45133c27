// WithParsedRequests: a generated synchronous gRPC service whose unary
// methods parse their own requests, so that one that does not parse gets
// INVALID_ARGUMENT naming the field instead of gRPC's INTERNAL with no message
// (and no log line: the method never ran).
//
// gRPC parses a synchronous method's request before calling it. A method
// named to ParseRequestsOf is served instead through gRPC's "streamed unary"
// handler with the request and answer as bytes: it parses the bytes itself,
// then calls the method's usual override; when they do not parse, it answers
// INVALID_ARGUMENT (api::WhyUnparsable) through a CallGuard of the method's
// own: a write without its token is refused as such, and the refusal is
// logged and counted like any other call.
//
// Example (in a service's constructor):
//   ParseRequestsOf<v1::UpsertArtistsRequest, v1::WriteArtistsResponse>(
//       "inkdex.v1.ArtistSearch", "UpsertArtists", env_, Access::kWrite,
//       [this](auto* context, auto* request, auto* response) {
//         return UpsertArtists(context, request, response);
//       });
//
// Cost: none on the way in (gRPC would parse the same bytes); the answer is
// serialized here instead of by gRPC.
// Thread safety: ParseRequestsOf is called before the service is registered;
// the handlers it installs run concurrently, as the methods they call must.
#ifndef INKDEX_SERVICE_SERVER_PARSED_REQUESTS_H_
#define INKDEX_SERVICE_SERVER_PARSED_REQUESTS_H_

#include <functional>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/method_handler.h>

#include "server/call_environment.h"
#include "server/call_guard.h"

namespace inkdex::server {

// `bytes` parsed into `request` (which may live on an arena), the bytes left
// as they were; INVALID_ARGUMENT naming the field (api::WhyUnparsable) when
// they do not parse.
grpc::Status ParseRequest(grpc::ByteBuffer& bytes, google::protobuf::Message* request);

template <typename Service>
class WithParsedRequests : public Service {
 protected:
  template <typename Request, typename Response>
  using Handler = std::function<grpc::Status(grpc::ServerContext*, const Request*, Response*)>;

  // Serves unary method `method` of the service named `service` (its full
  // name) as above; `env` and `access` are the method's CallGuard's.
  // REQUIRES: the method is unary and synchronous in Service, takes a
  // Request and answers a Response; `env` outlives the service.
  template <typename Request, typename Response>
  void ParseRequestsOf(std::string_view service, std::string_view method, CallEnvironment& env,
                       Access access, Handler<Request, Response> handler) {
    using Streamer = grpc::ServerUnaryStreamer<grpc::ByteBuffer, grpc::ByteBuffer>;
    this->MarkMethodStreamed(
        MethodIndex(service, method),
        new grpc::internal::StreamedUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
            [handler = std::move(handler), &env, access, name = std::string(method)](
                grpc::ServerContext* context, Streamer* stream) {
              grpc::ByteBuffer bytes;
              if (!stream->Read(&bytes)) {
                return grpc::Status(grpc::StatusCode::CANCELLED, "the request never arrived");
              }
              Request request;
              if (grpc::Status parsed = ParseRequest(bytes, &request); !parsed.ok()) {
                CallGuard call(env, context, name, access);
                return call.Finish(call.admitted() ? parsed : call.admission());
              }
              Response response;
              grpc::Status status = handler(context, &request, &response);
              if (!status.ok()) return status;
              grpc::ByteBuffer answer;
              bool own_buffer = false;
              status =
                  grpc::SerializationTraits<Response>::Serialize(response, &answer, &own_buffer);
              if (status.ok()) stream->Write(answer);
              return status;
            }));
  }

 private:
  // The method's index in the generated service: its place in the proto's
  // service, in which order the generated constructor adds the methods.
  static int MethodIndex(std::string_view service, std::string_view method) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
    const google::protobuf::MethodDescriptor* m =
        descriptor != nullptr ? descriptor->FindMethodByName(std::string(method)) : nullptr;
    GPR_ASSERT(m != nullptr && !m->client_streaming() && !m->server_streaming());
    return m->index();
  }
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_PARSED_REQUESTS_H_
