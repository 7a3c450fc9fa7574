// How the sync client words a collector's HTTP answer that is not the one it hoped for: the
// status and the collector's {"error", "pointer"} body, or the start of a body that is not one
// (a proxy's HTML page).
#ifndef CHOSA_SYNC_CLIENT_HTTP_MESSAGES_H_
#define CHOSA_SYNC_CLIENT_HTTP_MESSAGES_H_

#include <string>

#include "chosa/http_transport.h"
#include "chosa/status.h"

namespace chosa::sync {

// "HTTP 503: the collector is shutting down", "HTTP 400: unknown field \"x\" (at /x)".
std::string DescribeResponse(const HttpResponse& response);

// The Status of an unwanted 4xx or other answer while `doing`: kUnauthenticated for 401 (the
// token is unknown or revoked), kPermissionDenied for 403, kNotFound for 404, else
// kInvalidArgument for 4xx and kInternal for anything else.
Status ResponseFailure(const HttpResponse& response, const std::string& doing);

}  // namespace chosa::sync

#endif  // CHOSA_SYNC_CLIENT_HTTP_MESSAGES_H_
