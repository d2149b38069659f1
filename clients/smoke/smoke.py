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
from urllib.parse import unquote

from five_apps_client import AuthenticatedClient, Client
from five_apps_client.api.ar import ar_create_project, ar_create_user, ar_get_project, ar_login
from five_apps_client.api.dealer import dealer_auth, dealer_create_auto, dealer_get_auto, dealer_register
from five_apps_client.api.exchange import (
    exchange_create_item,
    exchange_list_items,
    exchange_login,
    exchange_register,
)
from five_apps_client.api.shop import shop_activate, shop_list_bills, shop_login, shop_register
from five_apps_client.api.todo import todo_create_task, todo_list_tasks, todo_login, todo_register
from five_apps_client.models import (
    ArCredentials,
    ArProjectIn,
    ArProjectOut,
    ArTokenOut,
    ArUserOut,
    DealerAutoIn,
    DealerAutoOut,
    DealerCredentials,
    DealerMessage,
    DealerTokenOut,
    ExchangeCredentials,
    ExchangeItemCreated,
    ExchangeItemIn,
    ExchangeItemList,
    ExchangeMessage,
    ExchangeTokenOut,
    ShopCredentials,
    ShopMessageOut,
    ShopRegisteredOut,
    ShopTokenOut,
    TodoCredentials,
    TodoTaskIn,
    TodoTaskOut,
    TodoTokenOut,
    TodoUserOut,
)

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


def check_exchange():
    creds = ExchangeCredentials(login=f"py-ex-{SUFFIX}", password="correct horse")
    with Client(base_url=BASE_URL) as client:
        assert isinstance(exchange_register.sync(client=client, body=creds), ExchangeMessage), "register failed"
        login = exchange_login.sync(client=client, body=creds)
    assert isinstance(login, ExchangeTokenOut), f"login failed: {login}"
    with AuthenticatedClient(base_url=BASE_URL, token=login.token) as api:
        item = exchange_create_item.sync(client=api, body=ExchangeItemIn(name="from Python"))
        assert isinstance(item, ExchangeItemCreated) and item.name == "from Python", f"create failed: {item}"
        items = exchange_list_items.sync(client=api)
        assert isinstance(items, ExchangeItemList) and [i.id for i in items.items] == [item.id], f"list failed: {items}"


def check_dealer():
    creds = DealerCredentials(username=f"py-dealer-{SUFFIX}", password="correct horse")
    with Client(base_url=BASE_URL) as client:
        assert isinstance(dealer_register.sync(client=client, body=creds), DealerMessage), "register failed"
        auth = dealer_auth.sync(client=client, body=creds)
    assert isinstance(auth, DealerTokenOut), f"auth failed: {auth}"
    mark = f"py-{SUFFIX}"
    with AuthenticatedClient(base_url=BASE_URL, token=auth.access_token) as api:
        body = DealerAutoIn(max_speed=250, distance=500, handler="Auto Motors", stock="Austria")
        created = dealer_create_auto.sync(mark, client=api, body=body)
        assert isinstance(created, DealerMessage), f"create failed: {created}"
        auto = dealer_get_auto.sync(mark, client=api)
        assert isinstance(auto, DealerAutoOut) and auto.max_speed == 250, f"read failed: {auto}"


def check_shop():
    creds = ShopCredentials(login=f"py-shop-{SUFFIX}", password="correct horse")
    with Client(base_url=BASE_URL) as client:
        registered = shop_register.sync(client=client, body=creds)
        assert isinstance(registered, ShopRegisteredOut), f"register failed: {registered}"
        code = unquote(registered.activation_link.rsplit("/", 1)[-1])
        assert isinstance(shop_activate.sync(code, client=client), ShopMessageOut), "activation failed"
        login = shop_login.sync(client=client, body=creds)
    assert isinstance(login, ShopTokenOut), f"login failed: {login}"
    with AuthenticatedClient(base_url=BASE_URL, token=login.access_token) as api:
        bills = shop_list_bills.sync(client=api, limit=10)
        assert bills == [], f"a new user has bills: {bills}"


def check_ar():
    creds = ArCredentials(login=f"py-ar-{SUFFIX}", password="correct horse")
    with Client(base_url=BASE_URL) as client:
        assert isinstance(ar_create_user.sync(client=client, body=creds), ArUserOut), "sign-up failed"
        login = ar_login.sync(client=client, body=creds)
    assert isinstance(login, ArTokenOut), f"login failed: {login}"
    with AuthenticatedClient(base_url=BASE_URL, token=login.access_token) as api:
        project = ar_create_project.sync(client=api, body=ArProjectIn(name=f"py-{SUFFIX}"))
        assert isinstance(project, ArProjectOut), f"create failed: {project}"
        read = ar_get_project.sync(project.id, client=api)
        assert isinstance(read, ArProjectOut) and read.id == project.id, f"read failed: {read}"


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
APPS = {"todo": check_todo, "exchange": check_exchange, "dealer": check_dealer, "shop": check_shop, "ar": check_ar}

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

def check_retry():
    """The retry layer: a proxy forwards the first ``POST /todo/tasks`` (so the
    task is stored) but answers it 503; the SDK retries with the same key and
    gets the stored answer: one task."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from five_apps_client.retry import retrying_authenticated_client, retrying_client

    seen_keys = []

    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def forward(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
            upstream = httpx.request(self.command, BASE_URL + self.path, headers=headers, content=body or None)
            task_post = self.command == "POST" and self.path == "/todo/tasks"
            if task_post:
                seen_keys.append(self.headers.get("idempotency-key"))
            if task_post and len(seen_keys) == 1:
                # Stored upstream, but the client is told 503.
                self.send_response(503)
                self.send_header("content-type", "application/problem+json")
                self.send_header("retry-after", "0")
                payload = b'{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"forced"}'
            else:
                self.send_response(upstream.status_code)
                for name, value in upstream.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(name, value)
                payload = upstream.content
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    via = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        creds = TodoCredentials(username=f"py-retry-{SUFFIX}", password="correct horse")
        with retrying_client(via) as client:
            todo_register.sync(client=client, body=creds)
            login = todo_login.sync(client=client, body=creds)
        assert isinstance(login, TodoTokenOut), f"login failed: {login}"
        with retrying_authenticated_client(via, login.access_token) as api:
            answer = todo_create_task.sync_detailed(client=api, body=TodoTaskIn(title="retried"))
            assert len(seen_keys) == 2 and seen_keys[0] == seen_keys[1] and seen_keys[0], f"keys: {seen_keys}"
            assert answer.headers.get("idempotent-replayed") == "true", "the retry was not a replay"
            task = answer.parsed
            assert isinstance(task, TodoTaskOut) and task.title == "retried", f"create failed: {task}"
            tasks = todo_list_tasks.sync(client=api, limit=10)
            assert isinstance(tasks, list) and [t.id for t in tasks] == [task.id], f"expected one task: {tasks}"
    finally:
        server.shutdown()


APPS["retry (forced 503)"] = check_retry

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
