// chosa test [--print-submission] FORM SCENARIO|DIR...: runs form test scenarios
// (docs/scenarios.md), each in a fresh session with a fixed clock, and prints every failed
// expectation as `FILE: step N: message`. Exit 0 when every scenario passes, 1 when one fails
// (or the form has faults), 2 on a usage error, an unreadable file or a malformed scenario.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "chosa/form.h"
#include "cli_args.h"
#include "commands.h"
#include "chosa/scenario/scenario.h"
#include "chosa/scenario/scenario_runner.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& TestSpec() {
  static const cli::CommandSpec spec{
      "chosa", "test", "[--print-submission] FORM SCENARIO|DIR...",
      "  Runs each scenario (a DIR: its *.json files) against FORM; see docs/scenarios.md.\n"
      "  --print-submission  print the canonical JSON of every submission a scenario finalizes\n"
      "  Exit: 0 every scenario passes, 1 one fails (or the form has faults), 2 usage, an unreadable\n"
      "  file or a malformed scenario.\n",
      {{"--print-submission", false}}};
  return spec;
}

// A directory stands for its *.json files, in name order, so that `chosa test form.json
// scenarios/` picks up new scenarios without editing a command line.
bool ExpandScenarioPaths(const std::string& argument, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(argument, error)) {
    out->push_back(argument);
    return true;
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(argument, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".json" && it->is_regular_file(error)) files.push_back(it->path().string());
  }
  if (error) {
    std::fprintf(stderr, "%s: cannot list the directory: %s\n", argument.c_str(), error.message().c_str());
    return false;
  }
  if (files.empty()) {
    std::fprintf(stderr, "%s: no scenario files (*.json) in this directory\n", argument.c_str());
    return false;
  }
  std::sort(files.begin(), files.end());
  out->insert(out->end(), files.begin(), files.end());
  return true;
}

}  // namespace

int RunTest(int argc, char** argv) {
  cli::ParsedArgs arguments;
  if (std::optional<int> exit = cli::Parse(TestSpec(), argc, argv, &arguments)) return *exit;
  const bool print_submission = arguments.Has("--print-submission");
  const std::vector<std::string>& positional = arguments.positionals;
  if (positional.size() < 2) {
    cli::PrintUsage(TestSpec(), stderr);
    return 2;
  }
  const std::string& form_path = positional[0];
  std::error_code error;
  if (!std::filesystem::is_regular_file(form_path, error)) {
    std::fprintf(stderr, "%s: no such form file\n", form_path.c_str());
    return 2;
  }
  FormLoadResult loaded = Form::LoadFile(form_path);
  if (!loaded.ok()) {
    for (const Status& fault : loaded.faults) std::printf("%s: %s\n", form_path.c_str(), fault.ToString().c_str());
    std::printf("%s: the form has faults; no scenario was run\n", form_path.c_str());
    return 1;
  }

  bool file_errors = false;
  std::vector<std::string> files;
  for (size_t i = 1; i < positional.size(); ++i) {
    if (!ExpandScenarioPaths(positional[i], &files)) file_errors = true;
  }

  int passed = 0, failed = 0, malformed = 0;
  for (const std::string& file : files) {
    scenario::ParsedScenario parsed = scenario::LoadScenarioFile(file, *loaded.form);
    if (!parsed.ok()) {
      ++malformed;
      std::printf("BAD  %s: the scenario cannot run:\n", file.c_str());
      for (const Status& problem : parsed.problems) std::printf("%s: %s\n", file.c_str(), problem.ToString().c_str());
      continue;
    }
    const scenario::Scenario& s = *parsed.scenario;
    scenario::ScenarioResult result = scenario::RunScenario(s, loaded.form);
    if (result.passed()) {
      ++passed;
      std::printf("ok   %s: %s (%zu steps)\n", file.c_str(), s.name.c_str(), s.steps.size());
    } else {
      ++failed;
      std::printf("FAIL %s: %s\n", file.c_str(), s.name.c_str());
      for (const scenario::StepFailure& failure : result.failures) {
        std::printf("%s: step %d: %s\n", file.c_str(), failure.step, failure.message.c_str());
      }
      if (result.stopped) {
        // The steps after a failed action assume its effect, so they were skipped.
        int first = result.steps_run + 1, last = static_cast<int>(s.steps.size());
        std::string skipped = first == last ? "step " + std::to_string(first)
                                            : "steps " + std::to_string(first) + " to " + std::to_string(last);
        if (result.steps_run == 0) std::printf("%s: no step was run\n", file.c_str());
        else std::printf("%s: %s not run after the failed action\n", file.c_str(), skipped.c_str());
      }
    }
    if (print_submission) {
      for (const scenario::FinalizedSubmission& submission : result.submissions) {
        std::printf("%s: step %d: submission (sha256 %s):\n%s\n", file.c_str(), submission.step,
                    submission.sha256.c_str(), submission.canonical_json.c_str());
      }
    }
  }
  std::printf("%d passed, %d failed", passed, failed);
  if (malformed > 0) std::printf(", %d could not run", malformed);
  std::printf("\n");
  std::fflush(stdout);
  if (file_errors || malformed > 0) return 2;
  return failed > 0 ? 1 : 0;
}

}  // namespace tools
}  // namespace chosa
