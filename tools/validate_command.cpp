// chosa validate FORM...: loads each form and prints every fault, one a line, as
// `FILE: /json/pointer: col N: message`. Exit 0 when every form is sound, 1 otherwise.
#include <cstdio>
#include <optional>
#include <string>

#include "chosa/form.h"
#include "cli_args.h"
#include "commands.h"

namespace chosa {
namespace tools {

namespace {

const cli::CommandSpec& ValidateSpec() {
  static const cli::CommandSpec spec{
      "chosa", "validate", "FORM...",
      "  Loads each form and prints every fault, one a line, as FILE: /json/pointer: col N: message\n"
      "  (a sound form: FILE: ok, with its id, version and size).\n"
      "  Exit: 0 every form is sound, 1 a form has faults, 2 usage.\n",
      {}};
  return spec;
}

}  // namespace

int RunValidate(int argc, char** argv) {
  cli::ParsedArgs parsed;
  if (std::optional<int> exit = cli::Parse(ValidateSpec(), argc, argv, &parsed)) return *exit;
  if (parsed.positionals.empty()) {
    cli::PrintUsage(ValidateSpec(), stderr);
    return cli::kExitUsage;
  }
  bool all_sound = true;
  for (const std::string& path : parsed.positionals) {
    FormLoadResult result = Form::LoadFile(path);
    if (result.ok()) {
      const Form& form = *result.form;
      std::printf("%s: ok (%s version %s, %zu items, %zu expressions)\n", path.c_str(), form.id().c_str(),
                  form.version().c_str(), form.items().size(), form.expression_count());
      continue;
    }
    all_sound = false;
    for (const Status& fault : result.faults) {
      // A fault of the whole document (a syntax error, an unreadable file) has no pointer.
      std::printf("%s: %s\n", path.c_str(), fault.ToString().c_str());
    }
  }
  return all_sound ? 0 : 1;
}

}  // namespace tools
}  // namespace chosa
