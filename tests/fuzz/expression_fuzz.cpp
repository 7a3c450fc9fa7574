#include <string_view>

#include "chosa/env.h"
#include "chosa/expression.h"
#include "fuzz_targets.h"

namespace chosa {
namespace fuzz {
int FuzzExpression(const uint8_t* data, size_t size) {
  FuzzEnv env;
  Result<Value> value = EvaluateStandalone(std::string_view(reinterpret_cast<const char*>(data), size), &env);
  if (value.ok()) {
    // Every conversion of whatever came out must be defined too.
    (void)value->ToString();
    (void)value->ToNumber();
    (void)value->ToBoolean();
  }
  return 0;
}

}  // namespace fuzz
}  // namespace chosa

#ifdef CHOSA_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return chosa::fuzz::FuzzExpression(data, size);
}
#endif
