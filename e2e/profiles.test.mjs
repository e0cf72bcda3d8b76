// Each launch gets its own Chromium profile, and closing the context removes it: a test run must
// not leave profiles behind in the temporary directory (they filled the CI machine's disk once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch } from './browser.mjs';

test('a closed context leaves no profile behind', async () => {
  const first = await launch();
  const second = await launch();
  assert.notEqual(first.profileDir, second.profileDir, 'each launch has a profile of its own');
  assert.ok(fs.existsSync(first.profileDir), 'the profile exists while the browser runs');
  await first.close();
  assert.ok(!fs.existsSync(first.profileDir), 'closing removes the profile');
  assert.ok(fs.existsSync(second.profileDir), 'and only its own');
  await second.close();
  assert.ok(!fs.existsSync(second.profileDir));
});
