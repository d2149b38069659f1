// TypeScript smoke test of the generated SDK against a live server: per app,
// register, log in, one authenticated call. Run by .ci/contract.sh with the
// SDK installed from clients/typescript. An app without a typed check here is
// checked through its Postman story (register, log in, first authenticated
// step) with the SDK's untyped `request`. Usage: tsx smoke.ts BASE_URL [STORIES_DIR]
import { createApiClient } from "five-apps-client";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8080";
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

/** Typed checks per app (optional: the story check covers the others). */
const apps: Record<string, () => Promise<void>> = {
  async todo() {
    const api = createApiClient(baseUrl);
    const creds = { username: `ts-${suffix}`, password: "correct horse" };
    const registered = await api.POST("/todo/register", { body: creds });
    check(registered.response.status === 201, `register answered ${registered.response.status}`);
    const { data: login } = await api.POST("/todo/login", { body: creds });
    check(login?.token_type === "bearer", "login gave no bearer token");
    const todo = createApiClient(baseUrl, { token: login.access_token });
    const { data: task } = await todo.POST("/todo/tasks", { body: { title: "from TypeScript" } });
    check(task?.title === "from TypeScript", "the task was not created");
    const { data: tasks } = await todo.GET("/todo/tasks", { params: { query: { limit: 10 } } });
    check(tasks?.length === 1 && tasks[0]?.id === task.id, "the list does not hold the task");
  },
  async exchange() {
    const api = createApiClient(baseUrl);
    const creds = { login: `ts-ex-${suffix}`, password: "correct horse" };
    const registered = await api.POST("/exchange/registration", { body: creds });
    check(registered.response.status === 201, `register answered ${registered.response.status}`);
    const { data: login } = await api.POST("/exchange/login", { body: creds });
    check(login?.token_type === "bearer", "login gave no bearer token");
    const exchange = createApiClient(baseUrl, { token: login.token });
    const { data: item } = await exchange.POST("/exchange/items/new", { body: { name: "from TypeScript" } });
    check(item?.name === "from TypeScript", "the item was not created");
    const { data: list } = await exchange.GET("/exchange/items", {});
    check(list?.items.length === 1 && list.items[0]?.id === item.id, "the list does not hold the item");
  },
  async dealer() {
    const api = createApiClient(baseUrl);
    const creds = { username: `ts-dealer-${suffix}`, password: "correct horse" };
    const registered = await api.POST("/dealer/register", { body: creds });
    check(registered.data?.Message === "User created. Try to auth", `register answered ${registered.response.status}`);
    const { data: auth } = await api.POST("/dealer/auth", { body: creds });
    check(auth?.access_token, "auth gave no token");
    const dealer = createApiClient(baseUrl, { token: auth.access_token });
    const mark = `ts-${suffix}`;
    const body = { max_speed: 250, distance: 500, handler: "Auto Motors", stock: "Austria" };
    const created = await dealer.POST("/dealer/auto/{mark}", { params: { path: { mark } }, body });
    check(created.data?.Message === "Auto created", `create answered ${created.response.status}`);
    const { data: auto } = await dealer.GET("/dealer/auto/{mark}", { params: { path: { mark } } });
    check(auto?.mark === mark && auto.max_speed === 250, "the auto was not stored");
  },
  async shop() {
    const api = createApiClient(baseUrl);
    const creds = { login: `ts-shop-${suffix}`, password: "correct horse" };
    const { data: registered } = await api.POST("/shop/register", { body: creds });
    check(registered?.activation_link, "register gave no activation link");
    const code = decodeURIComponent(registered.activation_link.split("/").pop() ?? "");
    const activated = await api.GET("/shop/activate/{code}", { params: { path: { code } } });
    check(activated.response.status === 200, `activation answered ${activated.response.status}`);
    const { data: login } = await api.POST("/shop/login", { body: creds });
    check(login?.token_type === "bearer", "login gave no bearer token");
    const shop = createApiClient(baseUrl, { token: login.access_token });
    const { data: bills } = await shop.GET("/shop/bills", { params: { query: { limit: 10 } } });
    check(Array.isArray(bills) && bills.length === 0, "a new user has bills");
  },
  async ar() {
    const api = createApiClient(baseUrl);
    const creds = { login: `ts-ar-${suffix}`, password: "correct horse" };
    const { data: user } = await api.POST("/ar/api/user", { body: creds });
    check(user?.login === creds.login, "sign-up failed");
    const { data: login } = await api.POST("/ar/api/login/", { body: creds });
    check(login?.token_type === "bearer", "login gave no bearer token");
    const ar = createApiClient(baseUrl, { token: login.access_token });
    const { data: project } = await ar.POST("/ar/api/project", { body: { name: `ts-${suffix}` } });
    check(project?.name === `ts-${suffix}`, "the project was not created");
    const { data: read } = await ar.GET("/ar/api/project/{id}", { params: { path: { id: project.id } } });
    check(read?.id === project.id, "the project cannot be read");
  },
};

