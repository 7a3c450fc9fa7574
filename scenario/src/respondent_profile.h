// What a simulated respondent (respondent.h) knows about questions beyond the form: plausible
// ranges of numbers and phrases for free text, by question name, for the five example surveys
// and anything else. Internal to chosa_respondent.
#ifndef CHOSA_TOOLS_RESPONDENT_PROFILE_H_
#define CHOSA_TOOLS_RESPONDENT_PROFILE_H_

#include <string>
#include <string_view>
#include <vector>

namespace chosa {
namespace tools {

struct NumberRange {
  double low = 0;
  double high = 100;
};

// Where a person's answer to the number question `question` usually lies ({0, 100} for a
// question the table does not know). The form's constraint still decides: the respondent
// retries, and widens the range, when it does not hold.
NumberRange PlausibleRange(std::string_view question);

// Ranges to try when the plausible one keeps failing the constraint, in order.
const std::vector<NumberRange>& FallbackRanges();

// Short Japanese phrases a person might write for the text question `question` (names for a
// name, organisations for an organisation, comments otherwise); never empty.
const std::vector<std::string>& PhrasesFor(std::string_view question);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_RESPONDENT_PROFILE_H_
