// SurveyJS's side of the benchmark (bench/run.sh): the same questionnaire as chosa_bench, in
// SurveyJS's JSON, through survey-core's headless model in Node.
//
//   node --expose-gc bench.js --form form_N.surveyjs.json --plan plan_N.json
//        --check check_N.surveyjs.json [--max-iterations 1000] [--budget-seconds 6]
//
// In one fresh process, mirroring chosa_bench.cpp step by step:
//  1. heap: process.memoryUsage().heapUsed after global.gc(), before and after
//     `new Model(JSON.parse(text))` (the text itself is read before and not counted);
//  2. the agreement check: the plan's steps, a snapshot after each (visible questions,
//     calculated values, questions with errors), written to --check; peak RSS after it;
//  3. answers: survey.setValue on the hub, the leaf and the score question, alternating two
//     values; as many timed sets as fit in --budget-seconds (at least 30, at most
//     --max-iterations, always even), after 2 untimed warm-up sets;
//  4. survey.validate(false, false) on the complete filling;
//  5. finalize: survey.validate + survey.doComplete() + JSON.stringify(survey.data), once;
//  6. load+compile: JSON.parse + new Model, repeated (at least 2, within a time budget).
// global.gc() runs (untimed) before each timed phase, so that no phase pays for the garbage of
// the one before.
// Prints one JSON object of results on stdout. Exits 1 on any unexpected failure.
"use strict";

const fs = require("fs");
const path = require("path");
const { Model } = require("survey-core");

