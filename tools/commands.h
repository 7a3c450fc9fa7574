// The subcommands of the `chosa` tool. Each returns the process exit code: 0 success, 1 a
// fault in the input or the store (a form that does not validate, a damaged store), 2 a usage
// error; `fill` and `resume` also return 3 when the filler quits or the input ends before a
// submission is made.
#ifndef CHOSA_TOOLS_COMMANDS_H_
#define CHOSA_TOOLS_COMMANDS_H_

namespace chosa {
namespace tools {

int RunValidate(int argc, char** argv);
int RunEval(int argc, char** argv);
int RunFill(int argc, char** argv);
int RunTest(int argc, char** argv);
int RunDrafts(int argc, char** argv);
// chosa kiosk: the tablet renderer and the action messages on loopback (kiosk_command.cpp).
int RunKiosk(int argc, char** argv);
int RunResume(int argc, char** argv);
int RunOutbox(int argc, char** argv);
int RunStore(int argc, char** argv);
int RunSimulate(int argc, char** argv);
int RunReport(int argc, char** argv);
int RunSync(int argc, char** argv);  // built when the sync client library is (CHOSA_WITH_SYNC)
int RunPull(int argc, char** argv);  // likewise

}  // namespace tools
}  // namespace chosa

#endif  // CHOSA_TOOLS_COMMANDS_H_
