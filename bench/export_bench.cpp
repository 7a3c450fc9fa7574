// The export benchmark (issue 7; bench/export_run.sh runs it, results in BENCHMARKS.md): a
// collector's data directory holding N coordinator checklists, exported to CSV by the real
// `chosa-collector export coordinator_checklist --format csv --out DIR`, against the sqlite3
// shell's own CSV mode dumping a table that holds exactly the export's columns and values
// (`sqlite3 -csv -header BASELINE "SELECT * FROM t"`), each run as a child process: wall time and
// the child's peak RSS (wait4). The dataset grows through the sizes asked for (250,000, 500,000,
// 1,000,000 by default) so that the peak memory of each size shows whether it stays flat.
//
// The submissions are what devices send: a few hundred fillings made through the engine's
// Session (Start, SetAnswer, Finalize) with varied answers, each then sent many times under a
// fresh version 4 UUID (the UUID is the only byte that changes; nothing else in a submission
// depends on it), and CheckSubmission re-validates a sample of what is stored. They are stored
// with CollectorStorage::StoreBatch, a batch per device (no HTTP).
//
// Prints one JSON object of figures on stdout; progress on stderr.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "chosa/collector_storage.h"
#include "chosa/env.h"
#include "chosa/protocol.h"
#include "chosa/session.h"
#include "chosa/submission_check.h"
#include "chosa/collector/admin.h"

namespace chosa::bench {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "chosa_export_bench: " << message << "\n";
  std::exit(1);
}
void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Args {
  std::string collector_tool, source_dir, dir, sqlite3 = "sqlite3";
  std::vector<int64_t> sizes{250000, 500000, 1000000};
  int templates_per_device = 25;
  int devices = 20;
  int batch = 1000;
  int rounds = 3;
  int check_every = 1000;  // CheckSubmission on one stored submission in this many
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) Die("missing value after " + k);
    const std::string v = argv[++i];
    if (k == "--collector-tool") {
      a.collector_tool = v;
    } else if (k == "--source-dir") {
      a.source_dir = v;
    } else if (k == "--dir") {
      a.dir = v;
    } else if (k == "--sqlite3") {
      a.sqlite3 = v;
    } else if (k == "--sizes") {
      a.sizes.clear();
      std::stringstream list(v);
      std::string item;
      while (std::getline(list, item, ',')) a.sizes.push_back(std::stoll(item));
    } else if (k == "--templates-per-device") {
      a.templates_per_device = std::stoi(v);
    } else if (k == "--devices") {
      a.devices = std::stoi(v);
    } else if (k == "--batch") {
      a.batch = std::stoi(v);
    } else if (k == "--rounds") {
      a.rounds = std::stoi(v);
    } else if (k == "--check-every") {
      a.check_every = std::stoi(v);
    } else {
      Die("unknown argument " + k);
    }
  }
  if (a.collector_tool.empty() || a.source_dir.empty() || a.dir.empty() || a.sizes.empty() || a.rounds < 1) {
    Die("usage: chosa_export_bench --collector-tool PATH --source-dir REPO --dir DIR [--sizes 250000,500000,1000000] "
        "[--rounds R] [--sqlite3 PATH] [--devices D] [--templates-per-device T] [--batch B] [--check-every K]");
  }
  std::sort(a.sizes.begin(), a.sizes.end());
  return a;
}

// A device's clock and random bytes, reproducible: the clock moves on a few seconds per call.
class BenchEnv : public Env {
 public:
  explicit BenchEnv(uint64_t seed, int64_t start) : random_(seed), now_(start) {}
  int64_t NowMillis() override { return now_ += 1000 + static_cast<int64_t>(random_() % 90000); }
  int UtcOffsetMinutes(int64_t) override { return 540; }
  void RandomBytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(random_());
  }
  void Log(LogLevel, std::string_view) override {}

 private:
  std::mt19937_64 random_;
  int64_t now_;
};

