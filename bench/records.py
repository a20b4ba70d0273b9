#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# Writes a journal of JOBS runtime jobs with PER_JOB finished task records
# each, for bench/scale.sh: running a million tasks would take too long.
# The records are copies of one the daemon wrote itself: TEMPLATE is a
# state.json (doc/state.md) holding one runtime job and one task record of
# it; every journal line is an upsert of a whole "job" or "task" object,
# as the daemon writes them, so the daemon loads the result as if it had
# made it.  Task ids are 1, 2, ... job after job; each job's counters and
# last task match its records.
#
# usage: records.py TEMPLATE JOURNAL JOBS PER_JOB PREFIX

import json
import sys


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: records.py TEMPLATE JOURNAL JOBS PER_JOB PREFIX")
    template, journal = sys.argv[1], sys.argv[2]
    njobs, per_job, prefix = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    with open(template) as f:
        snap = json.load(f)
    job = snap["jobs"][0]
    task = snap["tasks"][0]
    if job.get("origin") != "runtime" or "def" not in job:
        sys.exit("records.py: the template's job is not a runtime job")

    # A task line with the id and the job's name left to fill in.
    task["id"] = -424242
    task["job"] = "@JOB@"
    line = json.dumps(task, separators=(",", ":"))
    line = line.replace("%", "%%").replace("-424242", "%(id)d")
    task_fmt = line.replace('"@JOB@"', "%(job)s") + "\n"

    with open(journal, "w") as out:
        out.write(json.dumps({"journal": 1,
                              "generation": snap["generation"]},
                             separators=(",", ":")) + "\n")
        tid = 0
        for j in range(njobs):
            name = "%s%d" % (prefix, j)
            job["name"] = name
            job["def"]["name"] = name
            c = job["counters"]
            for k in c:
                c[k] = 0
            c["runs"] = c["succeeded"] = per_job
            if per_job > 0:
                job["last"]["task"] = tid + per_job
            else:
                job.pop("last", None)
            out.write(json.dumps(job, separators=(",", ":")) + "\n")
            qname = json.dumps(name)
            lines = []
            for _ in range(per_job):
                tid += 1
                lines.append(task_fmt % {"id": tid, "job": qname})
            out.write("".join(lines))


if __name__ == "__main__":
    main()
