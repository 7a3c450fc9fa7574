// chosa eval EXPRESSION...: evaluates expressions over literals and prints `expr => value`.
#include <cstdio>
#include <optional>
#include <string>

#include "chosa/expression.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa {
namespace tools {

namespace {

// Every argument is an expression, also one that begins with "-" (`chosa eval -1+2`).
const cli::CommandSpec& EvalSpec() {
  static const cli::CommandSpec spec{
      "chosa", "eval", "EXPRESSION...",
      "  Evaluates each expression over literals (no ${name}) and prints EXPRESSION => value.\n"
      "  Exit: 0 every expression has a value, 1 one is an error, 2 usage.\n",
      {},
      /*arguments_only=*/true};
  return spec;
}

}  // namespace

int RunEval(int argc, char** argv) {
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(EvalSpec(), argc, argv, &parsed)) return *exit;
  if (parsed.positionals.empty()) {
    cli::PrintUsage(EvalSpec(), stderr);
    return cli::kExitUsage;
  }
  int status = 0;
  for (int i = 0; i < argc; ++i) {
    Result<Value> value = EvaluateStandalone(argv[i]);
    if (!value.ok()) {
      std::printf("%s => error: %s\n", argv[i], value.status().ToString().c_str());
      status = 1;
    } else if (value->is_error()) {
      std::printf("%s => error: %s\n", argv[i], value->text().c_str());
      status = 1;
    } else if (value->is_string()) {
      std::printf("%s => '%s'\n", argv[i], value->ToString().c_str());
    } else {
      std::printf("%s => %s\n", argv[i], value->ToString().c_str());
    }
  }
  return status;
}

}  // namespace tools
}  // namespace chosa
