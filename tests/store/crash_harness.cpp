// chosa_crash_harness: kills chosa_crash_child with SIGKILL at random moments, again and again,
// and after each kill checks the device store against what the child reported as saved.
//
//   chosa_crash_harness --store DIR --kills N [--seed S] [--disable-autosave] [--child PATH]
//                       [--forms DIR] [--child-option OPT]... [--trace FILE] [--verbose]
//
// The store is DIR/store.sqlite, created afresh. Each round starts the child (fork, exec), lets
// it fill for a random while, kills it (at a random time; after a random number of lines; in
// the middle of a finalize; in a delete or a start), reads every complete line it wrote, then
// checks the store as an app restarting would see it:
//   - DeviceStore::Check: PRAGMA integrity_check is ok;
//   - every draft the child reported is still a draft; every answer it reported as saved is
//     there with the text it reported (Resume, then Session::AnswerText of GetAnswer), and so
//     are the repeat counts, the page and the language it reported;
//   - every finalized submission is in the outbox, once, with the SHA-256 the child reported,
//     and its canonical bytes still hash to it; those the child marked sent are sent (not in the
//     outbox), and those it purged are gone;
//   - nothing is there that the child did not report (a draft, an outbox item), except the
//     outcome of the one call the kill interrupted, which may or may not have committed: the
//     harness adopts what the store shows when it is one of the two possible outcomes.
// It prints the figures and exits 0 when nothing was lost, 1 otherwise (after the first round
// that found a loss), 2 on a usage error.
//
// --disable-autosave (also spelt --no-autosave-check) passes --disable-autosave to the child
// (store_testing::SetAutosaveDisabled, engine/store/src/store_testing.h): then answers are not written, and the harness must
// report losses; the test store_crash_test_detects_loss shows that it does. --child-option
// passes an option on to the child (--keep-defaults, --no-jumps: see crash_child.cpp); --trace
// writes every line read, after its round number, to FILE.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "chosa/session.h"
#include "chosa/store.h"
#include "crash_protocol.h"

namespace chosa {
namespace crashtest {
namespace {

using Clock = std::chrono::steady_clock;

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// What the store must hold, from the lines the children wrote.
struct DraftModel {
  std::string form_id;
  std::map<std::string, std::string> answers;  // path -> Session::AnswerText ("" = cleared)
  std::map<std::string, int32_t> repeats;      // repeat -> instances, once reported
  int32_t page = -1;                           // -1: not reported yet
  std::string language;                        // "": not reported yet
};

struct FinalizedModel {
  int64_t draft = 0;
  std::string sha256;
  bool sent = false;  // marked sent: no longer in the outbox, still on the device until purged
};

struct Model {
  std::map<int64_t, DraftModel> drafts;
  std::map<std::string, FinalizedModel> finalized;  // by UUID
  std::vector<std::pair<int64_t, std::string>> purged;  // sent submissions deleted since the last check
  std::optional<Line> pending;                      // the last line, when it is an intent
};

bool IsIntent(char tag) { return std::strchr("sa+xpldfmu", tag) != nullptr; }

std::string RepeatPrefix(const std::string& repeat, const std::string& position) {
  return repeat + "[" + position + "]/";
}

void DropInstance(DraftModel& draft, const std::string& repeat, const std::string& position) {
  std::string prefix = RepeatPrefix(repeat, position);
  for (auto it = draft.answers.begin(); it != draft.answers.end();) {
    it = it->first.compare(0, prefix.size(), prefix) == 0 ? draft.answers.erase(it) : std::next(it);
  }
}

// What one round found.
struct Round {
  std::vector<std::string> problems;
  int64_t lost = 0, duplicated = 0, integrity = 0;
  int64_t answers_checked = 0, drafts_checked = 0, finalized_checked = 0;
  int64_t lines = 0, answers_reported = 0;
  void Lost(std::string what) { ++lost; problems.push_back("lost: " + std::move(what)); }
  void Duplicated(std::string what) { ++duplicated; problems.push_back("duplicated: " + std::move(what)); }
};

class Harness {
 public:
  struct Options {
    std::string store_dir, child, forms_dir = kDefaultFormsDir, trace;
    int64_t kills = 200;
    uint64_t seed = 1;
    std::vector<std::string> child_options;
    bool disable_autosave = false, verbose = false;
  };

