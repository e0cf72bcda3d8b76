// The browser benchmark's measuring functions (scripts/bench-browser.mjs) on a ~1 MB raw SIP
// log, so the harness cannot silently rot: every rate is measured (finite, > 0; no speed
// threshold: benchmarks are not timed tests) and npm sip parses as many messages as we count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';
import { benchFile, table } from '../scripts/bench-browser.mjs';

let server, context, dir;
before(async () => {
  server = await serve('dist');
  context = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rcc-doctor-bench-'));
});
after(async () => {
  await context?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the benchmark measures newline scan, worker ingestion, end-to-end and npm sip on 1 MB of raw SIP', async () => {
  const unit = fs.readFileSync('fixtures/logs/raw_ms_mix.txt');
  const copies = Math.ceil((1024 * 1024) / unit.length);
  const file = path.join(dir, 'bench-1mb.txt');
  fs.writeFileSync(file, Buffer.concat(Array.from({ length: copies }, () => unit)));
  const row = await benchFile(context, server.url, file, { format: 'raw', runs: 1, samples: 2, minMs: 20 });
  console.log(table([row]).split('\n')[2]);
  assert.equal(row.detected, 'raw-sip');
  assert.equal(row.where, 'worker', 'the hosted app reads in its worker');
  assert.equal(row.bytes, fs.statSync(file).size);
  assert.equal(row.messages, 16 * copies);
  assert.equal(row.sip.split, row.messages, 'the raw SIP file splits into as many messages as we count');
  assert.equal(row.sip.messages, row.messages, 'npm sip parses every message we count');
  assert.equal(row.newline.newlines, unit.toString('latin1').split('\n').length * copies - copies);
  for (const [what, mbps] of [['newline', row.newline.mbps], ['ours', row.ours.mbps], ['end-to-end', row.e2e.mbps], ['npm sip', row.sip.mbps]]) {
    assert.ok(Number.isFinite(mbps) && mbps > 0, `${what} MB/s is ${mbps}`);
  }
  assert.ok(Number.isFinite(row.ratio) && row.ratio > 0);
  assert.ok(row.e2e.bestMs >= row.ours.bestReadMs, 'end-to-end includes the worker read');
  for (const f of fs.readdirSync('dist', { recursive: true })) {
    const p = path.join('dist', f);
    if (fs.statSync(p).isFile()) assert.ok(!fs.readFileSync(p, 'latin1').includes('parseAorWithUri'), `npm sip shipped in ${p}`);
  }
  assert.match(row.summary, /^Read 1\.0 MB in [\d.]+ ms \(\d+ MB\/s\) in the background\.$/);
});
