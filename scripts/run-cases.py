#!/usr/bin/env python3
"""Runs `rcc-doctor analyze --json` on case folders written blind (expected.toml with `finding`,
`also`, `leg_from`, `leg_to`, `rule`, `evidence_lines`) and prints what differs.

  scripts/run-cases.py [--bin target/debug/rcc-doctor] DIR [DIR...]
"""
import json, os, subprocess, sys, tomllib, re

def norm_rule(r):
    if not r:
        return None
    r = r.strip()
    r = re.sub(r'\s+', ' ', r)
    r = r.replace(' replace-host=no', '')
    if not r.startswith('route '):
        r = 'route ' + r if '->' in r else r
    return r

def label_matches(words, participant_label, participant_id):
    w = words.lower()
    l = (participant_label or '').lower()
    pid = (participant_id or '').lower()
    keys = {
        'home server': ['home-server', 'front-end'],
        'front end': ['home-server', 'front-end'],
        'application proxy': ['app-proxy'],
        'app proxy': ['app-proxy'],
        'gateway': ['gateway', 'cups', 'app-proxy'],
        'cups': ['cups'],
        'client': ['client'],
        'communicator': ['client'],
        'lync': ['client'],
    }
    for k, ids in keys.items():
        if k in w:
            return pid in ids
    return w in l

def main():
    args = sys.argv[1:]
    binary = 'target/debug/rcc-doctor'
    if args and args[0] == '--bin':
        binary = args[1]; args = args[2:]
    dirs = []
    for a in args:
        if os.path.isfile(os.path.join(a, 'expected.toml')):
            dirs.append(a)
        else:
            dirs += sorted(os.path.join(a, d) for d in os.listdir(a) if os.path.isfile(os.path.join(a, d, 'expected.toml')))
    ok = 0
    for d in dirs:
        exp = tomllib.load(open(os.path.join(d, 'expected.toml'), 'rb'))
        cmd = [binary, 'analyze', '--json', '--profile', exp.get('profile', 'nortel')]
        if exp.get('sign_in'):
            cmd += ['--sign-in', exp['sign_in']]
        logs = []
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if f == 'expected.toml' or os.path.isdir(p):
                continue
            if f.startswith('ad.'):
                cmd += ['--ad', p]
            elif f.startswith('rules.'):
                cmd += ['--routes', p]
            else:
                logs.append(p)
        cmd += logs
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"FAIL {d}: exit {out.returncode}: {out.stderr[:300]}")
            continue
        rep = json.loads(out.stdout)
        ids = [f['id'] for f in rep['findings']]
        want = exp['finding']
        also = set(exp.get('also', []))
        problems = []
        if want not in ids:
            problems.append(f"want {want}, got {ids}")
        extra = [i for i in ids if i != want and i not in also]
        if extra:
            problems.append(f"extra findings {extra}")
        f = next((x for x in rep['findings'] if x['id'] == want), None)
        parts = {p[0]: p[1] for p in rep['inputs'].get('participants', [])}
        if f and exp.get('leg_from') and want != 'all-clear':
            leg = f.get('leg')
            if not leg:
                problems.append('no leg')
            else:
                if not label_matches(exp['leg_from'], parts.get(leg['from']), leg['from']) or not label_matches(exp['leg_to'], parts.get(leg['to']), leg['to']):
                    problems.append(f"leg {leg['from']}->{leg['to']}, want {exp['leg_from']}->{exp['leg_to']}")
        if f and exp.get('rule'):
            got = norm_rule(f.get('rule'))
            if got != norm_rule(exp['rule']):
                problems.append(f"rule {got!r}, want {norm_rule(exp['rule'])!r}")
        if f and exp.get('evidence_lines'):
            labels = []
            for e in f['evidence']:
                if e['kind'] == 'log':
                    labels.append((os.path.basename(e['file']), e['line_start'], e['line_end']))
            wanted = []
            for want_line in exp['evidence_lines']:
                fn, ln = want_line.rsplit(':', 1)
                if fn.startswith('rules') or fn.startswith('ad'):
                    continue
                wanted.append((fn, int(ln)))
            if wanted and not any(any(l[0] == fn and l[1] <= ln <= l[2] for l in labels) for fn, ln in wanted):
                problems.append(f"evidence has none of {exp['evidence_lines']}: {labels[:6]}")
        if problems:
            print(f"FAIL {os.path.basename(d)}: " + '; '.join(problems))
        else:
            ok += 1
            print(f"ok   {os.path.basename(d)}")
    print(f"{ok}/{len(dirs)} right")

main()
