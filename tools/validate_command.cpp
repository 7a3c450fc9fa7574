// chosa validate FORM...: loads each form and prints every fault, one a line, as
// `FILE: /json/pointer: col N: message`. Exit 0 when every form is sound, 1 otherwise.
#include <cstdio>
#include <string>

#include "chosa/form.h"
#include "commands.h"

namespace chosa {
namespace tools {

int RunValidate(int argc, char** argv) {
  if (argc < 1) {
    std::fprintf(stderr, "usage: chosa validate FORM...\n");
    return 2;
  }
  bool all_sound = true;
  for (int i = 0; i < argc; ++i) {
    std::string path = argv[i];
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
