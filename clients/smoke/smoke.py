"""Python smoke test of the generated SDK against a live server: per app,
register, log in, one authenticated call. Run by .ci/contract.sh with the SDK
installed from clients/python. Usage: python smoke.py BASE_URL
"""

import random
import string
import sys

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


# One check per app: add yours here.
APPS = {"todo": check_todo}

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