  explicit Harness(Options options) : options_(std::move(options)), rng_(options_.seed) {
    store_path_ = options_.store_dir + "/store.sqlite";
  }

  int Run();

 private:
  enum Moment { kTimed, kStartup, kAfterLines, kInFinalize, kInDeleteOrStart, kMoments };
  static constexpr const char* kMomentNames[kMoments] = {
      "after a random time", "during start-up", "after a random number of lines", "inside a finalize",
      "inside a delete or a start"};

  int64_t Uniform(int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(rng_); }
  bool RunChild(int64_t round, Round* result);
  void Apply(const Line& line, Round* result);
  void Verify(Round* result);
  void ResolvePending(DeviceStore& store, Round* result);

  Options options_;
  std::mt19937_64 rng_;
  std::string store_path_;
  Model model_;
  int64_t moments_[kMoments] = {};
  int64_t finalized_total_ = 0, sent_total_ = 0, purged_total_ = 0;
  std::FILE* trace_ = nullptr;  // --trace: every line read, after its round number
  std::map<char, std::array<int64_t, 2>> interrupted_;  // by intent: [not committed, committed]
};

// Starts the child and kills it at the moment chosen for this round; applies every complete
// line it wrote. Returns false when the child ended by itself (a fault of the child or the store).
bool Harness::RunChild(int64_t round, Round* result) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::exit(2);
  }
  std::vector<std::string> args = {options_.child, "--store", store_path_, "--forms", options_.forms_dir,
                                   "--seed", std::to_string(options_.seed * 1000003 + static_cast<uint64_t>(round))};
  if (options_.disable_autosave) args.push_back("--disable-autosave");
  for (const std::string& option : options_.child_options) args.push_back(option);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Clock::time_point spawned = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::dup2(fds[1], 1);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) ::dup2(null, 0);
    ::execv(argv[0], argv.data());
    static const char kFailed[] = "chosa_crash_harness: cannot run the child\n";
    ssize_t ignored = ::write(2, kFailed, sizeof kFailed - 1);
    (void)ignored;
    ::_exit(127);
  }
  ::close(fds[1]);

  // The moment of the kill.
  int64_t draw = Uniform(0, 99);
  Moment moment = draw < 35 ? kTimed : draw < 45 ? kStartup : draw < 70 ? kAfterLines : draw < 93 ? kInFinalize
                                                                                                 : kInDeleteOrStart;
  int64_t delay_ms = moment == kTimed ? Uniform(1, 50) : moment == kStartup ? Uniform(0, 20) : 3000;
  int64_t after_lines = Uniform(1, 400);
  int64_t nth = Uniform(1, 2);
  int64_t spin_us = moment == kInFinalize ? Uniform(0, 3000) : Uniform(0, 400);
  Clock::time_point deadline = spawned + std::chrono::milliseconds(delay_ms);
  bool ready = moment == kStartup;  // the start-up kill counts from the fork

  std::string buffer;
  bool killed = false, eof = false;
  int64_t seen = 0, triggers = 0;
  auto consume = [&](bool before_kill) {
    size_t start = 0;
    for (size_t newline; (newline = buffer.find('\n', start)) != std::string::npos; start = newline + 1) {
      Line line;
      std::string_view text(buffer.data() + start, newline - start);
      if (!ParseLine(text, &line)) {
        result->problems.push_back("a line the harness cannot read: " + std::string(text));
        ++result->lost;  // the protocol broke: count it, so the round fails
        continue;
      }
      ++seen;
      if (trace_ != nullptr) {
        std::fprintf(trace_, "%lld %.*s\n", static_cast<long long>(round), static_cast<int>(text.size()), text.data());
      }
      Apply(line, result);
      if (!before_kill) continue;
      if (line.tag == 'H' && !ready) {
        ready = true;
        deadline = Clock::now() + std::chrono::milliseconds(delay_ms);
      }
      bool trigger = (moment == kAfterLines && seen >= after_lines) ||
                     (moment == kInFinalize && line.tag == 'f' && ++triggers >= nth) ||
                     (moment == kInDeleteOrStart && (line.tag == 'd' || line.tag == 's') && ++triggers >= nth);
      if (trigger && !killed) {
        if (spin_us > 0 && moment != kAfterLines) ::usleep(static_cast<useconds_t>(spin_us));
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
    buffer.erase(0, start);
  };

  char chunk[65536];
  while (!killed && !eof) {
    int wait_ms = -1;
    if (ready) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        ::kill(pid, SIGKILL);
        killed = true;
        break;
      }
      wait_ms = static_cast<int>(left);
    } else {
      wait_ms = 10000;  // start-up never takes this long; if it does, the child is stuck
    }
    pollfd poll_fd = {fds[0], POLLIN, 0};
    int polled = ::poll(&poll_fd, 1, wait_ms);
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0 && !ready) {
      ::kill(pid, SIGKILL);
      killed = true;
      result->problems.push_back("the child did not start within 10 s");
      ++result->lost;
      break;
    }
    if (polled <= 0) continue;
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    buffer.append(chunk, static_cast<size_t>(n));
    consume(/*before_kill=*/true);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // Every complete line still in the pipe was written before the kill: it counts.
  for (;;) {
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  consume(/*before_kill=*/false);  // an incomplete last line stays in `buffer`: ignored
  result->lines = seen;
  ++moments_[moment];
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && killed) return true;
  result->problems.push_back(WIFEXITED(status) ? "the child exited by itself with status " + std::to_string(WEXITSTATUS(status))
                                               : "the child died of signal " + std::to_string(WTERMSIG(status)));
  return false;
}

