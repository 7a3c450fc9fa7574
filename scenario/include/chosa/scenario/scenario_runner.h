// Runs a parsed scenario (scenario.h) in a fresh Session with a fixed clock, and returns every
// failed expectation with its step. `chosa test`, the demo and the tests use it.
#ifndef CHOSA_TOOLS_SCENARIO_RUNNER_H_
#define CHOSA_TOOLS_SCENARIO_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "chosa/form.h"
#include "chosa/scenario/scenario.h"

namespace chosa {
namespace scenario {

// The device id stamped into every submission a scenario makes.
constexpr const char* kTestDeviceId = "test-device";

struct StepFailure {
  int step = 0;  // 1-based; 0: before the first step (the session did not start)
  std::string message;  // "expected ${why} visible, but it is hidden"
};

struct FinalizedSubmission {
  int step = 0;
  std::string canonical_json;
  std::string sha256;
};

struct ScenarioResult {
  int steps_run = 0;
  // An action failed (an answer refused, next blocked, ...) and the later steps, which depend
  // on it, were not run.
  bool stopped = false;
  std::vector<StepFailure> failures;
  std::vector<FinalizedSubmission> submissions;  // every successful finalize, in order
  bool passed() const { return failures.empty(); }
};

// Runs every step of `scenario` on a new session of `form`. Never throws.
ScenarioResult RunScenario(const Scenario& scenario, std::shared_ptr<const Form> form);

}  // namespace scenario
}  // namespace chosa

#endif  // CHOSA_TOOLS_SCENARIO_RUNNER_H_
