#!/usr/bin/env node
// The native whole-run benchmark (issue 14 "Speed and weight"): `rcc-doctor analyze --json` (the
// release build of crates/rcc-doctor) timed as a process on a Microsoft-style Communicator client
// trace (UCCAPI format, 50 MB by default), from spawning it to its exit: process start, reading
// the file, ingesting, diagnosing and writing the JSON report, all included. The peer: `parse` of
// the npm `sip` package in this Node process over the same SIP messages, cut out of the trace by
// each packet's own byte count outside the timing (sip reads single messages, not containers).
// Both rates are over the trace's size (MB = 2^20 bytes); best of N; the message counts must
// agree or the figure is not measured (exit 1). Nothing passes or fails on speed.
//
//   node scripts/bench-native.mjs [--mb 50] [--runs 5] [--logs target/bench/logs]
//                                 [--out target/bench/native.json]
// Builds nothing but the trace (`cargo run --release --example gen_logs`, reused when present);
// run `cargo build --release -p rcc-doctor` first (make bench does).
// The measuring functions are exported for e2e/bench.test.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;
export const CLI = path.join(ROOT, 'target/release/rcc-doctor');

/// The SIP messages of a Communicator/UCCAPI trace: each `Sending Packet - … N bytes:` or
/// `Received Packet - … N bytes:` line is followed by the N bytes of one message, then (after an
/// optional line end) the matching `End of … Packet` line. Throws where the trace does not hold
/// to that (the split would not be the messages we read).
export function uccapiMessages(text) {
  const head = /(Sending|Received) Packet - [^\r\n]*? (\d+) bytes:\r?\n/g;
  const messages = [];
  let m;
  while ((m = head.exec(text))) {
    const start = head.lastIndex;
    const body = text.slice(start, start + Number(m[2]));
    let after = start + body.length;
    if (text.startsWith('\r\n', after)) after += 2;
    else if (text.startsWith('\n', after)) after += 1;
    const end = text.indexOf('\n', after);
    const line = text.slice(after, end < 0 ? text.length : end);
    if (!line.includes(`End of ${m[1]} Packet`)) {
      throw new Error(`UCCAPI split: the ${m[2]} bytes after offset ${m.index} are not followed by "End of ${m[1]} Packet"`);
    }
    messages.push(body);
    head.lastIndex = after;
  }
  return messages;
}

/// npm sip's `parse` (loaded from node_modules with Node's own require) and its version.
export function loadSip() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const { parse } = require('sip');
  const { version } = require('sip/package.json');
  return { parse, version };
}