void Harness::Apply(const Line& line, Round* result) {
  model_.pending.reset();
  if (IsIntent(line.tag)) {
    model_.pending = line;
    return;
  }
  auto draft = model_.drafts.find(line.draft);
  bool needs_draft = std::strchr("ANXPLDF", line.tag) != nullptr;
  if (needs_draft && draft == model_.drafts.end()) {
    result->problems.push_back("the child reported on draft " + std::to_string(line.draft) + ", which the harness does not know");
    ++result->lost;
    return;
  }
  switch (line.tag) {
    case 'S': {
      DraftModel fresh;
      fresh.form_id = line.a;
      fresh.language = line.b;
      model_.drafts[line.draft] = std::move(fresh);
      break;
    }
    case 'A':
      draft->second.answers[line.a] = line.text;
      ++result->answers_reported;
      break;
    case 'N':
      draft->second.repeats[line.a] = static_cast<int32_t>(std::stol(line.b));
      break;
    case 'X':
      DropInstance(draft->second, line.a, line.b);
      draft->second.repeats[line.a] = static_cast<int32_t>(std::stol(line.b)) - 1;
      break;
    case 'P':
      draft->second.page = static_cast<int32_t>(std::stol(line.a));
      break;
    case 'L':
      draft->second.language = line.a;
      break;
    case 'D':
      model_.drafts.erase(draft);
      break;
    case 'F':
      ++finalized_total_;
      model_.finalized[line.a] = {line.draft, line.b, false};
      model_.drafts.erase(draft);
      break;
    case 'M': {
      auto finalized = model_.finalized.find(line.a);
      if (finalized == model_.finalized.end()) {
        result->problems.push_back("the child marked sent " + line.a + ", which the harness does not know");
        ++result->lost;
      } else {
        finalized->second.sent = true;
        ++sent_total_;
      }
      break;
    }
    case 'U': {
      int64_t sent = 0;
      for (auto it = model_.finalized.begin(); it != model_.finalized.end();) {
        if (!it->second.sent) {
          ++it;
          continue;
        }
        ++sent;
        model_.purged.emplace_back(it->second.draft, it->first);
        ++purged_total_;
        it = model_.finalized.erase(it);
      }
      if (std::to_string(sent) != line.a) {
        result->Duplicated("PurgeSent deleted " + line.a + " submissions; " + std::to_string(sent) + " were sent");
      }
      break;
    }
    default:  // H, R: nothing to keep
      break;
  }
}

