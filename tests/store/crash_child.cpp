// chosa_crash_child: fills the five example surveys through a DeviceStore, forever (or for
// --ops N steps), and reports every acknowledged write on standard output in the line protocol
// of crash_protocol.h. chosa_crash_harness runs it and kills it with SIGKILL at random moments.
//
//   chosa_crash_child --store FILE --seed S [--forms DIR] [--ops N] [--disable-autosave] [--keep-defaults]
//                     [--no-jumps] [--dry-run]
//
// It answers what the view model shows on the current page, as a person would: a choice among
// those offered, a plausible number (another one when the constraint refuses it), a date, a
// Japanese text; it moves to the next page, finalizes on the last one, and now and then goes
// back, jumps ahead, overwrites or clears an answer (a default too), switches language, adds or
// removes a repeat instance, leaves the draft for another one, resumes an older one or deletes
// it. Between drafts it does the sync thread's part: marks the oldest submission of the outbox
// sent, and now and then deletes every sent one. Every choice comes from a generator seeded by
// --seed.
//
// Two options narrow what it does, to look for other faults while one is being fixed:
// --keep-defaults never clears an answer a new draft started with (a default); --no-jumps never
// jumps to the last page (so a finalize is hardly ever refused for errors on skipped pages).
// --dry-run drives Sessions kept in memory instead of a store (to check the filler alone).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "chosa/env.h"
#include "chosa/filling.h"
#include "chosa/form.h"
#include "chosa/session.h"
#include "chosa/store.h"
#include "chosa/view_model.h"
#include "crash_protocol.h"
#include "store_testing.h"  // engine/store/src: the store's test hooks

namespace chosa {
namespace crashtest {
namespace {

// One line to the harness, in one write(2).
void Emit(const std::string& line) {
  std::string out = line;
  out.push_back('\n');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(1, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::_Exit(4);  // the harness is gone
    }
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "chosa_crash_child: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(3);
}

// Where drafts live: the device store, or memory (--dry-run).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::vector<int64_t> Drafts() = 0;
  virtual Result<std::unique_ptr<Filling>> Start(const std::string& form_id, const std::string& language,
                                                 int64_t* id) = 0;
  virtual Result<std::unique_ptr<Filling>> Resume(int64_t id) = 0;
  virtual Status Delete(int64_t id) = 0;
  virtual std::vector<std::string> Languages(const std::string& form_id) = 0;
  // The outbox, as the sync thread sees it: the oldest unsent UUID ("" when it holds `keep` or
  // fewer), marking sent, deleting what was sent.
  virtual std::string OldestInOutbox(size_t /*keep*/) { return {}; }
  virtual Status MarkSent(const std::string&) { return Status::Ok(); }
  virtual Result<int64_t> PurgeSent() { return int64_t{0}; }
};

class StoreBackend : public Backend {
 public:
  explicit StoreBackend(std::unique_ptr<DeviceStore> store) : store_(std::move(store)) {}
  std::vector<int64_t> Drafts() override {
    std::vector<int64_t> ids;
    auto drafts = store_->ListInstances(InstanceState::kDraft);
    if (!drafts.ok()) Die("ListInstances: " + drafts.status().ToString());
    for (const InstanceSummary& summary : *drafts) ids.push_back(summary.id);
    return ids;
  }
  Result<std::unique_ptr<Filling>> Start(const std::string& form_id, const std::string& language,
                                         int64_t* id) override {
    auto draft = store_->StartDraft(form_id, "enumerator-7", language);
    if (!draft.ok()) return draft.status();
    *id = draft.value()->id();
    return std::unique_ptr<Filling>(std::move(draft.value()));
  }
  Result<std::unique_ptr<Filling>> Resume(int64_t id) override {
    auto draft = store_->Resume(id);
    if (!draft.ok()) return draft.status();
    return std::unique_ptr<Filling>(std::move(draft.value()));
  }
  Status Delete(int64_t id) override { return store_->DeleteDraft(id); }
  std::vector<std::string> Languages(const std::string& form_id) override {
    auto form = store_->LoadForm(form_id);
    if (!form.ok()) Die("LoadForm " + form_id + ": " + form.status().ToString());
    return form.value()->languages();
  }
  std::string OldestInOutbox(size_t keep) override {
    auto outbox = store_->Outbox();
    if (!outbox.ok()) Die("Outbox: " + outbox.status().ToString());
    return outbox->size() <= keep ? std::string() : outbox->front().uuid;
  }
  Status MarkSent(const std::string& uuid) override { return store_->MarkSent(uuid); }
  Result<int64_t> PurgeSent() override { return store_->PurgeSent(true); }

