// chosa eval EXPRESSION...: evaluates expressions over literals and prints `expr => value`.
#include <cstdio>
#include <string>

#include "chosa/expression.h"
#include "commands.h"

namespace chosa {
namespace tools {

int RunEval(int argc, char** argv) {
  if (argc < 1) {
    std::fprintf(stderr, "usage: chosa eval EXPRESSION...\n");
    return 2;
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