// The call the kill interrupted: adopt its outcome when the store shows one of the two.
void Harness::ResolvePending(DeviceStore& store, Round* result) {
  if (!model_.pending) return;
  Line line = *model_.pending;
  model_.pending.reset();
  auto committed = [this, &line](bool yes) { ++interrupted_[line.tag][yes ? 1 : 0]; };
  std::string where = "draft " + std::to_string(line.draft);
  if (line.tag == 's') {
    std::vector<int64_t> unknown;
    auto drafts = store.ListInstances(InstanceState::kDraft);
    if (!drafts.ok()) {
      ++result->integrity;
      result->problems.push_back("integrity: the drafts cannot be listed: " + drafts.status().ToString());
      return;
    }
    for (const InstanceSummary& summary : *drafts) {
      if (!model_.drafts.count(summary.id)) unknown.push_back(summary.id);
    }
    if (unknown.size() == 1) {
      auto instance = store.GetInstance(unknown[0]);
      if (!instance.ok() || instance->form_id != line.a) {
        result->Duplicated("the interrupted start of " + line.a + " left draft " + std::to_string(unknown[0]) +
                           " of another form");
        return;
      }
      DraftModel adopted;
      adopted.form_id = line.a;
      model_.drafts[unknown[0]] = std::move(adopted);
    }
    committed(unknown.size() == 1);  // more than one: the draft check reports them
    return;
  }
  if (line.tag == 'm') {
    auto finalized = model_.finalized.find(line.a);
    if (finalized == model_.finalized.end()) return;
    auto instance = store.GetInstance(finalized->second.draft);
    bool sent = instance.ok() && instance->state == InstanceState::kSent;
    if (sent && !finalized->second.sent) ++sent_total_;
    finalized->second.sent = finalized->second.sent || sent;
    committed(sent);
    return;
  }
  if (line.tag == 'u') {
    int64_t gone = 0, kept = 0;
    for (const auto& entry : model_.finalized) {
      if (entry.second.sent) ++(store.GetInstance(entry.second.draft).ok() ? kept : gone);
    }
    if (gone > 0 && kept > 0) {
      result->Duplicated("an interrupted purge deleted " + std::to_string(gone) + " sent submissions and left " +
                         std::to_string(kept));
      return;
    }
    if (gone > 0) {
      for (auto it = model_.finalized.begin(); it != model_.finalized.end();) {
        if (!it->second.sent) {
          ++it;
          continue;
        }
        model_.purged.emplace_back(it->second.draft, it->first);
        ++purged_total_;
        it = model_.finalized.erase(it);
      }
    }
    committed(gone > 0);
    return;
  }
  auto draft = model_.drafts.find(line.draft);
  if (draft == model_.drafts.end()) {
    result->problems.push_back("an interrupted call on unknown " + where);
    ++result->lost;
    return;
  }
  if (line.tag == 'd') {
    auto instance = store.GetInstance(line.draft);
    bool deleted = !instance.ok() && instance.status().code() == StatusCode::kNotFound;
    if (deleted) model_.drafts.erase(draft);
    committed(deleted);
    return;
  }
  if (line.tag == 'f') {
    auto instance = store.GetInstance(line.draft);
    if (instance.ok() && instance->state == InstanceState::kFinalized) {
      std::string sha;
      auto outbox = store.Outbox();
      if (!outbox.ok()) {
        ++result->integrity;
        result->problems.push_back("integrity: the outbox cannot be read: " + outbox.status().ToString());
        return;
      }
      for (const OutboxItem& item : *outbox) {
        if (item.uuid == instance->uuid) sha = Sha256Hex(item.canonical_json);
      }
      if (sha.empty()) {
        result->Lost(where + " is finalized as " + instance->uuid + " but the outbox does not hold it");
        return;
      }
      model_.finalized[instance->uuid] = {line.draft, sha, false};
      ++finalized_total_;
      model_.drafts.erase(draft);
      committed(true);
    } else {
      // Still a draft: the draft check looks at it. A finalize refused for errors shows the
      // first page with one, and the store saves that page before the call returns.
      auto resumed = store.Resume(line.draft);
      if (resumed.ok()) draft->second.page = resumed.value()->session().page_index();
      committed(false);
    }
    return;
  }
  // The others change a draft: see what the store has.
  auto resumed = store.Resume(line.draft);
  if (!resumed.ok()) return;  // the draft check reports it
  const Session& session = resumed.value()->session();
  DraftModel& model = draft->second;
  switch (line.tag) {
    case 'a': {
      auto value = session.GetAnswer(line.a);
      std::string stored = value.ok() ? Session::AnswerText(value.value()) : std::string();
      auto old = model.answers.find(line.a);
      std::string before = old == model.answers.end() ? std::string() : old->second;
      if (stored == line.text && stored != before) {
        model.answers[line.a] = stored;
        committed(true);
      } else if (stored == before || old == model.answers.end()) {
        // Not written. A path never reported holds what a new draft held (nothing, or a default).
        committed(false);
      } else {
        result->Lost(where + " " + line.a + ": the interrupted answer \"" + line.text + "\" (before: \"" + before +
                     "\") left \"" + stored + "\"");
      }
      break;
    }
    case '+': {
      auto count = session.RepeatCount(line.a);
      auto old = model.repeats.find(line.a);
      if (count.ok() && (old == model.repeats.end() || *count == old->second + 1)) {
        committed(old == model.repeats.end() || *count != old->second);
        model.repeats[line.a] = *count;
      } else if (!count.ok() || *count != old->second) {
        result->Lost(where + " " + line.a + ": the interrupted add left " +
                     (count.ok() ? std::to_string(*count) : count.status().ToString()) + " instances");
      } else {
        committed(false);
      }
      break;
    }
    case 'x': {
      auto count = session.RepeatCount(line.a);
      int32_t position = static_cast<int32_t>(std::stol(line.b));
      if (count.ok() && *count == position - 1) {
        DropInstance(model, line.a, line.b);
        model.repeats[line.a] = *count;
        committed(true);
      } else if (count.ok() && *count == position) {
        committed(false);
      } else {
        result->Lost(where + " " + line.a + ": the interrupted removal of instance " + line.b + " left " +
                     (count.ok() ? std::to_string(*count) : count.status().ToString()) + " instances");
      }
      break;
    }
    case 'p':
      committed(model.page != session.page_index());
      model.page = session.page_index();
      break;
    case 'l':
      if (session.language() == line.a || session.language() == model.language || model.language.empty()) {
        committed(session.language() != model.language);
        model.language = session.language();
      } else {
        result->Lost(where + ": the interrupted switch to " + line.a + " left the language " + session.language());
      }
      break;
    default:
      break;
  }
}