 private:
  std::unique_ptr<DeviceStore> store_;
};

class MemoryBackend : public Backend {
 public:
  explicit MemoryBackend(const std::string& forms_dir) {
    for (const char* form_id : kExampleForms) {
      FormLoadResult loaded = Form::LoadFile(forms_dir + "/" + form_id + ".json");
      if (!loaded.ok()) Die(std::string("cannot load ") + form_id);
      forms_[form_id] = loaded.form;
    }
  }
  std::vector<int64_t> Drafts() override {
    std::vector<int64_t> ids;
    for (const auto& entry : sessions_) ids.push_back(entry.first);
    return ids;
  }
  Result<std::unique_ptr<Filling>> Start(const std::string& form_id, const std::string& language,
                                         int64_t* id) override {
    SessionOptions options;
    options.language = language;
    options.device_id = "dry-run";
    auto session = Session::Start(forms_.at(form_id), nullptr, options);
    if (!session.ok()) return session.status();
    *id = ++last_id_;
    Session* raw = session.value().get();
    sessions_[*id] = std::move(session.value());
    return std::unique_ptr<Filling>(new SessionFilling(raw));  // borrowed: kept in sessions_
  }
  Result<std::unique_ptr<Filling>> Resume(int64_t id) override {
    auto found = sessions_.find(id);
    if (found == sessions_.end()) return Status::NotFound("no draft " + std::to_string(id));
    return std::unique_ptr<Filling>(new SessionFilling(found->second.get()));
  }
  Status Delete(int64_t id) override {
    return sessions_.erase(id) ? Status::Ok() : Status::NotFound("no draft " + std::to_string(id));
  }
  std::vector<std::string> Languages(const std::string& form_id) override { return forms_.at(form_id)->languages(); }
  void Finalized(int64_t id) { sessions_.erase(id); }

 private:
  std::map<std::string, std::shared_ptr<const Form>> forms_;
  std::map<int64_t, std::unique_ptr<Session>> sessions_;
  int64_t last_id_ = 0;
};

bool Answerable(const std::string& type) {
  return type == "text" || type == "integer" || type == "decimal" || type == "select_one" ||
         type == "select_multiple" || type == "rank" || type == "date" || type == "time" ||
         type == "datetime" || type == "acknowledge" || type == "matrix_row";
}

struct RepeatTarget {
  std::string name;
  int32_t count = 0;
  bool can_add = false;
  bool can_remove = false;
};

// The answerable items of the page, groups, matrices and repeat instances flattened.
void Flatten(const std::vector<ItemView>& items, std::vector<const ItemView*>* answers,
             std::vector<RepeatTarget>* repeats) {
  for (const ItemView& item : items) {
    if (item.type == "repeat") {
      repeats->push_back({item.path, static_cast<int32_t>(item.instances.size()), item.can_add, item.can_remove});
      for (const RepeatInstanceView& instance : item.instances) Flatten(instance.items, answers, repeats);
    } else if (Answerable(item.type)) {
      if (!item.read_only) answers->push_back(&item);
    } else {
      Flatten(item.children, answers, repeats);
    }
  }
}

const char* const kTexts[] = {
    "訪問看護ステーションと連携しました", "𠮷田さん宅で面談", "地域包括支援センターに相談した",
    "ＡＣＰの研修を受けた", "特になし", "在宅医療・介護連携の会議に参加", "ケアマネジャーとの情報共有が課題",
    "薬局　北口店", "田中 美咲", "高橋 健", "多職種連携研修 (第3回)", "退院前カンファレンス 😀",
    "天王寺区薬局", "こんにちは、世界", "Nursing station north",
};
const char* const kIntegers[] = {"0", "1", "3", "7", "12", "42", "70", "85", "150", "2020", "2024"};
const char* const kDecimals[] = {"0.5", "3.25", "12", "7.75"};

class Filler {
 public:
  Filler(Backend* backend, uint64_t seed, bool dry_run, bool keep_defaults, bool no_jumps)
      : backend_(backend), rng_(seed), dry_run_(dry_run), keep_defaults_(keep_defaults), no_jumps_(no_jumps) {}

  void Run(int64_t ops) {
    for (int64_t op = 0; ops < 0 || op < ops; ++op) Step();
  }

 private:
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string Id() const { return std::to_string(id_); }

