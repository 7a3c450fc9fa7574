// The one command-line parser of both programs, `chosa` and `chosa-collector`: every command
// describes itself in a CommandSpec, and Parse() reads its arguments the same way for all of them.
//
//   options anywhere among the arguments, as --name VALUE or --name=VALUE; a flag takes no value;
//   -h or --help asks for the command's usage; "--" ends the options; "-" is an argument.
//
// A mistyped option or command is a usage error (exit status 2) that names the closest option or
// command ("did you mean", chosa/base/suggest.h). Usage texts share one layout:
//
//   usage: PROGRAM COMMAND SYNOPSIS
//     What the command does, in a few lines indented by two spaces.
//     --option VALUE   what it is for, the options aligned
//     Exit: 0 ..., 1 ..., 2 usage.
#ifndef CHOSA_TOOLS_CLI_ARGS_H_
#define CHOSA_TOOLS_CLI_ARGS_H_

#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chosa {
namespace cli {

constexpr int kExitUsage = 2;

struct OptionSpec {
  std::string name;          // "--store"
  bool takes_value = false;  // false: a flag
  bool may_be_empty = false;  // "" is a value of its own (`--access-log ""`: no log)
};

struct CommandSpec {
  std::string program;   // "chosa", "chosa-collector"
  std::string name;      // "fill"
  std::string synopsis;  // what follows "usage: PROGRAM NAME " (may go on over lines)
  std::string text;      // the rest of the usage, in the layout above, ending with a newline
  std::vector<OptionSpec> options;
  // Every argument is an argument and only a lone -h/--help asks for help (`chosa eval -1`).
  bool arguments_only = false;
};

struct ParsedArgs {
  std::vector<std::pair<std::string, std::string>> values;  // options with a value, in order
  std::vector<std::string> flags;
  std::vector<std::string> positionals;
  bool help = false;

  bool Has(const std::string& name) const;
  // The last value of `name`, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // The last value of `name`, or null.
  const std::string* Value(const std::string& name) const;
  // Every value of `name`, in order (--pin A --pin B).
  std::vector<std::string> All(const std::string& name) const;
};

// "usage: PROGRAM NAME SYNOPSIS\n" and the text.
void PrintUsage(const CommandSpec& spec, std::FILE* out);

// "PROGRAM NAME: message" on standard error, then the usage; returns kExitUsage.
int UsageError(const CommandSpec& spec, const std::string& message);

// Parses `args` by `spec`. Returns an exit status when the arguments end the command: 0 after
// printing the usage for --help, kExitUsage after saying what is wrong (an unknown option, with
// the closest one; a missing value) and printing the usage on standard error.
std::optional<int> Parse(const CommandSpec& spec, const std::vector<std::string>& args, ParsedArgs* out);
std::optional<int> Parse(const CommandSpec& spec, int argc, char** argv, ParsedArgs* out);

// The commands of a program, dispatched by name.
struct Command {
  std::string name;
  std::function<int(const std::vector<std::string>& args)> run;
};

// Runs the command named by args[1]. No command prints the usage and returns kExitUsage; help,
// --help and -h print it on standard output; an unknown command is a usage error naming the
// closest one.
int Dispatch(const std::string& program, const std::vector<Command>& commands,
             const std::function<void(std::FILE*)>& print_usage, int argc, char** argv);

}  // namespace cli
}  // namespace chosa

#endif  // CHOSA_TOOLS_CLI_ARGS_H_
