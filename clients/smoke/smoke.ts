// TypeScript smoke test of the generated SDK against a live server: per app,
// register, log in, one authenticated call. Run by .ci/contract.sh with the
// SDK installed from clients/typescript. Usage: tsx smoke.ts BASE_URL
import { createApiClient } from "five-apps-client";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8080";
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

/** One check per app: add yours beside these. */
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
};

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