  void Step() {
    if (!filling_) {
      OpenSomeDraft();
      return;
    }
    ++steps_on_draft_;
    const Session& session = filling_->session();
    ViewModel view = session.View();
    std::vector<const ItemView*> answers;
    std::vector<RepeatTarget> repeats;
    Flatten(view.items, &answers, &repeats);

    double r = Uniform();
    if (steps_on_draft_ > 600 || r < 0.008) return DeleteCurrent();
    if (r < 0.03) return Leave();
    if (r < 0.045 && view.languages.size() > 1) return SwitchLanguage(view);
    if (r < 0.06 && view.navigation.can_back) return Move(false);
    if (r < 0.065 && view.navigation.can_next && !no_jumps_) return JumpToEnd(view);  // skips pages: finalize may refuse
    if (r < 0.11 && !answers.empty()) return Rework(answers);
    if (r < 0.17 && !repeats.empty()) return ChangeRepeat(repeats[Pick(repeats.size())]);
    if (r < 0.19 && !keep_defaults_) {  // a person clears an answer the form filled in (a default)
      for (const ItemView* item : answers) {
        if (HasDefault(session.form(), item->path) && !item->value.empty()) return Clear(*item);
      }
    }

    for (const ItemView* item : answers) {
      bool wanted = item->value.empty() || !item->errors.empty();
      if (!wanted || attempts_[item->path] >= 12 || cleared_.count(item->path)) continue;
      ++attempts_[item->path];
      Answer(*item, /*may_clear=*/false);
      return;
    }
    for (const RepeatTarget& repeat : repeats) {
      if (repeat.count == 0 && repeat.can_add && Uniform() < 0.5) return ChangeRepeat(repeat);
    }
    if (view.navigation.can_next) return Move(true);
    FinalizeCurrent();
  }

  void OpenSomeDraft() {
    steps_on_draft_ = 0;
    attempts_.clear();
    cleared_.clear();
    // Between drafts, the sync thread's work: the oldest submission was sent (when the outbox
    // holds more than a few, so that it stays short); now and then every sent submission is
    // deleted from the device.
    if (Uniform() < 0.6) {
      std::string uuid = backend_->OldestInOutbox(/*keep=*/8);
      if (!uuid.empty()) {
        Emit("m " + uuid);
        Status sent = backend_->MarkSent(uuid);
        if (!sent.ok()) Die("MarkSent " + uuid + ": " + sent.ToString());
        Emit("M " + uuid);
        return;
      }
    }
    if (Uniform() < 0.03) {
      Emit("u all");
      auto purged = backend_->PurgeSent();
      if (!purged.ok()) Die("PurgeSent: " + purged.status().ToString());
      Emit("U " + std::to_string(purged.value()));
      return;
    }
    std::vector<int64_t> drafts = backend_->Drafts();
    if (drafts.size() > 12) {  // keep the store's drafts few: delete the oldest
      id_ = drafts.front();
      Emit("d " + Id());
      Status deleted = backend_->Delete(id_);
      if (!deleted.ok()) Die("DeleteDraft " + Id() + ": " + deleted.ToString());
      Emit("D " + Id());
      return;
    }
    if (!drafts.empty() && (drafts.size() >= 6 || Uniform() < 0.4)) {
      id_ = drafts[Pick(drafts.size())];
      auto resumed = backend_->Resume(id_);
      if (!resumed.ok()) Die("Resume " + Id() + ": " + resumed.status().ToString());
      filling_ = std::move(resumed.value());
      Emit("R " + Id());
      return;
    }
    std::string form_id = kExampleForms[Pick(std::size(kExampleForms))];
    std::vector<std::string> languages = backend_->Languages(form_id);
    std::string language = Uniform() < 0.5 ? "" : languages[Pick(languages.size())];
    Emit("s " + form_id);
    auto started = backend_->Start(form_id, language, &id_);
    if (!started.ok()) Die("StartDraft " + form_id + ": " + started.status().ToString());
    filling_ = std::move(started.value());
    Emit("S " + Id() + " " + form_id + " " + filling_->session().language());

  }

  void Leave() { filling_.reset(); }

  void DeleteCurrent() {
    filling_.reset();
    Emit("d " + Id());
    Status deleted = backend_->Delete(id_);
    if (!deleted.ok()) Die("DeleteDraft " + Id() + ": " + deleted.ToString());
    Emit("D " + Id());
  }

  void SwitchLanguage(const ViewModel& view) {
    std::string language = view.languages[Pick(view.languages.size())];
    Emit("l " + Id() + " " + language);
    Status status = filling_->SetLanguage(language);
    if (!status.ok()) Die("SetLanguage " + language + ": " + status.ToString());
    Emit("L " + Id() + " " + filling_->session().language());
  }

