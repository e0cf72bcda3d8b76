// The command-line analysis of the same inputs, to compare the browser app with: the release
// or the debug binary, whichever was built last (`make test` builds the debug one for the native
// tests), built here when neither exists.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function binary() {
  // The newer of the two: a release binary left from an older build must not stand in for the
  // debug one `make test` just built.
  const built = ['target/release/rcc-doctor', 'target/debug/rcc-doctor'].filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (built.length) return built[0];
  execFileSync('cargo', ['build', '--quiet', '--bin', 'rcc-doctor'], { stdio: 'inherit' });
  return 'target/debug/rcc-doctor';
}

/// `rcc-doctor analyze --json` over `files` ({name: text}) written to a temporary folder, with
/// `ad`, `routes` (file names among them), `profile` and `signIn`. Returns the parsed report.
export function analyze({ files, ad, routes, profile, signIn }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rcc-cli-'));
  const args = ['analyze', '--json'];
  if (profile) args.push('--profile', profile);
  if (signIn) args.push('--sign-in', signIn);
  const logs = [];
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text);
    if (name === ad) args.push('--ad', path.join(dir, name));
    else if (name === routes) args.push('--routes', path.join(dir, name));
    else logs.push(path.join(dir, name));
  }
  const out = execFileSync(binary(), [...args, ...logs], { encoding: 'utf8', maxBuffer: 64 << 20 });
  fs.rmSync(dir, { recursive: true, force: true });
  return JSON.parse(out);
}