/** A story step (clients/postman/stories/*.json), the part the fallback check reads. */
interface Step {
  operation: string;
  status?: number;
  auth?: string;
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  save?: Record<string, string>;
}

/** Resolves `{{var}}` in strings; a whole `"{{#var}}"` is the variable's number. */
function substitute(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const raw = /^\{\{#(\w+)\}\}$/.exec(value);
    if (raw) return Number(vars[raw[1]!]);
    return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name] ?? ""));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  }
  return value;
}

/**
 * An app without a typed check above: through the SDK's untyped `request`, its
 * story up to the login that saves its token, then the first authenticated step.
 */
async function storyCheck(steps: Step[], token: string, ops: Map<string, [string, string]>): Promise<void> {
  const vars: Record<string, unknown> = { runId: `ts${suffix}` };
  let authedCalls = 0;
  for (const step of steps) {
    const [method, path] = ops.get(step.operation) ?? [];
    check(method && path, `no operation ${step.operation}`);
    const api = createApiClient(baseUrl, step.auth ? { token: String(vars[step.auth]) } : {});
    const init = {
      params: { path: substitute(step.path ?? {}, vars), query: substitute(step.query ?? {}, vars) },
      ...(step.body === undefined ? {} : { body: substitute(step.body, vars) }),
    };
    // Untyped on purpose: the story picks the operation at run time.
    const { data, response } = await (api.request as any)(method, path, init);
    const ok = step.status ? response.status === step.status : response.ok;
    check(ok, `${step.operation} answered ${response.status}`);
    for (const [name, at] of Object.entries(step.save ?? {})) {
      vars[name] = at.split(".").reduce((v: any, k) => v?.[k], data);
    }
    if (step.auth && token in vars && response.ok && ++authedCalls === 1) return;
  }
  throw new Error(`the story makes no authenticated call after saving ${token}`);
}

const storiesDir = process.argv[3];
if (storiesDir) {
  const { readdirSync, readFileSync } = await import("node:fs");
  const spec = await (await fetch(`${baseUrl}/openapi.json`)).json();
  const ops = new Map<string, [string, string]>();
  for (const [path, item] of Object.entries<Record<string, { operationId?: string }>>(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op.operationId) ops.set(op.operationId, [method.toUpperCase(), path]);
    }
  }
  for (const file of readdirSync(storiesDir).filter((f) => f.endsWith(".json")).sort()) {
    const app = file.replace(/\.json$/, "");
    const story = JSON.parse(readFileSync(`${storiesDir}/${file}`, "utf8"));
    if (!(app in apps) && story.token) apps[app] = () => storyCheck(story.steps, story.token, ops);
  }
}

/**
 * The retry layer: a proxy in front of the server forwards the first
 * `POST /todo/tasks` (so the task is stored) but answers it 503; the SDK
 * retries with the same key and gets the stored answer: one task.
 */
async function retriedWrite(): Promise<void> {
  const { createServer } = await import("node:http");
  let dropped = 0;
  const keys: string[] = [];
  const proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)),
    ) as Record<string, string>;
    const upstream = await fetch(`${baseUrl}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (req.method === "POST" && req.url === "/todo/tasks") keys.push(String(req.headers["idempotency-key"]));
    if (req.method === "POST" && req.url === "/todo/tasks" && dropped === 0) {
      dropped += 1; // stored upstream, but the client is told 503
      res.writeHead(503, { "content-type": "application/problem+json", "retry-after": "0" });
      res.end(JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503, detail: "forced" }));
      return;
    }
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    res.end(body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  const via = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  try {
    const api = createApiClient(via);
    const creds = { username: `ts-retry-${suffix}`, password: "correct horse" };
    await api.POST("/todo/register", { body: creds });
    const { data: login } = await api.POST("/todo/login", { body: creds });
    check(login, "login failed");
    const todo = createApiClient(via, { token: login.access_token });
    const { data: task, response } = await todo.POST("/todo/tasks", { body: { title: "retried" } });
    check(dropped === 1 && keys.length === 2 && keys[0] === keys[1], `expected one retry with the same key, saw ${keys}`);
    check(response.headers.get("idempotent-replayed") === "true", "the retry was not a replay");
    check(task?.title === "retried", "the retried write gave no task");
    const { data: tasks } = await todo.GET("/todo/tasks", {});
    check(tasks?.length === 1 && tasks[0]?.id === task.id, `expected exactly one task, got ${tasks?.length}`);
  } finally {
    proxy.close();
  }
}
apps["retry (forced 503)"] = retriedWrite;

let passed = 0;
let failed = 0;
for (const [app, run] of Object.entries(apps)) {
  try {
    await run();
    passed += 1;
    console.log(`ok ${app}`);
  } catch (err) {
    failed += 1;
    console.log(`FAILED ${app}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(`typescript-smoke: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