void Harness::Verify(Round* result) {
  StoreCheck check = DeviceStore::Check(store_path_);
  if (!check.ok) {
    ++result->integrity;
    std::string problems;
    for (const std::string& problem : check.problems) problems += " " + problem;
    result->problems.push_back("integrity: DeviceStore::Check:" + problems);
  }
  auto opened = DeviceStore::Open(store_path_);  // as the device it is (the children's identity)
  if (!opened.ok()) {
    ++result->integrity;
    result->problems.push_back("integrity: the store does not open: " + opened.status().ToString());
    return;
  }
  DeviceStore& store = *opened.value();
  ResolvePending(store, result);

  // Drafts: exactly those the children reported.
  std::set<int64_t> in_store;
  auto drafts = store.ListInstances(InstanceState::kDraft);
  auto outbox = store.Outbox();
  auto sent = store.ListInstances(InstanceState::kSent);
  for (const Status& status : {drafts.status(), outbox.status(), sent.status()}) {
    if (!status.ok()) {
      ++result->integrity;
      result->problems.push_back("integrity: the store cannot be listed: " + status.ToString());
      return;
    }
  }
  for (const InstanceSummary& summary : *drafts) {
    in_store.insert(summary.id);
    if (!model_.drafts.count(summary.id)) {
      result->Duplicated("draft " + std::to_string(summary.id) + " (" + summary.form_id + ") was never reported");
    }
  }
  for (auto& [id, draft] : model_.drafts) {
    std::string where = "draft " + std::to_string(id) + " (" + draft.form_id + ")";
    ++result->drafts_checked;
    if (!in_store.count(id)) {
      auto instance = store.GetInstance(id);
      result->Lost(where + " is not a draft any more: " +
                   (instance.ok() ? std::string(InstanceStateName(instance->state)) : instance.status().ToString()) +
                   " (" + std::to_string(draft.answers.size()) + " answers)");
      result->lost += static_cast<int64_t>(draft.answers.size());
      continue;
    }
    auto resumed = store.Resume(id);
    if (!resumed.ok()) {
      result->Lost(where + " does not resume: " + resumed.status().ToString());
      result->lost += static_cast<int64_t>(draft.answers.size());
      continue;
    }
    const Session& session = resumed.value()->session();
    for (const auto& [path, text] : draft.answers) {
      ++result->answers_checked;
      auto value = session.GetAnswer(path);
      if (!value.ok()) {
        result->Lost(where + " " + path + ": expected \"" + text + "\", " + value.status().ToString());
        continue;
      }
      std::string stored = Session::AnswerText(value.value());
      if (stored != text) result->Lost(where + " " + path + ": expected \"" + text + "\", the store has \"" + stored + "\"");
    }
    for (const auto& [repeat, count] : draft.repeats) {
      auto stored = session.RepeatCount(repeat);
      if (!stored.ok() || *stored != count) {
        result->Lost(where + " " + repeat + ": expected " + std::to_string(count) + " instances, the store has " +
                     (stored.ok() ? std::to_string(*stored) : stored.status().ToString()));
      }
    }
    if (draft.page >= 0 && session.page_index() != draft.page) {
      result->Lost(where + ": expected page " + std::to_string(draft.page) + ", resumed on page " +
                   std::to_string(session.page_index()));
    }
    if (!draft.language.empty() && session.language() != draft.language) {
      result->Lost(where + ": expected language " + draft.language + ", resumed in " + session.language());
    }
  }

  // The outbox: every finalized submission not yet sent, once, unchanged; nothing else.
  std::map<std::string, int> seen;
  for (const OutboxItem& item : *outbox) {
    if (++seen[item.uuid] > 1) result->Duplicated("submission " + item.uuid + " is in the outbox twice");
    auto expected = model_.finalized.find(item.uuid);
    if (expected == model_.finalized.end()) {
      result->Duplicated("submission " + item.uuid + " was never reported (or was deleted once sent)");
      continue;
    }
    if (expected->second.sent) {
      result->Duplicated("submission " + item.uuid + " was sent, and it is in the outbox again");
      continue;
    }
    ++result->finalized_checked;
    std::string hash = Sha256Hex(item.canonical_json);
    if (item.sha256 != expected->second.sha256 || hash != expected->second.sha256) {
      result->Lost("submission " + item.uuid + ": reported sha256 " + expected->second.sha256 + ", stored " + item.sha256 +
                   ", its bytes hash to " + hash);
    }
  }
  for (const auto& [uuid, finalized] : model_.finalized) {
    if (!finalized.sent && !seen.count(uuid)) {
      result->Lost("submission " + uuid + " of draft " + std::to_string(finalized.draft) + " is not in the outbox");
      continue;
    }
    InstanceState state = finalized.sent ? InstanceState::kSent : InstanceState::kFinalized;
    auto instance = store.GetInstance(finalized.draft);
    if (!instance.ok() || instance->state != state || instance->uuid != uuid) {
      result->Lost("instance " + std::to_string(finalized.draft) + " should be " + InstanceStateName(state) + " as " +
                   uuid + "; it is " +
                   (instance.ok() ? std::string(InstanceStateName(instance->state)) + " " + instance->uuid
                                  : instance.status().ToString()));
    }
  }
  for (const InstanceSummary& summary : *sent) {
    auto expected = model_.finalized.find(summary.uuid);
    if (expected == model_.finalized.end() || !expected->second.sent) {
      result->Duplicated("submission " + summary.uuid + " is sent, but it was not marked sent (or was deleted)");
    }
  }
  // Purged since the last kill: gone (checked once; the id itself may name a newer draft).
  for (const auto& [id, uuid] : model_.purged) {
    auto instance = store.GetInstance(id);
    if (instance.ok() && instance->uuid == uuid) {
      result->Duplicated("submission " + uuid + " was deleted once sent, and it is back");
    }
  }
  model_.purged.clear();
}

