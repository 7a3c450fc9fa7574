#include "report_statistics.h"

#include <cmath>
#include <optional>

namespace chosa::analysis {
namespace {

constexpr int64_t kScale = 10000;           // 10^kScaleDigits
constexpr int kMaxIntegerDigits = 7;        // values below 10^7
constexpr int64_t kMaxExactCount = 1000000;

// "-12.5" as -125000 ten-thousandths; nullopt for anything else (an exponent, 5 decimals, ...).
std::optional<Int128> ParseScaled(std::string_view text) {
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  Int128 whole = 0;
  int digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (++digits > kMaxIntegerDigits) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  Int128 fraction = 0;
  int decimals = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (++decimals > NumberAccumulator::kScaleDigits) return std::nullopt;
      fraction = fraction * 10 + (text[i] - '0');
    }
  }
  if (i != text.size()) return std::nullopt;
  for (int d = decimals; d < NumberAccumulator::kScaleDigits; ++d) fraction *= 10;
  const Int128 scaled = whole * kScale + fraction;
  return negative ? -scaled : scaled;
}

// a / b rounded half away from zero. REQUIRES: b > 0.
Int128 RoundedDivision(Int128 a, Int128 b) {
  const Int128 magnitude = (2 * (a < 0 ? -a : a) + b) / (2 * b);
  return a < 0 ? -magnitude : magnitude;
}

// The largest r with r * r <= m. REQUIRES: m >= 0.
Int128 IntegerSquareRoot(Int128 m) {
  Int128 r = static_cast<Int128>(std::sqrt(static_cast<long double>(m)));
  while (r > 0 && r * r > m) --r;
  while ((r + 1) * (r + 1) <= m) ++r;
  return r;
}

// sqrt(a / b) rounded half up. REQUIRES: a >= 0, b > 0.
Int128 RoundedSquareRoot(Int128 a, Int128 b) {
  const Int128 floor = IntegerSquareRoot(a / b);  // floor(sqrt(a / b)) = floor(sqrt(floor(a / b)))
  // sqrt(a / b) >= floor + 1/2  <=>  4a >= (2 floor + 1)^2 b
  return 4 * a >= (2 * floor + 1) * (2 * floor + 1) * b ? floor + 1 : floor;
}

}  // namespace

int64_t PercentTenths(int64_t count, int64_t n) {
  return static_cast<int64_t>(RoundedDivision(static_cast<Int128>(count) * 1000, n));
}

std::string FormatTenths(int64_t tenths) {
  const uint64_t magnitude = tenths < 0 ? 0 - static_cast<uint64_t>(tenths) : static_cast<uint64_t>(tenths);
  return (tenths < 0 ? "-" : "") + std::to_string(magnitude / 10) + "." + std::to_string(magnitude % 10);
}

std::string PercentText(int64_t count, int64_t n) { return n > 0 ? FormatTenths(PercentTenths(count, n)) : "—"; }

void NumberAccumulator::Add(std::string_view text, double value) {
  if (count_ == 0 || value < min_value_) {
    min_value_ = value;
    min_text_ = std::string(text);
  }
  if (count_ == 0 || value > max_value_) {
    max_value_ = value;
    max_text_ = std::string(text);
  }
  ++count_;
  const long double delta = value - mean_;
  mean_ += delta / static_cast<long double>(count_);
  squared_deviations_ += delta * (value - mean_);
  if (!exact_) return;
  std::optional<Int128> scaled = ParseScaled(text);
  if (!scaled || count_ > kMaxExactCount) {
    exact_ = false;
    return;
  }
  sum_ += *scaled;
  sum_of_squares_ += *scaled * *scaled;
}

void NumberAccumulator::Summarize(NumberSummary* out) const {
  out->mean_tenths.reset();
  out->sd_tenths.reset();
  out->min = min_text_;
  out->max = max_text_;
  if (count_ == 0) return;
  if (exact_) {
    const Int128 n = count_;
    // mean × 10 = sum / (n × 10^4) × 10
    out->mean_tenths = static_cast<int64_t>(RoundedDivision(sum_, n * (kScale / 10)));
    if (count_ >= 2) {
      // variance = (n Σx² − (Σx)²) / (n (n − 1)) in ten-thousandths squared; SD × 10 its root / 10^3.
      const Int128 spread = n * sum_of_squares_ - sum_ * sum_;
      out->sd_tenths = static_cast<int64_t>(RoundedSquareRoot(spread, n * (n - 1) * 1000000));
    }
    return;
  }
  out->mean_tenths = std::llround(static_cast<double>(mean_ * 10));
  if (count_ >= 2) {
    out->sd_tenths =
        std::llround(static_cast<double>(std::sqrt(squared_deviations_ / static_cast<long double>(count_ - 1)) * 10));
  }
}

}  // namespace chosa::analysis
