#!/usr/bin/env python3
"""bench/interleave.py — before/after wall-time comparisons on a shared
machine: commands run in alternating order, round after round, and are
compared round by round (the paired ratio), so that what the machine does
meanwhile falls on both sides alike. Each run records its wall time, its own
CPU time and peak RSS (wait4's rusage), and the CPU the rest of the machine
used meanwhile (busy jiffies of /proc/stat minus the run's own CPU): how
busy the machine was, run by run.

usage:
  interleave.py run ROUNDS OUT.json 'LABEL|CAPTURE|COMMAND ARGS' ...
      every command once a round, forward in even rounds and backward in
      odd ones; CAPTURE (may be empty) is evicted from the page cache and
      read back in order once at the start, and read again (cat, not
      timed) before each run, as bench/run.sh does; exit codes other than
      0 and 1 (findings) stop the run
  interleave.py summary OUT.json [BEFORE_LABEL:AFTER_LABEL ...]
      per label the median wall time and quartiles, median CPU time,
      highest peak RSS and the others' CPU; per pair the median of the
      after/before ratios of each round (wall and CPU) and their quartiles
"""
import json
import os
import statistics
import subprocess
import sys
import time


def busy_jiffies():
    """Busy time of all CPUs so far (user, nice, system, irq, softirq, steal)."""
    with open('/proc/stat') as f:
        v = list(map(int, f.readline().split()[1:]))
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def loadavg():
    with open('/proc/loadavg') as f:
        return f.read().split()[:3]


def settle(cap, devnull):
    """Put a capture in one page-cache state (bench/run.sh's settle)."""
    subprocess.run(['dd', 'if=' + cap, 'iflag=nocache', 'count=0', 'status=none'], check=True)
    subprocess.run(['cat', cap], stdout=devnull, check=True)


def one_run(label, cap, cmd, devnull):
    """Run cmd once; its record (wall, cpu, rss_kib, other in seconds)."""
    hz = os.sysconf('SC_CLK_TCK')
    if cap:
        subprocess.run(['cat', cap], stdout=devnull, check=True)
    b0 = busy_jiffies()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd.split(), stdout=devnull, stderr=devnull)
    _, status, ru = os.wait4(p.pid, 0)
    t1 = time.perf_counter()
    b1 = busy_jiffies()
    rc = os.waitstatus_to_exitcode(status)
    if rc not in (0, 1):
        sys.exit(f'interleave.py: {label}: exit {rc}')
    cpu = ru.ru_utime + ru.ru_stime
    return {'label': label, 'wall': t1 - t0, 'cpu': cpu, 'rss_kib': ru.ru_maxrss,
            'other': max(0.0, (b1 - b0) / hz - cpu)}


def run(rounds, out, specs):
    specs = [s.split('|', 2) for s in specs]
    devnull = open(os.devnull, 'wb')
    for cap in sorted({c for _, c, _ in specs if c}):
        settle(cap, devnull)
    res = {'load_before': loadavg(), 'runs': []}
    for r in range(rounds):
        for label, cap, cmd in (specs if r % 2 == 0 else specs[::-1]):
            res['runs'].append(dict(one_run(label, cap, cmd, devnull), round=r))
    res['load_after'] = loadavg()
    with open(out, 'w') as f:
        json.dump(res, f, indent=0)


def quartiles(v):
    v = sorted(v)
    return v[len(v) // 4], statistics.median(v), v[(3 * len(v)) // 4]


def summary(path, pairs):
    with open(path) as f:
        d = json.load(f)
    runs = d['runs']
    print('load average before', ' '.join(d['load_before']), 'after', ' '.join(d['load_after']),
          '-', 1 + max(r['round'] for r in runs), 'rounds')
    for label in dict.fromkeys(r['label'] for r in runs):
        rs = [r for r in runs if r['label'] == label]
        w = quartiles([r['wall'] * 1e3 for r in rs])
        c = statistics.median(r['cpu'] * 1e3 for r in rs)
        o = [r['other'] * 1e3 for r in rs]
        print(f"{label:28s} wall ms {w[1]:8.1f} (q1 {w[0]:7.1f} q3 {w[2]:7.1f})  cpu ms {c:8.1f}"
              f"  peak {max(r['rss_kib'] for r in rs) / 1024:6.1f} MiB"
              f"  others' cpu ms median {statistics.median(o):5.0f} max {max(o):5.0f}")
    for pair in pairs:
        a, b = pair.split(':')
        before = {r['round']: r for r in runs if r['label'] == a}
        after = {r['round']: r for r in runs if r['label'] == b}
        both = [k for k in before if k in after]
        w = quartiles([after[k]['wall'] / before[k]['wall'] for k in both])
        c = quartiles([after[k]['cpu'] / before[k]['cpu'] for k in both if before[k]['cpu'] > 0])
        print(f"{b} / {a}: wall {w[1]:.3f} (q1 {w[0]:.3f} q3 {w[2]:.3f}),"
              f" cpu {c[1]:.3f} (q1 {c[0]:.3f} q3 {c[2]:.3f}), {len(both)} rounds")


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'run':
        run(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 3 and sys.argv[1] == 'summary':
        summary(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