int Harness::Run() {
  std::error_code error;
  std::filesystem::create_directories(options_.store_dir, error);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(store_path_ + suffix, error);

  if (!options_.trace.empty()) trace_ = std::fopen(options_.trace.c_str(), "w");
  Clock::time_point started = Clock::now();
  double child_seconds = 0, verify_seconds = 0;
  int64_t lost = 0, duplicated = 0, integrity = 0, child_failures = 0;
  int64_t answers_checked = 0, max_answers_checked = 0, drafts_checked = 0, finalized_checked = 0;
  int64_t lines = 0, answers_reported = 0, rounds = 0;
  std::vector<std::string> problems;
  for (int64_t round = 1; round <= options_.kills; ++round) {
    Round result;
    Clock::time_point begin = Clock::now();
    bool killed = RunChild(round, &result);
    Clock::time_point middle = Clock::now();
    if (!killed) ++child_failures;
    Verify(&result);
    Clock::time_point end = Clock::now();
    child_seconds += std::chrono::duration<double>(middle - begin).count();
    verify_seconds += std::chrono::duration<double>(end - middle).count();
    ++rounds;
    lost += result.lost;
    duplicated += result.duplicated;
    integrity += result.integrity;
    answers_checked += result.answers_checked;
    max_answers_checked = std::max(max_answers_checked, result.answers_checked);
    drafts_checked += result.drafts_checked;
    finalized_checked += result.finalized_checked;
    lines += result.lines;
    answers_reported += result.answers_reported;
    if (options_.verbose) {
      std::printf("kill %lld: %lld lines, %lld answers reported; checked %lld answers in %lld drafts, %lld submissions\n",
                  static_cast<long long>(round), static_cast<long long>(result.lines),
                  static_cast<long long>(result.answers_reported), static_cast<long long>(result.answers_checked),
                  static_cast<long long>(result.drafts_checked), static_cast<long long>(result.finalized_checked));
    }
    for (const std::string& problem : result.problems) problems.push_back("kill " + std::to_string(round) + ": " + problem);
    if (!result.problems.empty()) break;  // the first round with a problem ends the run
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  size_t shown = std::min<size_t>(problems.size(), 20);
  for (size_t i = 0; i < shown; ++i) std::printf("%s\n", problems[i].c_str());
  if (problems.size() > shown) std::printf("... and %zu more\n", problems.size() - shown);
  auto mean = [rounds](double total) { return rounds > 0 ? total / static_cast<double>(rounds) : 0.0; };
  std::printf("crash test: %lld kills in %.1f s (children %.1f s, checks %.1f s), seed %llu%s\n",
              static_cast<long long>(rounds), seconds, child_seconds, verify_seconds,
              static_cast<unsigned long long>(options_.seed), options_.disable_autosave ? ", autosave disabled" : "");
  std::printf("kill moments:");
  for (int m = 0; m < kMoments; ++m) std::printf("%s %lld %s", m ? "," : "", static_cast<long long>(moments_[m]), kMomentNames[m]);
  std::printf("\n");
  std::printf("lines read: %lld (%.1f per kill); answers reported saved: %lld (%.1f per kill)\n",
              static_cast<long long>(lines), mean(static_cast<double>(lines)), static_cast<long long>(answers_reported),
              mean(static_cast<double>(answers_reported)));
  std::printf("answers checked per kill: mean %.1f, max %lld (%lld in all); drafts checked per kill: mean %.1f\n",
              mean(static_cast<double>(answers_checked)), static_cast<long long>(max_answers_checked),
              static_cast<long long>(answers_checked), mean(static_cast<double>(drafts_checked)));
  std::printf("finalized submissions: %lld (%lld marked sent, %lld of them deleted); outbox items checked %lld times "
              "(bytes and SHA-256)\n",
              static_cast<long long>(finalized_total_), static_cast<long long>(sent_total_),
              static_cast<long long>(purged_total_), static_cast<long long>(finalized_checked));
  std::printf("calls interrupted by the kill (committed/not):");
  const char* separator = "";
  for (const auto& [tag, counts] : interrupted_) {
    const char* name = tag == 's' ? "start" : tag == 'a' ? "answer" : tag == '+' ? "add" : tag == 'x' ? "remove"
                     : tag == 'p' ? "page" : tag == 'l' ? "language" : tag == 'd' ? "delete" : tag == 'f' ? "finalize"
                     : tag == 'm' ? "mark sent" : "purge";
    std::printf("%s %s %lld/%lld", separator, name, static_cast<long long>(counts[1]), static_cast<long long>(counts[0]));
    separator = ",";
  }
  std::printf("\n");
  std::printf("integrity_check failures: %lld; child failures: %lld\n", static_cast<long long>(integrity),
              static_cast<long long>(child_failures));
  std::printf("lost: %lld\nduplicated: %lld\n", static_cast<long long>(lost), static_cast<long long>(duplicated));
  std::fflush(stdout);
  if (trace_ != nullptr) std::fclose(trace_);
  return problems.empty() ? 0 : 1;
}

std::string SiblingOfSelf(const std::string& name) {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return name;
  return (self.parent_path() / name).string();
}

int Main(int argc, char** argv) {
  Harness::Options options;
  options.child = SiblingOfSelf("chosa_crash_child");
  auto usage = []() {
    std::fprintf(stderr,
                 "usage: chosa_crash_harness --store DIR --kills N [--seed S] [--disable-autosave] [--child PATH] "
                 "[--forms DIR] [--child-option OPT]... [--trace FILE] [--verbose]\n");
    std::exit(2);
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (arg == "--store") options.store_dir = value();
    else if (arg == "--kills") options.kills = std::strtoll(value().c_str(), nullptr, 10);
    else if (arg == "--seed") options.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--child") options.child = value();
    else if (arg == "--forms") options.forms_dir = value();
    else if (arg == "--disable-autosave" || arg == "--no-autosave-check") options.disable_autosave = true;
    else if (arg == "--child-option") options.child_options.push_back(value());
    else if (arg == "--trace") options.trace = value();
    else if (arg == "--verbose") options.verbose = true;
    else usage();
  }
  if (options.store_dir.empty() || options.kills <= 0) usage();
  ::signal(SIGPIPE, SIG_IGN);
  return Harness(options).Run();
}

}  // namespace
}  // namespace crashtest
}  // namespace chosa

int main(int argc, char** argv) { return chosa::crashtest::Main(argc, argv); }