  void Move(bool forward) {
    Emit("p " + Id());
    Status status = forward ? filling_->Next() : filling_->Back();
    cleared_.clear();  // answers left empty on purpose are given again when the page is left
    if (status.ok()) {
      attempts_.clear();
      Emit("P " + Id() + " " + std::to_string(filling_->session().page_index()));
    } else if (status.code() != StatusCode::kInvalidArgument) {
      Die(std::string(forward ? "Next: " : "Back: ") + status.ToString());
    }
  }

  // Jumps to the last page that is relevant now (GoToPage does not validate).
  void JumpToEnd(const ViewModel& view) {
    for (int32_t page = view.navigation.page_count - 1; page > view.navigation.page; --page) {
      Emit("p " + Id());
      Status status = filling_->GoToPage(page);
      if (status.ok()) {
        attempts_.clear();
        cleared_.clear();
        Emit("P " + Id() + " " + std::to_string(filling_->session().page_index()));
        return;
      }
      if (status.code() != StatusCode::kInvalidArgument) Die("GoToPage: " + status.ToString());
    }
  }

  // Overwrites an answer with another value, or clears one that is not required.
  void Rework(const std::vector<const ItemView*>& answers) {
    const ItemView& item = *answers[Pick(answers.size())];
    Answer(item, /*may_clear=*/!item.required || Uniform() < 0.3);  // a person may clear any answer
  }

  void ChangeRepeat(const RepeatTarget& repeat) {
    if (repeat.can_add && (repeat.count < 3 || !repeat.can_remove) && Uniform() < 0.7) {
      Emit("+ " + Id() + " " + repeat.name);
      auto added = filling_->AddRepeatInstance(repeat.name);
      if (!added.ok()) {
        if (added.status().code() != StatusCode::kInvalidArgument) Die("AddRepeatInstance: " + added.status().ToString());
        return;
      }
      auto count = filling_->session().RepeatCount(repeat.name);
      Emit("N " + Id() + " " + repeat.name + " " + std::to_string(count.ok() ? count.value() : -1));
    } else if (repeat.can_remove && repeat.count > 0) {
      std::string position = std::to_string(repeat.count);  // the last one: no renumbering
      Emit("x " + Id() + " " + repeat.name + " " + position);
      Status status = filling_->RemoveRepeatInstance(repeat.name, repeat.count);
      if (!status.ok()) {
        if (status.code() != StatusCode::kInvalidArgument) Die("RemoveRepeatInstance: " + status.ToString());
        return;
      }
      Emit("X " + Id() + " " + repeat.name + " " + position);
    }
  }

