"""Prints `<app> <token>` for every story in clients/postman/stories/ that names
its `token` variable, by running that story's steps up to the one saving it
(register, log in, ...) against a live server, and `<app> <token> <path-regex>`
for each of the story's `operation_tokens` (a token the operations on those
paths need instead, e.g. the /shop admin's), running the steps on until every
token is saved. `.ci/contract.sh` gives each token to schemathesis for that
app's operations.

Usage: python app_tokens.py BASE_URL   (standard library only)
"""

import json
import random
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = re.compile(r"\{\{(\w+)\}\}")
RAW = re.compile(r"^\{\{#(\w+)\}\}$")


def substitute(value, variables):
    """Resolves `{{var}}` in strings; a whole `"{{#var}}"` becomes the variable's number."""
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, str):
        raw = RAW.match(value)
        if raw:
            return json.loads(str(variables[raw.group(1)]))
        return VAR.sub(lambda m: str(variables.get(m.group(1), "")), value)
    return value


def dig(body, path):
    for part in path.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def operations(spec):
    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = (method.upper(), path)
    return found


def call(base_url, ops, step, variables):
    method, path = ops[step["operation"]]
    for name, value in step.get("path", {}).items():
        path = path.replace("{" + name + "}", urllib.parse.quote(str(substitute(value, variables)), safe=""))
    url = substitute(step["url"], variables) if "url" in step else base_url + path
    query = substitute(step.get("query", {}), variables)
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers = dict(substitute(step.get("headers", {}), variables))
    data = None
    if "body" in step:
        data = json.dumps(substitute(step["body"], variables)).encode()
        headers["Content-Type"] = "application/json"
    if step.get("auth"):
        headers["Authorization"] = "Bearer " + str(variables[step["auth"]])
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    expected = step.get("status")
    if (expected and status != expected) or (not expected and not 200 <= status < 300):
        sys.exit(f"{step['operation']} ({step['name']}) answered {status}: {text}")
    return json.loads(text) if text else None


def main():
    base_url = sys.argv[1].rstrip("/")
    with urllib.request.urlopen(base_url + "/openapi.json", timeout=30) as response:
        ops = operations(json.load(response))
    for file in sorted((ROOT / "clients/postman/stories").glob("*.json")):
        story = json.loads(file.read_text())
        token = story.get("token")
        if not token:
            continue
        variables = {"runId": "st" + "".join(random.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=10))}
        variables.update(story.get("variables", {}))
        scoped = story.get("operation_tokens", {})
        wanted = [token, *scoped]
        for step in story["steps"]:
            body = call(base_url, ops, step, variables)
            for name, path in step.get("save", {}).items():
                variables[name] = dig(body, path)
            if all(name in variables for name in wanted):
                print(file.stem, variables[token])
                for name, paths in scoped.items():
                    print(file.stem, variables[name], paths)
                break
        else:
            missing = [name for name in wanted if name not in variables]
            sys.exit(f"{file.name}: no step saves {', '.join(missing)}")


if __name__ == "__main__":
    main()
