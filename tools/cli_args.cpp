#include "cli_args.h"

#include <algorithm>
#include <string_view>

#include "display_text.h"
#include "chosa/base/suggest.h"  // the engine's "did you mean" (internal header; see tools/CMakeLists.txt)

namespace chosa {
namespace cli {

bool ParsedArgs::Has(const std::string& name) const {
  if (std::find(flags.begin(), flags.end(), name) != flags.end()) return true;
  return Value(name) != nullptr;
}

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  const std::string* value = Value(name);
  return value == nullptr ? fallback : *value;
}

const std::string* ParsedArgs::Value(const std::string& name) const {
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

std::vector<std::string> ParsedArgs::All(const std::string& name) const {
  std::vector<std::string> all;
  for (const auto& [option, value] : values) {
    if (option == name) all.push_back(value);
  }
  return all;
}

void PrintUsage(const CommandSpec& spec, std::FILE* out) {
  std::fprintf(out, "usage: %s %s%s%s\n%s", spec.program.c_str(), spec.name.c_str(), spec.synopsis.empty() ? "" : " ",
               spec.synopsis.c_str(), spec.text.c_str());
}

int UsageError(const CommandSpec& spec, const std::string& message) {
  std::fprintf(stderr, "%s %s: %s\n", spec.program.c_str(), spec.name.c_str(), message.c_str());
  PrintUsage(spec, stderr);
  return kExitUsage;
}

namespace {

std::string UnknownOption(const CommandSpec& spec, const std::string& arg, const std::string& name) {
  std::vector<std::string_view> candidates{"--help"};
  for (const OptionSpec& option : spec.options) candidates.push_back(option.name);
  return "unknown option \"" + tools::ForDisplay(arg, 60) + "\"" + DidYouMean(name, candidates, "\"", "\"");
}

}  // namespace

std::optional<int> Parse(const CommandSpec& spec, const std::vector<std::string>& args, ParsedArgs* out) {
  if (spec.arguments_only) {
    if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
      PrintUsage(spec, stdout);
      return 0;
    }
    out->positionals = args;
    return std::nullopt;
  }
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-') {
      out->positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out->help = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (size_t equals = arg.find('='); arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      name = arg.substr(0, equals);
      inline_value = arg.substr(equals + 1);
    }
    auto option = std::find_if(spec.options.begin(), spec.options.end(),
                               [&](const OptionSpec& candidate) { return candidate.name == name; });
    if (option == spec.options.end()) {
      if (name == "--help") return UsageError(spec, "--help takes no value");
      return UsageError(spec, UnknownOption(spec, arg, name));
    }
    if (!option->takes_value) {
      if (inline_value) return UsageError(spec, name + " takes no value");
      out->flags.push_back(name);
      continue;
    }
    std::optional<std::string> value = inline_value;
    if (!value && i + 1 < args.size()) value = args[++i];
    // `--store ""` is not the default; only an option that says so takes "" as a value of its own.
    if (!value || (value->empty() && !option->may_be_empty)) return UsageError(spec, name + " needs a value");
    out->values.emplace_back(name, *value);
  }
  if (out->help) {
    PrintUsage(spec, stdout);
    return 0;
  }
  return std::nullopt;
}

std::optional<int> Parse(const CommandSpec& spec, int argc, char** argv, ParsedArgs* out) {
  return Parse(spec, std::vector<std::string>(argv, argv + argc), out);
}

int Dispatch(const std::string& program, const std::vector<Command>& commands,
             const std::function<void(std::FILE*)>& print_usage, int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    print_usage(stdout);
    return 0;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  std::vector<std::string_view> names{"help"};
  for (const Command& command : commands) {
    if (command.name == name) return command.run(args);
    names.push_back(command.name);
  }
  std::fprintf(stderr, "%s: unknown command \"%s\"%s\n\n", program.c_str(), tools::ForDisplay(name, 60).c_str(),
               DidYouMean(name, names, "\"", "\"").c_str());
  print_usage(stderr);
  return kExitUsage;
}

}  // namespace cli
}  // namespace chosa
