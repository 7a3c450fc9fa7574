// What the terminal the filler runs in can do (filler.h: FillerTerminal).
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "filler.h"

namespace chosa {
namespace tools {

FillerTerminal DetectTerminal() {
  const char* term = std::getenv("TERM");
  FillerTerminal terminal;
  terminal.color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
                   !(term != nullptr && std::strcmp(term, "dumb") == 0);
  terminal.echo = !isatty(STDIN_FILENO);
  return terminal;
}

}  // namespace tools
}  // namespace chosa
