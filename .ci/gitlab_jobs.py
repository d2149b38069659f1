"""Checks that every command `.ci/run` runs is in a job of `.gitlab-ci.yml` that
has the tools the command needs: from the job's image, the Debian packages its
scripts install, its rustup components and its services. Run by
`.ci/validate-deploy.sh` (ruamel.yaml comes with check-jsonschema).

A command `.ci/run` gains must be added to NEEDS with what it needs; a job
that drops a package a command needs fails here before it fails in GitLab.

Usage: python gitlab_jobs.py [.ci/run] [.gitlab-ci.yml]
"""

import re
import sys

from ruamel.yaml import YAML

# What each command of .ci/run needs, by the start of the command.
NEEDS = {
    "bash .ci/services.sh": {"postgres", "redis"},
    "cargo fmt": {"cargo", "rustfmt"},
    "cargo clippy": {"cargo", "clippy", "libpq"},
    "cargo xtask spec": {"cargo", "libpq", "git"},
    "cargo xtask clients": {"cargo", "libpq", "node", "python-venv"},
    "cargo xtask schema": {"cargo", "libpq", "psql", "postgres"},
    "cargo xtask postman": {"cargo", "libpq"},
    # Reads api/src with syn; xtask links the api crate (libpq).
    "cargo xtask layers": {"cargo", "libpq"},
    # The fault tests also pause and restart a PostgreSQL cluster of their own.
    "cargo test": {"cargo", "libpq", "postgres", "redis", "postgres-server"},
    # The test command on a cluster of its own (initdb, pg_ctl) with 50 connections held.
    "cargo xtask crowded": {"cargo", "libpq", "postgres", "redis", "postgres-server"},
    "cargo xtask replicas": {"cargo", "libpq", "nginx", "postgres", "redis"},
    # Its own PostgreSQL cluster (initdb, pg_ctl) and Redis, not the services.
    "cargo xtask chaos": {"cargo", "libpq", "psql", "postgres-server", "redis-server"},
    "bash .ci/openapi-lint.sh": {"node"},
    "bash .ci/contract.sh": {"cargo", "libpq", "node", "python-venv", "psql", "curl", "postgres", "redis"},
    "bash .ci/validate-deploy.sh": {"python-venv", "nginx"},
    "bash .ci/browser.sh": {"cargo", "libpq", "node", "psql", "curl", "postgres", "redis"},
}

# What an image ships, by the start of its name.
IMAGES = {
    "rust:": {"cargo", "curl", "git"},
    "node:": {"node"},
    "python:": {"python-venv"},
}

# What a Debian package brings (`node` needs both nodejs and npm).
PACKAGES = {
    "postgresql-client": {"psql"},
    "postgresql": {"postgres-server", "psql"},
    "redis-server": {"redis-server"},
    "libpq-dev": {"libpq"},
    "python3-venv": {"python-venv"},
    "nginx-light": {"nginx"},
    "nginx": {"nginx"},
    "curl": {"curl"},
    "git": {"git"},
}


def merged(jobs, name, seen=()):
    """A job with its `extends` applied (hashes merged deeply, the job's own keys win)."""
    job = jobs[name]
    parents = job.get("extends", [])
    parents = [parents] if isinstance(parents, str) else list(parents)
    out = {}
    for parent in parents:
        if parent in seen:
            sys.exit(f"{name}: extends loop through {parent}")
        deep_update(out, merged(jobs, parent, (*seen, name)))
    deep_update(out, {k: v for k, v in job.items() if k != "extends"})
    return out


def deep_update(into, new):
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            deep_update(into[key], value)
        else:
            into[key] = value


def lines(job):
    out = []
    for key in ("before_script", "script"):
        value = job.get(key) or []
        out.extend([value] if isinstance(value, str) else [str(v) for v in value])
    return out


def tools(job, default_image):
    image = job.get("image", default_image)
    image = image.get("name", "") if isinstance(image, dict) else str(image or "")
    have = set()
    for prefix, shipped in IMAGES.items():
        if image.startswith(prefix):
            have |= shipped
    installed = set()
    for line in lines(job):
        for part in line.split("&&"):
            words = part.split(">")[0].split()
            if "apt-get" in words and "install" in words:
                installed |= {w for w in words[words.index("install") + 1 :] if not w.startswith("-")}
            if words[:3] == ["rustup", "component", "add"]:
                have |= set(words[3:])
    for package in installed:
        have |= PACKAGES.get(package, set())
    if {"nodejs", "npm"} <= installed:
        have.add("node")
    for service in job.get("services") or []:
        name = service.get("name", "") if isinstance(service, dict) else str(service)
        have.add(name.split(":")[0].split("/")[-1])
    return have


def commands(run_file):
    """The commands `.ci/run` runs: its `bash .ci/...` lines and its steps."""
    out = []
    for line in open(run_file, encoding="utf-8"):
        line = line.strip()
        step = re.match(r'^step "[^"]*"; *(.+)$', line)
        if step:
            line = step.group(1)
        elif not line.startswith("bash .ci/"):
            continue
        out.append(re.split(r" 2>&1| \|", line)[0].strip())
    return out


def main():
    run_file = sys.argv[1] if len(sys.argv) > 1 else ".ci/run"
    ci_file = sys.argv[2] if len(sys.argv) > 2 else ".gitlab-ci.yml"
    doc = YAML(typ="safe").load(open(ci_file, encoding="utf-8"))
    default_image = (doc.get("default") or {}).get("image", "")
    names = [k for k, v in doc.items() if isinstance(v, dict) and ("script" in v or "extends" in v) and not k.startswith(".")]
    jobs = {name: merged(doc, name) for name in names}
    failures = 0
    for command in commands(run_file):
        need = next((n for prefix, n in NEEDS.items() if command.startswith(prefix)), None)
        if need is None:
            print(f"{command}: .ci/gitlab_jobs.py does not know what it needs (add it to NEEDS)")
            failures += 1
            continue
        # services.sh starts local services; a GitLab job has them as `services:`.
        local_services = command == "bash .ci/services.sh"
        candidates = [n for n, job in jobs.items() if local_services or any(command in line for line in lines(job))]
        if not candidates:
            print(f"{command}: in no job of {ci_file}")
            failures += 1
            continue
        fitting = [n for n in candidates if need <= tools(jobs[n], default_image)]
        if not fitting:
            for name in candidates:
                missing = sorted(need - tools(jobs[name], default_image))
                print(f"{command}: job `{name}` lacks {', '.join(missing)}")
            failures += 1
            continue
        print(f"ok  {command}  (job {', '.join(fitting)})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