/// Best ms per pass of `parse` over `messages` (each sample repeats passes until it lasts at
/// least `minMs`), and how many messages it parsed (a request or a response with headers).
export function measureSipNode(messages, { samples = 5, minMs = 200 } = {}) {
  const { parse, version } = loadSip();
  const pass = () => {
    let ok = 0;
    for (const msg of messages) {
      const r = parse(msg);
      if (r && r.headers && (r.method || r.status)) ok++;
    }
    return ok;
  };
  // Warm-up for as long as a sample lasts: the JIT's optimising tier, as in a long-running tool.
  let parsed = 0;
  for (const t0 = process.hrtime.bigint(); Number(process.hrtime.bigint() - t0) / 1e6 < minMs;) parsed = pass();
  let best = Infinity;
  for (let s = 0; s < samples; s++) {
    let reps = 0;
    const t0 = process.hrtime.bigint();
    let took = 0;
    do {
      parsed = pass();
      reps++;
      took = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (took < minMs);
    best = Math.min(best, took / reps);
  }
  return { ms: best, parsed, version };
}

/// Best wall time of `runs` runs of `rcc-doctor analyze --json file` (spawn to exit, in this
/// process's clock), and the number of messages its JSON report counts.
export function measureCli(file, { runs = 5, cli = CLI } = {}) {
  if (!fs.existsSync(cli)) throw new Error(`no ${path.relative(ROOT, cli)}: run \`cargo build --release -p rcc-doctor\` first`);
  const out = path.join(os.tmpdir(), `rcc-doctor-bench-${process.pid}.json`);
  const ms = [];
  try {
    for (let r = 0; r < runs; r++) {
      const fd = fs.openSync(out, 'w');
      const t0 = process.hrtime.bigint();
      const res = spawnSync(cli, ['analyze', '--json', file], { stdio: ['ignore', fd, 'pipe'] });
      const took = Number(process.hrtime.bigint() - t0) / 1e6;
      fs.closeSync(fd);
      if (res.status !== 0) throw new Error(`rcc-doctor analyze failed (${res.status}): ${res.stderr}`);
      ms.push(took);
    }
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    const files = report.inputs?.files || [];
    if (files.length !== 1) throw new Error(`rcc-doctor's JSON report lists ${files.length} files, not 1`);
    // One more run, not counted, with --timings: where the whole run's time goes.
    const t0 = process.hrtime.bigint();
    const res = spawnSync(cli, ['analyze', '--json', '--timings', file], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const line = (res.stderr || '').split('\n').find((l) => l.startsWith('rcc-doctor timings: '));
    if (res.status !== 0 || !line) throw new Error(`rcc-doctor analyze --timings printed no timings (${res.status}): ${res.stderr}`);
    const stages = JSON.parse(line.slice('rcc-doctor timings: '.length));
    const timed = { wallMs, ...stages, process_ms: wallMs - stages.total_ms };
    return { bestMs: Math.min(...ms), ms, messages: files[0].messages, format: files[0].format, reportBytes: fs.statSync(out).size, timed };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

const rate = (bytes, ms) => (ms > 0 ? bytes / MB / (ms / 1000) : NaN);

/// Every measurement for one UCCAPI trace: the CLI's whole run and npm sip over its messages.
export function benchNative(file, { runs = 5, samples = 5, minMs = 200, cli = CLI } = {}) {
  const bytes = fs.statSync(file).size;
  const ours = measureCli(file, { runs, cli });
  const messages = uccapiMessages(fs.readFileSync(file, 'latin1'));
  const sip = measureSipNode(messages, { samples, minMs });
  const row = {
    file: path.basename(file),
    bytes,
    mb: bytes / MB,
    format: ours.format,
    messages: ours.messages,
    messageBytes: messages.reduce((n, m) => n + m.length, 0),
    ours: { mbps: rate(bytes, ours.bestMs), bestMs: ours.bestMs, ms: ours.ms, reportBytes: ours.reportBytes, timed: ours.timed },
    sip: { mbps: rate(bytes, sip.ms), ms: sip.ms, messages: sip.parsed, split: messages.length, version: sip.version, node: process.version },
  };
  row.ratio = row.ours.mbps / row.sip.mbps;
  return row;
}

/// The result must compare like with like: as many messages on both sides.
export function checkCounts(row) {
  if (row.sip.split !== row.messages || row.sip.messages !== row.messages) {
    throw new Error(`${row.file}: rcc-doctor counts ${row.messages} messages, the UCCAPI split ${row.sip.split}, npm sip parses ${row.sip.messages}: the native figure is not measured`);
  }
}

const fmt = (v, digits = 0) => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/// The stages of the --timings run (ms and share of its wall time).
export const NATIVE_STAGES = [
  ['read_files_ms', 'reading the arguments and the file'],
  ['ingest_ms', 'ingest, graded against RFC 3261 (a large trace: its two halves at once, on two threads)'],
  ['diagnose_ms', 'case, facts, diagnosis (a log not cut in halves: its grades still read on a second thread)'],
  ['grades_wait_ms', 'waiting for the grades once diagnosed'],
  ['ladder_ms', 'ladder build'],
  ['report_ms', 'JSON report made'],
  ['write_ms', 'JSON report written'],
  ['free_ms', 'analysis left to the OS (not freed: the process ends)'],
  ['process_ms', 'the rest: process start and exit, as this script sees it'],
];

export function nativeStageTable(row) {
  const t = row.ours.timed;
  return ['| `rcc-doctor analyze --json --timings` (one more run) | ms | share |', '|---|---|---|',
    ...NATIVE_STAGES.map(([k, what]) => `| ${what} | ${fmt(t[k], 1)} | ${fmt((100 * t[k]) / t.wallMs, 0)}% |`),
    `| **whole run (spawn to exit)** | **${fmt(t.wallMs, 1)}** | 100% |`].join('\n');
}

export function nativeTable(row) {
  return ['| log | MB | messages | ours: `rcc-doctor analyze --json`, whole process | MB/s | npm sip parse in Node | MB/s | ours/sip |',
    '|---|---|---|---|---|---|---|---|',
    `| ${row.format} | ${fmt(row.mb, 1)} | ${row.messages} | ${fmt(row.ours.bestMs, 0)} ms | ${fmt(row.ours.mbps)} | ${fmt(row.sip.ms, 0)} ms | ${fmt(row.sip.mbps)} | ${fmt(row.ratio, 1)}× |`].join('\n');
}

function parseArgs(argv) {
  const opts = { mb: 50, runs: 5, logs: 'target/bench/logs', out: 'target/bench/native.json' };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--mb') opts.mb = Number(v);
    else if (k === '--runs') opts.runs = Number(v);
    else if (k === '--logs') opts.logs = v;
    else if (k === '--out') opts.out = v;
    else throw new Error(`unknown argument ${k} (see the top of scripts/bench-native.mjs)`);
  }
  if (!(Number.isInteger(opts.mb) && opts.mb > 0)) throw new Error('--mb takes a whole number of MB');
  if (!(opts.runs > 0)) throw new Error('--runs takes a positive number');
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = path.resolve(ROOT, opts.logs);
  const file = path.join(dir, `synth_uccapi_${opts.mb}mb.uccapilog`);
  if (!fs.existsSync(file)) {
    execFileSync('cargo', ['run', '--release', '--quiet', '-p', 'rcc-core', '--example', 'gen_logs', '--', dir, '--formats', 'uccapi', String(opts.mb)],
      { cwd: ROOT, stdio: 'inherit' });
  }
  console.log(`native whole-run benchmark: ${path.relative(ROOT, file)}; best of ${opts.runs}; ${os.cpus().length} cores (${os.cpus()[0]?.model}); Node ${process.version}`);
  const row = benchNative(file, { runs: opts.runs });
  console.log(`  rcc-doctor analyze --json: ${row.ours.ms.map((ms) => ms.toFixed(0)).join('/')} ms; npm sip ${row.sip.version}: ${row.sip.ms.toFixed(0)} ms per pass over ${row.sip.split} messages`);
  const out = path.resolve(ROOT, opts.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version,
    mb: 'MB = 2^20 bytes', runs: opts.runs, row,
  }, null, 2));
  console.log();
  console.log(nativeTable(row));
  console.log();
  console.log(nativeStageTable(row));
  console.log(`wrote ${path.relative(ROOT, out)}`);
  checkCounts(row);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e) {
    console.error(e);
    process.exit(1);
  }
}