// One filling of the checklist, answered as a coordinator might: a ward, a month of hire, the
// milestone, the 25 rows between 1 and 4 (scores drawn around a level of their own), the
// training questions and, at 9 and 12 months, a free text (with commas, quotes, line breaks).
Submission FillOne(const std::shared_ptr<const Form>& form, const std::vector<std::string>& wards, int device,
                   int k, std::mt19937_64& random) {
  BenchEnv env(random(), 1727740800000 + static_cast<int64_t>(random() % (40LL * 86400000)));  // Oct-Nov 2024
  SessionOptions options;
  options.language = random() % 5 == 0 ? "en" : "ja";
  options.device_id = "tablet-" + std::to_string(100 + device);
  options.enumerator_id = "staff-" + std::to_string(1000 + device * 7 + k % 3);
  auto session = Session::Start(form, &env, options);
  Check(session.status(), "Session::Start");
  Session& s = **session;
  auto set = [&](const std::string& path, const std::string& text) { Check(s.SetAnswer(path, text), "SetAnswer " + path); };
  static const char* kMonths[] = {"2023-04-01", "2023-07-01", "2023-10-01", "2024-01-01", "2024-04-01",
                                  "2024-05-01", "2024-06-01", "2024-07-01", "2024-09-01"};
  static const char* kMilestones[] = {"3", "9", "12"};
  static const char* kIssues[] = {
      "退院調整の連絡が遅れることがある",
      "介護支援専門員との情報共有、特に夜間の連絡方法に悩んでいます",
      "会議の議事録作成に時間がかかる。\n資料の準備も「もう少し」早くしたい",
      "Hard to reach GPs on weekdays, \"after 5\" only",
  };
  static const char* kReflections[] = {
      "多職種研修会を2回開催し、参加者アンケートでも好評だった",
      "地域包括支援センターとの定例会を始めました。\n来年度は住民向け講座も企画したい",
      "ACP（人生会議）の出前講座を5回、延べ120人に実施",
  };
  set("ward", wards[random() % wards.size()]);
  set("hire_month", kMonths[random() % 9]);
  set("year_in_post", random() % 3 == 0 ? "2" : "1");
  const std::string milestone = kMilestones[random() % 3];
  set("milestone", milestone);
  set("briefing", random() % 6 == 0 ? "no" : "yes");
  set("checklist_mindset", random() % 4 == 0 ? "not_mindful" : "mindful");
  const int level = 1 + static_cast<int>(random() % 4);
  for (int row = 1; row <= 25; ++row) {
    int score = level + static_cast<int>(random() % 3) - 1;
    score = std::clamp(score, 1, 4);
    char path[4];
    std::snprintf(path, sizeof path, "c%02d", row);
    set(path, std::to_string(score));
  }
  const bool lecture = random() % 5 != 0, practicum = random() % 3 != 0;
  set("lecture_attended", lecture ? "yes" : "no");
  if (lecture) set("confident_after_lecture", random() % 3 == 0 ? "no" : "yes");
  set("practicum_attended", practicum ? "yes" : "no");
  if (practicum) set("confident_after_practicum", random() % 4 == 0 ? "no" : "yes");
  if (milestone == "9" && random() % 2 == 0) set("progress_issues", kIssues[random() % 4]);
  if (milestone == "12" && random() % 3 != 0) set("reflection", kReflections[random() % 3]);
  auto finalized = s.Finalize();
  Check(finalized.status(), "Finalize");
  return *finalized;
}

// A submission sent many times: its bytes, and where its UUID's 36 characters are.
struct Template {
  std::string body;
  size_t uuid_at = 0;
};

// A version 4 UUID, a different one for every `n` (all 64 bits of a bijective mix of n appear).
void WriteUuid(uint64_t n, char* out) {
  auto mix = [](uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  };
  const uint64_t x = mix(n + 1), y = mix((n + 1) ^ 0x5bd1e9955bd1e995ULL);
  char text[40];
  std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-%c%01llx%02llx-%012llx",
                static_cast<unsigned long long>(x >> 32), static_cast<unsigned long long>((x >> 16) & 0xffff),
                static_cast<unsigned long long>((x >> 4) & 0xfff), "89ab"[y & 3],
                static_cast<unsigned long long>(x & 0xf), static_cast<unsigned long long>((y >> 2) & 0xff),
                static_cast<unsigned long long>(y >> 16 & 0xffffffffffffULL));
  std::copy(text, text + 36, out);
}

