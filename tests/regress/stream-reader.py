# SPDX-License-Identifier: ISC
#
# A slow reader for the stream-*.sh scripts: sends its requests, reads a
# little of the answers, says so (DIR/asked), waits for DIR/go and then
# prints the first LINES lines of what it reads, each as it came.  With
# --drop, another client first asks the same and goes after 1000 bytes.
# With --jobs, it prints the "jobs:" of a configuration instead: COUNT
# jobs PREFIX0000, ... of 3 KiB each, for long listings.
#
# usage: stream-reader.py [--drop] SOCKET DIR LINES REQUEST...
#        stream-reader.py --jobs COUNT PREFIX

import os
import socket
import sys
import time


def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # A small buffer: the daemon cannot hand the kernel much at once.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    s.settimeout(60)
    return s


def jobs(count, prefix):
    print("jobs:")
    for i in range(count):
        print("  %s%04d:" % (prefix, i))
        print("    command: [/bin/true]")
        print("    description: \"%s\\u00e9 %d\"" % ("d" * 3000, i))
        print("    tags: [t%d, all]" % (i % 7))


def main():
    args = sys.argv[1:]
    if args[0] == "--jobs":
        jobs(int(args[1]), args[2])
        return
    drop = args[0] == "--drop"
    if drop:
        args = args[1:]
    path, folder, nlines, requests = args[0], args[1], int(args[2]), args[3:]
    data = "".join(r + "\n" for r in requests).encode()
    if drop:
        g = conn(path)
        g.sendall(data)
        g.recv(1000)
        g.close()
    s = conn(path)
    s.sendall(data)
    buf = s.recv(1000)
    open(os.path.join(folder, "asked"), "w").close()
    while not os.path.exists(os.path.join(folder, "go")):
        time.sleep(0.05)
    while buf.count(b"\n") < nlines:
        d = s.recv(1 << 20)
        if not d:
            sys.stderr.write("closed after %d bytes\n" % len(buf))
            sys.exit(1)
        buf += d
    sys.stdout.buffer.write(b"".join(l + b"\n"
                                     for l in buf.split(b"\n")[:nlines]))


main()