function die(message) {
  process.stderr.write(`bench.js: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const a = { maxIterations: 1000, budgetSeconds: 6, minIterations: 30, loadBudgetSeconds: 8 };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) die(`missing value after ${k}`);
      return argv[++i];
    };
    if (k === "--form") a.form = next();
    else if (k === "--plan") a.plan = next();
    else if (k === "--check") a.check = next();
    else if (k === "--max-iterations") a.maxIterations = parseInt(next(), 10);
    else if (k === "--min-iterations") a.minIterations = parseInt(next(), 10);
    else if (k === "--budget-seconds") a.budgetSeconds = parseFloat(next());
    else if (k === "--load-budget-seconds") a.loadBudgetSeconds = parseFloat(next());
    else die(`unknown argument ${k}`);
  }
  if (!a.form || !a.plan) die("usage: bench.js --form F --plan P [--check OUT]");
  if (typeof global.gc !== "function") die("run with node --expose-gc");
  return a;
}

const now = () => process.hrtime.bigint();
const micros = (t0, t1) => Number(t1 - t0) / 1000;

function summary(samples) {
  const s = [...samples].sort((x, y) => x - y);
  const rank = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  const sum = s.reduce((x, y) => x + y, 0);
  return { n: s.length, median: rank(0.5), p99: rank(0.99), min: s[0], max: s[s.length - 1], mean: sum / s.length };
}

function gcHeap() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

const maxRssKiB = () => process.resourceUsage().maxRSS;

// Visible = the question and every container above it (page, panel) is visible.
function isShown(q) {
  return q.isVisible && q.isParentVisible;
}

function valueJson(v) {
  if (v === undefined || v === null || v === "" || (typeof v === "number" && Number.isNaN(v))) return null;
  return v;
}

function snapshot(survey, plan) {
  const visible = [];
  const errors = new Set();
  const detail = [];
  const repeat = plan.repeat.name;
  for (const q of survey.getAllQuestions()) {
    const shown = isShown(q);
    if (shown) visible.push(q.name);
    if (q.name === repeat) {
      q.panels.forEach((panel, k) => {
        for (const child of plan.repeat.children) {
          const cq = panel.getQuestionByName(child);
          if (!cq) die(`panel ${k} has no ${child}`);
          if (shown && cq.isVisible) visible.push(`${repeat}[${k + 1}]/${child}`);
          if (shown && cq.isVisible && !cq.validate(false)) {
            errors.add(repeat);
            detail.push(`${repeat}[${k + 1}]/${child}`);
          }
        }
      });
    }
    if (shown && !q.validate(false)) {
      errors.add(q.name);
      detail.push(q.name);
    }
  }
  visible.sort();
  const values = {};
  for (const c of plan.calculations) values[c] = valueJson(survey.getVariable(c));
  return { visible, values, errors: [...errors].sort(), error_detail: detail };
}

function applyAction(survey, action) {
  if (action.sjs_matrix) {
    const m = Object.assign({}, survey.getValue(action.sjs_matrix) || {});
    if (action.sjs === null) delete m[action.set];
    else m[action.set] = action.sjs;
    survey.setValue(action.sjs_matrix, m);
  } else if (action.sjs_panel) {
    const [name, index, child] = action.sjs_panel;
    const q = survey.getQuestionByName(name).panels[index].getQuestionByName(child);
    if (action.sjs === null) q.clearValue();
    else q.value = action.sjs;
  } else {
    survey.setValue(action.set, action.sjs === null ? undefined : action.sjs);
  }
}

function main() {
  const args = parseArgs(process.argv);
  const text = fs.readFileSync(args.form, "utf8");
  const plan = JSON.parse(fs.readFileSync(args.plan, "utf8"));
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve("survey-core")), "package.json"), "utf8"));
  const out = { engine: "survey-core", version: pkg.version, node: process.version, n: plan.n, form_bytes: Buffer.byteLength(text) };
  out.rss_baseline_kib = maxRssKiB();

  // 1. Heap after loading.
  const heap0 = gcHeap();
  let survey = new Model(JSON.parse(text));
  const heap1 = gcHeap();
  const questions = survey.getAllQuestions().length;
  if (questions !== plan.n) die(`the form has ${questions} questions, the plan says ${plan.n}`);
  out.questions = questions;
  out.heap = { total_bytes: heap1 - heap0, per_question_bytes: (heap1 - heap0) / plan.n };

  // 2. The agreement check.
  const check = { engine: "survey-core", n: plan.n, snapshots: {} };
  for (const step of plan.steps) {
    for (const action of step.do) {
      if (action.fill) survey.mergeData(plan.sjs_data);
      else applyAction(survey, action);
    }
    check.snapshots[step.name] = snapshot(survey, plan);
  }
  out.rss_peak_after_fill_kib = maxRssKiB();
  if (args.check) fs.writeFileSync(args.check, JSON.stringify(check, null, 1) + "\n");

  // 3. Answer sets through survey.setValue, each changing the value.
  out.answers = {};
  for (const timed of plan.timed) {
    global.gc();
    const [a, b] = timed.sjs;
    const w0 = now();
    survey.setValue(timed.path, a);
    survey.setValue(timed.path, b);
    const perSet = micros(w0, now()) / 2;
    let iterations = Math.floor((args.budgetSeconds * 1e6) / Math.max(perSet, 1));
    iterations = Math.max(args.minIterations, Math.min(args.maxIterations, iterations));
    if (iterations % 2) iterations++;
    const samples = [];
    for (let i = 0; i < iterations; i++) {
      const v = i % 2 === 0 ? a : b;
      const t0 = now();
      survey.setValue(timed.path, v);
      const t1 = now();
      samples.push(micros(t0, t1));
    }
    if (survey.getValue(timed.path) !== b) die(`setValue(${timed.path}) did not take`);
    out.answers[timed.kind] = Object.assign(summary(samples), { path: timed.path });
  }

  // 4. Validate all on the complete filling.
  global.gc();
  {
    const samples = [];
    let valid = true;
    const reps = plan.n >= 10000 ? 5 : 21;
    for (let i = 0; i < reps; i++) {
      const t0 = now();
      valid = survey.validate(false, false);
      const t1 = now();
      samples.push(micros(t0, t1));
    }
    out.validate_us = summary(samples);
    if (!valid) die("the complete filling does not validate");
  }

  // 5. Finalize: validate, complete, serialize the data (once: a survey completes once).
  {
    const t0 = now();
    const valid = survey.validate(false, false);
    survey.doComplete();
    const json = JSON.stringify(survey.data);
    const t1 = now();
    if (!valid || survey.state !== "completed") die(`finalize failed (state ${survey.state})`);
    out.finalize_us = summary([micros(t0, t1)]);
    out.submission_bytes = Buffer.byteLength(json);
  }
  global.gc();
  // 6. Load+compile, repeated within a budget (the filled survey stays alive).
  {
    const samples = [];
    const begin = now();
    while (samples.length < 2 || (Number(now() - begin) / 1e9 < args.loadBudgetSeconds && samples.length < 50)) {
      global.gc();  // untimed, as chosa frees each form outside its timing
      const t0 = now();
      const s = new Model(JSON.parse(text));
      const t1 = now();
      if (s.getAllQuestions().length !== plan.n) die("reload failed");
      samples.push(micros(t0, t1));
    }
    out.load_start_us = summary(samples);
  }

  out.rss_peak_kib = maxRssKiB();
  process.stdout.write(JSON.stringify(out) + "\n");
}

main();
