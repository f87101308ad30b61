#!/usr/bin/env python3
"""The sync benchmark (run by scripts/bench sync): tradewatchd --once over N feeds served by
nginx, three passes (all new, all 304, 5% changed), beside newsboat's reload of the same URLs.
Prints one JSON figure per line, as tradewatch-bench does."""
import argparse
import json
import os
import resource
import subprocess
import time

parser = argparse.ArgumentParser()
parser.add_argument("--daemon", required=True)
parser.add_argument("--www", required=True)
parser.add_argument("--port", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--feeds", type=int, default=1000)
parser.add_argument("--threads", type=int, default=16)
args = parser.parse_args()


def write_feed(index, version):
    items = "".join(
        "<item><guid>f%d-i%d</guid><title>Trade note %d of feed %d (v%d)</title>"
        "<link>http://example.org/%d/%d</link><description>Customs figures, heading 6704, item %d.</description>"
        "<pubDate>Mon, %02d Jul 2019 09:00:00 GMT</pubDate></item>" % (index, i, i, index, version, index, i, i, 1 + i)
        for i in range(20))
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title>'
            '<link>http://example.org/%d</link>%s</channel></rss>' % (index, index, items))
    path = os.path.join(args.www, "feeds", "%d.xml" % index)
    with open(path, "w") as f:
        f.write(body)
    # A distinct mtime so nginx's ETag and Last-Modified change with the content.
    os.utime(path, (time.time() + version, time.time() + version))


os.makedirs(os.path.join(args.www, "feeds"), exist_ok=True)
for i in range(args.feeds):
    write_feed(i, 0)
urls = ["http://127.0.0.1:%s/feeds/%d.xml" % (args.port, i) for i in range(args.feeds)]

config = os.path.join(args.work, "sync.toml")
with open(config, "w") as f:
    f.write('[daemon]\ncache = "%s/sync.db"\nmax_concurrent = %d\nmax_per_host = %d\n'
            % (args.work, args.threads, args.threads))
    for i, url in enumerate(urls):
        f.write('\n[[source]]\nname = "feed-%d"\nkind = "feed"\nurl = "%s"\n' % (i, url))


def timed(command, env=None):
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    pid = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env).pid
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def emit(figure, unit, ours, peer=None, peer_name=None, goal=None):
    row = {"benchmark": "sync", "figure": figure, "unit": unit, "tradewatch": ours}
    if peer is not None:
        row.update({"peer": peer, "peerName": peer_name, "ratio": peer / ours if ours else None})
    if goal:
        row["goal"] = goal
    print(json.dumps(row), flush=True)


# newsboat, same URLs, same thread count, its own cache.
nb = os.path.join(args.work, "newsboat")
os.makedirs(nb, exist_ok=True)
with open(os.path.join(nb, "urls"), "w") as f:
    f.write("\n".join(urls) + "\n")
with open(os.path.join(nb, "config"), "w") as f:
    f.write("reload-threads %d\nshow-read-feeds yes\n" % args.threads)
newsboat = ["newsboat", "-x", "reload", "-u", os.path.join(nb, "urls"), "-c", os.path.join(nb, "cache.db"),
            "-C", os.path.join(nb, "config")]
env = dict(os.environ, HOME=nb)

ours = [timed([args.daemon, "--config", config, "--once"])]
peer = [timed(newsboat, env)]
ours.append(timed([args.daemon, "--config", config, "--once"]))
peer.append(timed(newsboat, env))
for i in range(0, args.feeds, 20):  # 5%
    write_feed(i, 1)
ours.append(timed([args.daemon, "--config", config, "--once"]))
peer.append(timed(newsboat, env))

names = ["first sync (all new)", "second sync (all 304)", "third sync (5% changed)"]
goals = [">= 10x faster than newsboat", "< 1 s", None]
for name, (wall, cpu, rss, code), (pwall, pcpu, prss, _), goal in zip(names, ours, peer, goals):
    emit("%d feeds, %s, wall (exit %d)" % (args.feeds, name, code), "s", wall, pwall,
         "newsboat -x reload, %d threads" % args.threads, goal)
    emit("%d feeds, %s, CPU" % (args.feeds, name), "s", cpu, pcpu, "newsboat")
emit("%d feeds, peak RSS over the three syncs" % args.feeds, "MiB", max(r[2] for r in ours),
     max(r[2] for r in peer), "newsboat", "< 64 MB")