  std::string ValueFor(const ItemView& item) {
    const std::string& type = item.type;
    if (type == "select_one" || type == "matrix_row") {
      if (item.choices.empty()) return {};
      return item.choices[Pick(item.choices.size())].value;
    }
    if (type == "select_multiple" || type == "rank") {
      if (item.choices.empty()) return {};
      std::vector<size_t> order(item.choices.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng_);
      size_t take = type == "rank" ? order.size() : 1 + Pick(std::min<size_t>(3, order.size()));
      order.resize(take);
      if (type == "select_multiple") std::sort(order.begin(), order.end());  // list order
      std::string text;
      for (size_t index : order) text += (text.empty() ? "" : " ") + item.choices[index].value;
      return text;
    }
    if (type == "integer") return kIntegers[Pick(std::size(kIntegers))];
    if (type == "decimal") return kDecimals[Pick(std::size(kDecimals))];
    if (type == "date") {
      auto two = [](size_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
      return std::to_string(2023 + Pick(2)) + "-" + two(1 + Pick(10)) + "-" + two(1 + Pick(28));
    }
    if (type == "time") return Pick(2) ? "09:30" : "14:05";
    if (type == "datetime") return Pick(2) ? "2024-04-01 09:30" : "2024-10-15 14:05";
    if (type == "acknowledge") return "OK";
    std::string text = kTexts[Pick(std::size(kTexts))];
    if (Uniform() < 0.5) text += " " + std::to_string(Pick(1000));
    return text;
  }

  // Whether the question at `path` starts with an answer (a default; outside repeats).
  static bool HasDefault(const Form& form, const std::string& path) {
    int32_t index = form.Find(path);
    return index != kNone && !form.item(index).default_value.empty();
  }

  void Clear(const ItemView& item) { Answer(item, /*may_clear=*/true, /*clear=*/true); }

  void Answer(const ItemView& item, bool may_clear, bool clear = false) {
    if (keep_defaults_ && HasDefault(filling_->session().form(), item.path)) may_clear = false;
    std::string text = clear || (may_clear && Uniform() < 0.3) ? std::string() : ValueFor(item);
    if (text.empty() && !may_clear) return;
    Emit("a " + Id() + " " + item.path + " " + text);
    Status status = filling_->SetAnswer(item.path, text);
    if (!status.ok()) {
      // A value the session refuses (kInvalidArgument) changes nothing; anything else is a fault.
      if (status.code() != StatusCode::kInvalidArgument) Die("SetAnswer " + item.path + ": " + status.ToString());
      return;
    }
    auto stored = filling_->session().GetAnswer(item.path);
    if (!stored.ok()) Die("GetAnswer " + item.path + ": " + stored.status().ToString());
    std::string saved = Session::AnswerText(stored.value());
    if (saved.find('\n') != std::string::npos) Die("an answer text with a newline");
    Emit("A " + Id() + " " + item.path + " " + saved);
    if (text.empty()) {
      cleared_.insert(item.path);
      if (Uniform() < 0.3) Leave();  // the cleared answer stays cleared in the store for a while
    }
  }

  void FinalizeCurrent() {
    Emit("f " + Id());
    auto submission = filling_->Finalize();
    if (submission.ok()) {
      Emit("F " + Id() + " " + submission.value().uuid + " " + submission.value().sha256);
      filling_.reset();
      if (dry_run_) static_cast<MemoryBackend*>(backend_)->Finalized(id_);
      return;
    }
    if (submission.status().code() != StatusCode::kInvalidArgument) Die("Finalize: " + submission.status().ToString());
    attempts_.clear();
    cleared_.clear();
    Emit("P " + Id() + " " + std::to_string(filling_->session().page_index()));
  }

  Backend* backend_;
  std::mt19937_64 rng_;
  bool dry_run_;
  bool keep_defaults_;
  bool no_jumps_;
  std::unique_ptr<Filling> filling_;
  int64_t id_ = 0;
  int64_t steps_on_draft_ = 0;
  std::map<std::string, int> attempts_;
  std::set<std::string> cleared_;  // cleared on purpose on this page: left empty for a while
};

int Main(int argc, char** argv) {
  std::string store_path, forms_dir = kDefaultFormsDir;
  uint64_t seed = 1;
  int64_t ops = -1;
  bool disable_autosave = false, dry_run = false, keep_defaults = false, no_jumps = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--store") store_path = value();
    else if (arg == "--forms") forms_dir = value();
    else if (arg == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--ops") ops = std::strtoll(value().c_str(), nullptr, 10);
    else if (arg == "--disable-autosave") disable_autosave = true;
    else if (arg == "--dry-run") dry_run = true;
    else if (arg == "--keep-defaults") keep_defaults = true;
    else if (arg == "--no-jumps") no_jumps = true;
    else Die("usage: chosa_crash_child --store FILE --seed S [--forms DIR] [--ops N] [--disable-autosave] [--keep-defaults] [--no-jumps] [--dry-run]");
  }
  std::unique_ptr<Backend> backend;
  if (dry_run) {
    backend = std::make_unique<MemoryBackend>(forms_dir);
  } else {
    if (store_path.empty()) Die("--store FILE is required");
    StoreOptions options;
    options.device_id = "crash-test-device";
    store_testing::SetAutosaveDisabled(disable_autosave);
    auto store = DeviceStore::Open(store_path, options);
    if (!store.ok()) Die("cannot open " + store_path + ": " + store.status().ToString());
    // Install the surveys once: a later child finds them installed and starts at once.
    auto installed = store.value()->ListForms();
    if (!installed.ok()) Die("ListForms: " + installed.status().ToString());
    for (const char* form_id : kExampleForms) {
      bool present = false;
      for (const InstalledForm& form : *installed) present = present || form.form_id == form_id;
      if (present) continue;
      auto result = store.value()->InstallFormFile(forms_dir + "/" + form_id + ".json");
      if (!result.ok()) Die(std::string("cannot install ") + form_id + ": " + result.status().ToString());
    }
    backend = std::make_unique<StoreBackend>(std::move(store.value()));
  }
  Emit("H " + std::to_string(static_cast<long long>(::getpid())));
  Filler filler(backend.get(), seed, dry_run, keep_defaults, no_jumps);
  filler.Run(ops);
  return 0;
}

}  // namespace
}  // namespace crashtest
}  // namespace chosa

int main(int argc, char** argv) { return chosa::crashtest::Main(argc, argv); }
