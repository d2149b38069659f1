"""Python smoke test of the generated SDK against a live server: per app,
register, log in, one authenticated call. Run by .ci/contract.sh with the SDK
installed from clients/python. An app without a typed check here is checked
through its Postman story (register, log in, first authenticated step) with
the SDK's own HTTP client. Usage: python smoke.py BASE_URL [STORIES_DIR]
"""

import json
import random
import re
import string
import sys
from pathlib import Path

from five_apps_client import AuthenticatedClient, Client
from five_apps_client.api.todo import todo_create_task, todo_list_tasks, todo_login, todo_register
from five_apps_client.models import TodoCredentials, TodoTaskIn, TodoTaskOut, TodoTokenOut, TodoUserOut

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
SUFFIX = "".join(random.choices(string.ascii_lowercase + string.digits, k=10))


def check_todo():
    creds = TodoCredentials(username=f"py-{SUFFIX}", password="correct horse")
    with Client(base_url=BASE_URL) as client:
        assert isinstance(todo_register.sync(client=client, body=creds), TodoUserOut), "register failed"
        login = todo_login.sync(client=client, body=creds)
    assert isinstance(login, TodoTokenOut), f"login failed: {login}"
    with AuthenticatedClient(base_url=BASE_URL, token=login.access_token) as api:
        task = todo_create_task.sync(client=api, body=TodoTaskIn(title="from Python"))
        assert isinstance(task, TodoTaskOut) and task.title == "from Python", f"create failed: {task}"
        tasks = todo_list_tasks.sync(client=api, limit=10)
        assert isinstance(tasks, list) and [t.id for t in tasks] == [task.id], f"list failed: {tasks}"


def substitute(value, variables):
    """Resolves `{{var}}` in strings; a whole `"{{#var}}"` is the variable's number."""
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, str):
        raw = re.fullmatch(r"\{\{#(\w+)\}\}", value)
        if raw:
            return json.loads(str(variables[raw.group(1)]))
        return re.sub(r"\{\{(\w+)\}\}", lambda m: str(variables.get(m.group(1), "")), value)
    return value


def story_check(steps, token, ops):
    """The story up to the login saving `token`, then its first authenticated step."""
    variables = {"runId": "py" + SUFFIX}
    for step in steps:
        method, path = ops[step["operation"]]
        for name, value in substitute(step.get("path", {}), variables).items():
            path = path.replace("{" + name + "}", str(value))
        if step.get("auth"):
            client = AuthenticatedClient(base_url=BASE_URL, token=str(variables[step["auth"]]))
        else:
            client = Client(base_url=BASE_URL)
        kwargs = {"params": substitute(step.get("query", {}), variables)}
        if "body" in step:
            kwargs["json"] = substitute(step["body"], variables)
        response = client.get_httpx_client().request(method, path, **kwargs)
        ok = response.status_code == step["status"] if "status" in step else response.is_success
        assert ok, f"{step['operation']} answered {response.status_code}: {response.text}"
        for name, at in step.get("save", {}).items():
            value = response.json()
            for part in at.split("."):
                value = value[int(part)] if isinstance(value, list) else value[part]
            variables[name] = value
        if step.get("auth") and token in variables and response.is_success:
            return
    raise AssertionError(f"the story makes no authenticated call after saving {token}")


# Typed checks per app (optional: the story check covers the others).
APPS = {"todo": check_todo}

if len(sys.argv) > 2:
    import httpx

    spec = httpx.get(BASE_URL + "/openapi.json").json()
    OPS = {
        op["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    for file in sorted(Path(sys.argv[2]).glob("*.json")):
        story = json.loads(file.read_text())
        if file.stem not in APPS and story.get("token"):
            APPS[file.stem] = lambda s=story: story_check(s["steps"], s["token"], OPS)

passed = failed = 0
for app, run in APPS.items():
    try:
        run()
        passed += 1
        print(f"ok {app}")
    except Exception as err:  # noqa: BLE001 - report every app, then fail
        failed += 1
        print(f"FAILED {app}: {err!r}")
print(f"python-smoke: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
