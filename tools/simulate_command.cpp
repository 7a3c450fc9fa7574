// chosa simulate FORM --store PATH --count N [--seed S] [--device-id ID] [--enumerator ID]:
// finalizes N submissions of simulated respondents (respondent.h) into the outbox of a device
// store, as a tablet handed round at an event would, so that `chosa sync --store PATH` sends
// them and the bureau's exports and reports have data to show. Each respondent fills a draft of
// the store through the engine's session, answer by answer; the seeds of the N respondents are
// drawn from S, so the same S gives the same answers.
//
// --store has no default: simulated submissions must never land in a real tablet's outbox.
//
// Exit status: 0 all N finalized; 1 the form does not load, the store cannot be used, or a
// respondent could not finish (those finalized before it stay in the outbox); 2 a usage error.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "chosa/form.h"
#include "chosa/store.h"
#include "cli_args.h"
#include "commands.h"
#include "chosa/scenario/respondent.h"
#include "store_cli.h"

namespace chosa {
namespace tools {

namespace {

constexpr long long kMaxCount = 100000;

const cli::CommandSpec& SimulateSpec() {
  static const cli::CommandSpec spec{
      "chosa", "simulate", "FORM --store PATH --count N [--seed S] [--device-id ID] [--enumerator ID]",
      std::string(
               "  Fills FORM N times as simulated respondents would (plausible answers drawn from seed S,\n"
               "  skip logic and constraints respected, some optional questions left empty) and finalizes\n"
               "  each submission into the outbox of the device store, for `chosa sync` to send.\n"
               "  --store PATH      the device store to fill (required: never a tablet's own by default)\n"
               "  --count N         how many submissions, 1 to ") +
          std::to_string(kMaxCount) + "\n"
               "  --seed S          the seed of the answers (default 1): the same seed, the same answers\n"
               "  --device-id ID    the device's identity, for a new store (an existing store keeps its own)\n"
               "  --enumerator ID   the id of the person filling (default: none)\n"
               "  Exit: 0 all finalized, 1 form or store fault or a respondent that could not finish, 2 usage.\n",
      {{"--store", true}, {"--count", true}, {"--seed", true}, {"--device-id", true}, {"--enumerator", true}}};
  return spec;
}

// A whole decimal number within [low, high], or false.
bool ParseWhole(const std::string& text, unsigned long long low, unsigned long long high, unsigned long long* out) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0 || value < low || value > high) return false;
  *out = value;
  return true;
}

}  // namespace

int RunSimulate(int argc, char** argv) {
  cli::ParsedArgs options;
  if (std::optional<int> exit = cli::Parse(SimulateSpec(), argc, argv, &options)) return *exit;
  if (options.positionals.size() != 1) {
    if (options.positionals.size() > 1) std::fprintf(stderr, "chosa simulate: one form at a time\n");
    cli::PrintUsage(SimulateSpec(), stderr);
    return kExitUsage;
  }
  if (!options.Has("--store")) {
    std::fprintf(stderr, "chosa simulate: --store PATH is required (simulated submissions never go to the default store)\n");
    return kExitUsage;
  }
  unsigned long long count = 0;
  if (!ParseWhole(options.Get("--count"), 1, kMaxCount, &count)) {
    std::fprintf(stderr, "chosa simulate: --count takes a whole number from 1 to %lld, not \"%s\"\n", kMaxCount,
                 options.Get("--count").c_str());
    return kExitUsage;
  }
  unsigned long long seed = 1;
  if (options.Has("--seed") && !ParseWhole(options.Get("--seed"), 0, UINT64_MAX, &seed)) {
    std::fprintf(stderr, "chosa simulate: --seed takes a whole number, not \"%s\"\n", options.Get("--seed").c_str());
    return kExitUsage;
  }

  const std::string& form_path = options.positionals[0];
  FormLoadResult loaded = Form::LoadFile(form_path);  // faults said here, as by `chosa fill`
  if (!loaded.ok()) {
    for (const Status& fault : loaded.faults) std::fprintf(stderr, "%s: %s\n", form_path.c_str(), fault.ToString().c_str());
    return kExitFault;
  }
  const std::string store_path = options.Get("--store");
  std::unique_ptr<DeviceStore> store = OpenStoreOrSay("simulate", store_path, /*create=*/true, options.Get("--device-id"));
  if (store == nullptr) return kExitFault;
  Result<InstalledForm> installed = store->InstallFormFile(form_path);
  if (!installed.ok()) {
    std::fprintf(stderr, "chosa simulate: cannot install %s into the store %s: %s\n", form_path.c_str(),
                 store_path.c_str(), installed.status().message().c_str());
    return kExitFault;
  }

  std::mt19937_64 seeds(seed);  // one seed per respondent
  std::string version;
  for (unsigned long long n = 1; n <= count; ++n) {
    Result<std::unique_ptr<Draft>> started = store->StartDraft(loaded.form->id(), options.Get("--enumerator"));
    if (!started.ok()) {
      std::fprintf(stderr, "chosa simulate: cannot start a draft of %s in the store %s: %s\n",
                   loaded.form->id().c_str(), store_path.c_str(), started.status().message().c_str());
      return kExitFault;
    }
    std::unique_ptr<Draft> draft = std::move(started).value();
    version = draft->session().form().version();  // new drafts use the newest version installed
    RespondentOptions respondent;
    respondent.seed = seeds();
    Result<Submission> finalized = FillAsRespondent(*draft, respondent);
    if (!finalized.ok()) {
      std::fprintf(stderr, "chosa simulate: respondent %llu of %llu (seed %llu) stopped: %s\n", n, count,
                   static_cast<unsigned long long>(respondent.seed), finalized.status().message().c_str());
      const int64_t id = draft->id();
      draft.reset();
      Status deleted = store->DeleteDraft(id);  // half a simulated filling is of no use to anyone
      if (!deleted.ok()) std::fprintf(stderr, "chosa simulate: draft %lld is left in the store: %s\n",
                                      static_cast<long long>(id), deleted.message().c_str());
      std::fprintf(stderr, "chosa simulate: %llu submissions were finalized into %s before it\n", n - 1,
                   store_path.c_str());
      return kExitFault;
    }
  }
  std::printf("Simulated %llu submission%s of %s version %s (seed %llu) into the outbox of %s.\n", count,
              count == 1 ? "" : "s", loaded.form->id().c_str(), version.c_str(), seed, store_path.c_str());
  return kExitOk;
}

}  // namespace tools
}  // namespace chosa
