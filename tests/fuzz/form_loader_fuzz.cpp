#include <string>
#include <string_view>

#include "chosa/form.h"
#include "fuzz_targets.h"
#include "state/form_state.h"

namespace chosa {
namespace fuzz {
int FuzzFormLoader(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  FormLoadResult result = Form::Load(text);
  if (!result.ok()) return 0;
  FuzzEnv env;
  FormState state(result.form, &env);
  const Form& form = *result.form;
  for (int32_t repeat : form.repeats()) state.AddInstance(repeat);
  // Answers drawn from the input itself: numbers, choice values, text.
  size_t cursor = 0;
  for (size_t i = 0; i < form.items().size(); ++i) {
    const Item& item = form.items()[i];
    if (!HoldsAnswer(item.type) || item.calculation != kNone) continue;
    uint8_t pick = size == 0 ? 0 : data[cursor++ % size];
    Value value;
    if (item.list != kNone) {
      const ChoiceList& list = form.choice_lists()[static_cast<size_t>(item.list)];
      value = Value::String(list.choices[pick % list.choices.size()].value);
    } else if (pick % 3 == 0) {
      value = Value::Number(static_cast<double>(pick) - 100);
    } else {
      value = Value::String(std::string(text.substr(0, pick % 16)));
    }
    int32_t instances = item.repeat == kNone ? 1 : state.InstanceCount(item.repeat);
    for (int32_t k = 0; k < instances; ++k) state.SetValue(static_cast<int32_t>(i), value, k);
  }
  for (int32_t repeat : form.repeats()) {
    if (state.InstanceCount(repeat) > 0) state.RemoveInstance(repeat, 0);
  }
  return 0;
}

}  // namespace fuzz
}  // namespace chosa

#ifdef CHOSA_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return chosa::fuzz::FuzzFormLoader(data, size);
}
#endif
