// When to try again: exponential backoff with full jitter (AWS Architecture Blog, "Exponential
// Backoff And Jitter"), and the server's Retry-After. Jitter keeps the tablets of a whole ward
// from coming back at the same instant after an outage.
#ifndef CHOSA_SYNC_CLIENT_BACKOFF_H_
#define CHOSA_SYNC_CLIENT_BACKOFF_H_

#include <cstdint>
#include <string_view>

#include "chosa/env.h"
#include "chosa/sync_client.h"

namespace chosa::sync {

// The exponential ceiling before retry number `retry` (1 = the first retry):
// min(max_delay_ms, base_delay_ms * 2^(retry - 1)).
int64_t BackoffCeilingMillis(const RetryPolicy& policy, int retry);

// The wait before retry number `retry`. Without Retry-After (`retry_after_ms` < 0): uniform in
// [0, ceiling]. With it: min(retry_after_ms, max_retry_after_ms) plus uniform in
// [0, base_delay_ms], so that clients told the same Retry-After still spread out.
int64_t RetryDelayMillis(const RetryPolicy& policy, int retry, int64_t retry_after_ms, Env* env);

// A Retry-After value (RFC 9110: delay-seconds or an HTTP-date) in milliseconds from
// `now_millis`; -1 when it cannot be read. A date in the past is 0.
int64_t ParseRetryAfterMillis(std::string_view value, int64_t now_millis);

}  // namespace chosa::sync

#endif  // CHOSA_SYNC_CLIENT_BACKOFF_H_