// A child process to completion: wall time and its peak RSS (wait4).
struct ChildRun {
  double seconds = 0;
  int64_t max_rss_kib = 0;
};
ChildRun RunChild(const std::vector<std::string>& command, const std::string& stdin_path,
                  const std::string& stdout_path, const std::string& stderr_path) {
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    auto redirect = [](const std::string& path, int fd, int flags) {
      if (path.empty()) return;
      const int opened = open(path.c_str(), flags, 0644);
      if (opened < 0) _exit(126);
      dup2(opened, fd);
      close(opened);
    };
    redirect(stdin_path, 0, O_RDONLY);
    redirect(stdout_path, 1, O_WRONLY | O_CREAT | O_TRUNC);
    redirect(stderr_path, 2, O_WRONLY | O_CREAT | O_TRUNC);
    std::vector<char*> argv;
    for (const std::string& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid) Die("wait4");
  ChildRun run;
  run.seconds = Seconds(Clock::now() - t0);
  run.max_rss_kib = usage.ru_maxrss;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die(command[0] + " " + (command.size() > 1 ? command[1] : "") + " failed (status " + std::to_string(status) +
        "; see " + stderr_path + ")");
  }
  return run;
}

// Records of a CSV file (RFC 4180: a line break inside quotes is part of its field), and its size.
struct CsvCount {
  int64_t records = 0;
  int64_t bytes = 0;
};
CsvCount CountCsv(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) Die("cannot read " + path);
  CsvCount count;
  bool quoted = false;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    count.bytes += static_cast<int64_t>(n);
    for (size_t i = 0; i < n; ++i) {
      if (buffer[i] == '"') quoted = !quoted;
      else if (buffer[i] == '\n' && !quoted) ++count.records;
    }
  }
  std::fclose(file);
  return count;
}

// The header line's column names (the export's: a byte order mark first; names need no quotes
// but are unquoted if they have them).
std::vector<std::string> HeaderOf(const std::string& csv_path) {
  std::ifstream in(csv_path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> names;
  std::string name;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        name += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      names.push_back(name);
      name.clear();
    } else {
      name += c;
    }
  }
  names.push_back(name);
  return names;
}

