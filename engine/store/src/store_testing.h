// Hooks of the device store for its own tests, not part of its API: only the store's tests reach
// this header (through engine/store/src, as tests of a module may).
#ifndef CHOSA_ENGINE_STORE_STORE_TESTING_H_
#define CHOSA_ENGINE_STORE_STORE_TESTING_H_

namespace chosa::store_testing {

// While set, no Draft of this process writes an answer when it is set (repeat counts, pages and
// finalizes are still written). The crash test (tests/store/crash_child.cpp --disable-autosave)
// proves with it that its harness detects lost answers. Thread-safe; off by default.
void SetAutosaveDisabled(bool disabled);
bool AutosaveDisabled();

}  // namespace chosa::store_testing

#endif  // CHOSA_ENGINE_STORE_STORE_TESTING_H_
