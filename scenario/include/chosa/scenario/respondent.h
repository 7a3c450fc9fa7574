// Simulated respondents: a session filled to the end as a plausible person would, for the
// end-to-end demo (`chosa simulate`) and for tests of the bureau's exports and reports.
//
// The respondent goes through the engine's real Session only, page by page, answering what the
// view model shows: so skip logic, choice filters, required marks and constraints are the
// form's own. Each answer is drawn from a seeded std::mt19937_64 (the same seed gives the same
// answers; with a fixed Env, byte-identical submissions): a choice among those offered now,
// 1-3 choices for a select_multiple (within its min..max), every offered choice in some order
// for a rank, numbers within a plausible range retried until the question's constraint holds,
// dates within the year before the session started, text from short Japanese phrases, "OK" to
// acknowledge, 1-4 instances of a repeat (within min..max). Optional questions are left empty
// now and then, so that datasets have relevant but unanswered questions.
//
// Thread safety: none needed; each call uses only its own session and generator.
#ifndef CHOSA_TOOLS_RESPONDENT_H_
#define CHOSA_TOOLS_RESPONDENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "chosa/filling.h"
#include "chosa/session.h"
#include "chosa/status.h"

namespace chosa {
namespace tools {

// Leans the answers of one question so that the demo's tables show something (the checklist's
// mean total by briefing, the share of pharmacists, ...). It applies to the question `question`
// of form `form_id` ("" = any form) and, for a matrix, to each of its rows; with `when_question`
// only while that question's answer (as Session::AnswerText writes it) is `when_value`. A
// choice's weight is the one listed, else 1, except "other", 0.3: people seldom pick it.
struct AnswerSkew {
  std::string form_id;
  std::string question;
  std::string when_question;
  std::string when_value;
  std::vector<std::pair<std::string, double>> weights;  // choice value -> weight
};

// The skews of the five example surveys, after the figures the bureau's FY2024 plan reports:
// e.g. checklist totals near 78 with the briefing and 67 without; about 1 older resident in 10
// knowing ACP by name; care managers needing a consultation desk most.
const std::vector<AnswerSkew>& DemoSkews();

struct RespondentOptions {
  uint64_t seed = 1;
  double skip_optional = 0.15;  // chance of leaving an optional question (or repeat) empty
  std::vector<AnswerSkew> skews = DemoSkews();  // the first that applies to a question wins
};

// Fills `session` to the end and finalizes it. When it cannot (a question no answer it tries
// satisfies, a page that will not let it go), the session is left where it stopped and the
// Status (kInvalidArgument) says which questions could not be answered and why.
Result<Submission> FillAsRespondent(Session& session, const RespondentOptions& options);
// The same through any Filling; through a Draft of the device store every answer is saved as it
// is given, and the finalized submission goes to the store's outbox, as on a tablet.
Result<Submission> FillAsRespondent(Filling& filling, const RespondentOptions& options);

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_RESPONDENT_H_
