// The figures of a numeric question in one column of a report (chosa/report.h): exact sums of
// the values as the submissions write them, so that a mean or an SD is rounded from integers.
#ifndef CHOSA_ANALYSIS_REPORT_STATISTICS_H_
#define CHOSA_ANALYSIS_REPORT_STATISTICS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "chosa/report.h"

namespace chosa::analysis {

__extension__ typedef __int128 Int128;  // __extension__: GCC and Clang's, without -Wpedantic's warning

class NumberAccumulator {
 public:
  // One value: `text` as the submission writes it ("76", "0.15"), `value` the number it is.
  void Add(std::string_view text, double value);
  // Fills the mean, SD, min and max of `out` (its n and no_answer are the caller's).
  void Summarize(NumberSummary* out) const;

  // Values are summed exactly as integers of ten-thousandths while each has at most 4 decimals
  // and is below 10^7 in magnitude (and there are fewer than 10^6 of them): the sums then fit.
  static constexpr int kScaleDigits = 4;

 private:
  int64_t count_ = 0;
  bool exact_ = true;
  Int128 sum_ = 0, sum_of_squares_ = 0;  // of the values in ten-thousandths
  // Outside the exact range: Welford's running mean and sum of squared deviations.
  long double mean_ = 0, squared_deviations_ = 0;
  double min_value_ = 0, max_value_ = 0;
  std::string min_text_, max_text_;
};

}  // namespace chosa::analysis

#endif  // CHOSA_ANALYSIS_REPORT_STATISTICS_H_