int64_t FileBytes(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  if (std::system(("rm -rf '" + args.dir + "' && mkdir -p '" + args.dir + "/data' '" + args.dir + "/out'").c_str()) != 0)
    Die("cannot make " + args.dir);
  const std::string data_dir = args.dir + "/data";
  const std::string form_path = args.source_dir + "/schemas/examples/coordinator_checklist.json";
  json out;

  // 1. The collector's data directory: the form published, the fillings made.
  auto storage = collector::OpenSqliteStorage(data_dir);
  Check(storage.status(), "OpenSqliteStorage");
  collector::PublishOutcome published =
      collector::PublishForm(**storage, form_path, {args.source_dir + "/schemas/codelists"}, 1727740800000);
  Check(published.status, "PublishForm");
  FormLoadResult loaded = Form::Load(published.version.json);
  if (!loaded.ok()) Die("the published form does not load");
  const std::shared_ptr<const Form> form = loaded.form;
  std::vector<std::string> wards;
  {
    std::ifstream in(args.source_dir + "/schemas/codelists/wards.json");
    const nlohmann::json list = nlohmann::json::parse(in);
    for (const auto& choice : list.at("choices")) wards.push_back(choice.at("value").get<std::string>());
  }
  std::mt19937_64 random(20241103);
  std::vector<std::vector<Template>> templates(static_cast<size_t>(args.devices));
  const auto fill0 = Clock::now();
  int64_t template_bytes = 0;
  for (int d = 0; d < args.devices; ++d) {
    for (int k = 0; k < args.templates_per_device; ++k) {
      Submission submission = FillOne(form, wards, d, k, random);
      Check(CheckSubmission(form, submission.canonical_json), "CheckSubmission of a filling");
      Template t;
      t.body = std::move(submission.canonical_json);
      t.uuid_at = t.body.find("\"uuid\":\"" + submission.uuid + "\"");
      if (t.uuid_at == std::string::npos) Die("no uuid in a submission");
      t.uuid_at += 8;
      template_bytes += static_cast<int64_t>(t.body.size());
      templates[static_cast<size_t>(d)].push_back(std::move(t));
    }
  }
  const int templates_count = args.devices * args.templates_per_device;
  out["fillings"] = templates_count;
  out["fill_seconds"] = Seconds(Clock::now() - fill0);
  out["submission_bytes_mean"] = static_cast<double>(template_bytes) / templates_count;
  std::cerr << "export bench: " << templates_count << " fillings made through Session, "
            << static_cast<int64_t>(static_cast<double>(template_bytes) / templates_count) << " bytes each on average\n";
  std::cerr << "export bench: " << templates_count << " fillings; example:\n" << templates[0][0].body << "\n";

  int64_t stored = 0, checked = 0;
  double store_seconds = 0;
  json sizes = json::array();
  std::vector<std::string> bodies(static_cast<size_t>(args.batch));
  std::vector<collector::IngestItem> items(static_cast<size_t>(args.batch));
  for (const int64_t size : args.sizes) {
    // Store up to `size`: batches of one device's submissions, one StoreBatch transaction each.
    std::cerr << "export bench: storing submissions " << stored + 1 << " to " << size << "\n";
    const auto store0 = Clock::now();
    for (int64_t batch_index = stored / args.batch; stored < size; ++batch_index) {
      const size_t device = static_cast<size_t>(batch_index % args.devices);
      const size_t count = static_cast<size_t>(std::min<int64_t>(args.batch, size - stored));
      for (size_t i = 0; i < count; ++i) {
        const int64_t n = stored + static_cast<int64_t>(i);
        const Template& t = templates[device][static_cast<size_t>(n) % templates[device].size()];
        bodies[i] = t.body;
        WriteUuid(static_cast<uint64_t>(n), bodies[i].data() + t.uuid_at);
        if (n % args.check_every == 0) {
          Check(CheckSubmission(form, bodies[i]), "CheckSubmission of stored submission " + std::to_string(n));
          ++checked;
        }
        auto envelope = protocol::ReadEnvelope(bodies[i]);
        Check(envelope.status(), "ReadEnvelope");
        items[i] = collector::IngestItem{std::move(*envelope), bodies[i], true, ""};
      }
      collector::Principal principal{collector::Role::kDevice, items[0].envelope.device_id, {"coordinator_checklist"}};
      auto results = (*storage)->StoreBatch(
          principal, count, [&](size_t i) { return &items[i]; }, 1730597430000 + batch_index * 60000);
      Check(results.status(), "StoreBatch");
      for (const protocol::PushResult& r : *results) {
        if (r.status != protocol::PushStatus::kAccepted) Die("a submission was not accepted: " + r.reason);
      }
      stored += static_cast<int64_t>(count);
    }
    store_seconds += Seconds(Clock::now() - store0);
    if ((*storage)->SubmissionCount("coordinator_checklist") != size) Die("the storage does not hold " + std::to_string(size));

    // 2 and 3: the export, and the baseline built from its own CSV, alternating.
    const std::string csv = args.dir + "/out/coordinator_checklist.csv";
    const std::string tag = std::to_string(size);
    const std::vector<std::string> export_command{args.collector_tool, "export", "coordinator_checklist", "--format",
                                                  "csv", "--out", args.dir + "/out", "--data", data_dir};
    std::vector<double> export_seconds, dump_seconds;
    int64_t export_rss = 0, dump_rss = 0;
    std::vector<int64_t> export_rss_rounds, dump_rss_rounds;
    const std::string baseline = args.dir + "/baseline-" + tag + ".sqlite";
    const std::string dump_csv = args.dir + "/dump-" + tag + ".csv";
    CsvCount exported, dumped;
    for (int round = 0; round < args.rounds; ++round) {
      std::cerr << "export bench: " << size << " submissions, round " << round + 1 << " of " << args.rounds
                << ": export\n";
      ChildRun e = RunChild(export_command, "", "", args.dir + "/export-" + tag + ".log");
      export_seconds.push_back(e.seconds);
      export_rss_rounds.push_back(e.max_rss_kib);
      export_rss = std::max(export_rss, e.max_rss_kib);
      if (round == 0) {
        exported = CountCsv(csv);
        // The baseline: one table, the export's columns, the export's values (its CSV imported
        // by the sqlite3 shell; the header line, with the byte order mark, skipped).
        std::cerr << "export bench: " << size << " submissions: building the baseline table\n";
        std::remove(baseline.c_str());
        const std::vector<std::string> header = HeaderOf(csv);
        std::string create = "CREATE TABLE t(";
        for (size_t c = 0; c < header.size(); ++c) {
          std::string quoted = "\"";
          for (char ch : header[c]) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
          create += (c ? ", " : "") + quoted + "\"";
        }
        create += ");";
        const std::string script = args.dir + "/baseline-" + tag + ".sql";
        std::ofstream(script) << "PRAGMA journal_mode=OFF;\nPRAGMA synchronous=OFF;\n"
                              << create << "\n.import --csv --skip 1 " << csv << " t\n";
        const auto b0 = Clock::now();
        RunChild({args.sqlite3, baseline}, script, args.dir + "/baseline-" + tag + ".out",
                 args.dir + "/baseline-" + tag + ".err");
        out["baseline_build_seconds_" + tag] = Seconds(Clock::now() - b0);
        if (FileBytes(args.dir + "/baseline-" + tag + ".err") != 0) Die("the sqlite3 import complained: see " + script);
        json s;
        s["columns"] = header.size();
        sizes.push_back(s);  // filled in below
      }
      std::cerr << "export bench: " << size << " submissions, round " << round + 1 << " of " << args.rounds
                << ": sqlite3 -csv dump\n";
      ChildRun b = RunChild({args.sqlite3, "-csv", "-header", baseline, "SELECT * FROM t"}, "", dump_csv,
                            args.dir + "/dump-" + tag + ".err");
      dump_seconds.push_back(b.seconds);
      dump_rss_rounds.push_back(b.max_rss_kib);
      dump_rss = std::max(dump_rss, b.max_rss_kib);
      if (round == 0) dumped = CountCsv(dump_csv);
    }

    // 4. The same rows on both sides (less the header line).
    if (exported.records - 1 != size) {
      Die("the export holds " + std::to_string(exported.records - 1) + " rows, not " + std::to_string(size));
    }
    if (dumped.records != exported.records) {
      Die("the dump holds " + std::to_string(dumped.records - 1) + " rows, the export " +
          std::to_string(exported.records - 1));
    }
    const double e = Median(export_seconds), d = Median(dump_seconds);
    json& s = sizes.back();
    s["submissions"] = size;
    s["rows"] = exported.records - 1;
    s["export_seconds"] = e;
    s["export_rows_per_second"] = static_cast<double>(size) / e;
    s["export_peak_rss_kib"] = export_rss;
    s["export_csv_bytes"] = exported.bytes;
    s["dump_seconds"] = d;
    s["dump_rows_per_second"] = static_cast<double>(size) / d;
    s["dump_peak_rss_kib"] = dump_rss;
    s["dump_csv_bytes"] = dumped.bytes;
    s["ratio"] = e / d;
    s["export_seconds_rounds"] = export_seconds;
    s["dump_seconds_rounds"] = dump_seconds;
    s["export_peak_rss_kib_rounds"] = export_rss_rounds;
    s["dump_peak_rss_kib_rounds"] = dump_rss_rounds;
    s["collector_db_bytes"] = FileBytes(data_dir + "/collector.sqlite") + FileBytes(data_dir + "/collector.sqlite-wal");
    s["baseline_db_bytes"] = FileBytes(baseline);
    std::cerr << "export bench: " << size << ": export " << e << " s (" << export_rss / 1024 << " MiB), dump " << d
              << " s (" << dump_rss / 1024 << " MiB), ratio " << e / d << "\n";
    std::remove(baseline.c_str());
    std::remove(dump_csv.c_str());
  }
  out["store_seconds"] = store_seconds;
  out["store_per_second"] = static_cast<double>(stored) / store_seconds;
  out["checked_with_CheckSubmission"] = checked;
  out["rounds"] = args.rounds;
  out["sizes"] = sizes;
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace chosa::bench

int main(int argc, char** argv) { return chosa::bench::Main(argc, argv); }
