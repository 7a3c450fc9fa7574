// "Did you mean" suggestions for misspelt names, properties and functions.
#ifndef CHOSA_ENGINE_SUGGEST_H_
#define CHOSA_ENGINE_SUGGEST_H_

#include <string>
#include <string_view>
#include <vector>

namespace chosa {

// The candidate closest to `word` by edit distance (transpositions count as one edit), if it is
// close enough to be a plausible typo; otherwise "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

// "; did you mean X?" with `quote` around X, or "" when nothing is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates,
                       std::string_view open_quote, std::string_view close_quote);

}  // namespace chosa

#endif  // CHOSA_ENGINE_SUGGEST_H_
