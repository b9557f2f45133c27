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
// A server-streaming method is served the same way through gRPC's "split
// streamed" handler (ParseStreamingRequestsOf): its work writes messages
// through a MessageWriter instead of a grpc::ServerWriter.
//
// Example (in a service's constructor):
//   ParseRequestsOf("inkdex.v1.ArtistSearch", "UpsertArtists", env_, Access::kWrite, this,
//                   &ArtistSearchServiceImpl::UpsertArtists);
//
// Cost: none on the way in (gRPC would parse the same bytes); the answer is
// serialized here instead of by gRPC.
// Thread safety: ParseRequestsOf is called before the service is registered;
// the handlers it installs run concurrently, as the methods they call must.
#ifndef INKDEX_SERVICE_SERVER_PARSED_REQUESTS_H_
#define INKDEX_SERVICE_SERVER_PARSED_REQUESTS_H_

#include <functional>
#include <optional>
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

// Sends one message of a server-streaming call; false: the call is gone.
template <typename Response>
using MessageWriter = std::function<bool(const Response&)>;

template <typename Service>
class WithParsedRequests : public Service {
 protected:
  // Serves unary method `method` of the service named `service` (its full
  // name) as above, by self->*work; `env` and `access` are the method's
  // CallGuard's. REQUIRES: the method is unary and synchronous in Service,
  // takes a Request and answers a Response; `self` and `env` outlive the
  // service.
  template <typename Impl, typename Request, typename Response>
  void ParseRequestsOf(std::string_view service, std::string_view method, CallEnvironment& env,
                       Access access, Impl* self,
                       grpc::Status (Impl::*work)(grpc::ServerContext*, const Request*,
                                                  Response*)) {
    Install<grpc::internal::StreamedUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>, Request>(
        MethodIndex(service, method), env, access, method,
        [self, work](grpc::ServerContext* context, auto* stream, const Request& request) {
          Response response;
          grpc::Status status = (self->*work)(context, &request, &response);
          if (!status.ok()) return status;
          grpc::ByteBuffer answer;
          bool own_buffer = false;
          status = grpc::SerializationTraits<Response>::Serialize(response, &answer, &own_buffer);
          if (status.ok()) stream->Write(answer);
          return status;
        });
  }

  // The same for server-streaming method `method`, whose work writes its
  // messages through a MessageWriter. REQUIRES: the method takes one Request
  // and streams Responses.
  template <typename Impl, typename Request, typename Response>
  void ParseStreamingRequestsOf(std::string_view service, std::string_view method,
                                CallEnvironment& env, Access access, Impl* self,
                                grpc::Status (Impl::*work)(grpc::ServerContext*, const Request*,
                                                           const MessageWriter<Response>&)) {
    Install<grpc::internal::SplitServerStreamingHandler<grpc::ByteBuffer, grpc::ByteBuffer>,
            Request>(
        MethodIndex(service, method, /*server_streaming=*/true), env, access, method,
        [self, work](grpc::ServerContext* context, auto* stream, const Request& request) {
          const MessageWriter<Response> write = [stream](const Response& message) {
            grpc::ByteBuffer out;
            bool own_buffer = false;
            return grpc::SerializationTraits<Response>::Serialize(message, &out, &own_buffer)
                       .ok() &&
                   stream->Write(out);
          };
          return (self->*work)(context, &request, write);
        });
  }

 private:
  // Makes method `index` a gRPC handler of type GrpcHandler (over bytes)
  // that reads and parses the request (ReadRequest), then runs
  // body(context, stream, request).
  template <typename GrpcHandler, typename Request, typename Body>
  void Install(int index, CallEnvironment& env, Access access, std::string_view method, Body body) {
    this->MarkMethodStreamed(
        index, new GrpcHandler([body = std::move(body), &env, access, name = std::string(method)](
                                   grpc::ServerContext* context, auto* stream) {
          Request request;
          if (std::optional<grpc::Status> refused =
                  ReadRequest(stream, context, &request, env, name, access)) {
            return *refused;
          }
          return body(context, stream, request);
        }));
  }

  // Reads the call's one request into *request; when it does not arrive or
  // parse, the status that ends the call (a parse failure refused through a
  // CallGuard of the method's, after its admission).
  template <typename Streamer>
  static std::optional<grpc::Status> ReadRequest(Streamer* stream, grpc::ServerContext* context,
                                                 google::protobuf::Message* request,
                                                 CallEnvironment& env, const std::string& name,
                                                 Access access) {
    grpc::ByteBuffer bytes;
    if (!stream->Read(&bytes)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the request never arrived");
    }
    grpc::Status parsed = ParseRequest(bytes, request);
    if (parsed.ok()) return std::nullopt;
    CallGuard call(env, context, name, access);
    return call.Finish(call.admitted() ? parsed : call.admission());
  }

  // The method's index in the generated service: its place in the proto's
  // service, in which order the generated constructor adds the methods.
  static int MethodIndex(std::string_view service, std::string_view method,
                         bool server_streaming = false) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
    const google::protobuf::MethodDescriptor* m =
        descriptor != nullptr ? descriptor->FindMethodByName(std::string(method)) : nullptr;
    GPR_ASSERT(m != nullptr && !m->client_streaming() && m->server_streaming() == server_streaming);
    return m->index();
  }
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_PARSED_REQUESTS_H_
