// The API side of the browser tests: /shop users, tokens and money, through
// plain fetch against the server .ci/browser.sh started.
import { createHash } from 'node:crypto';

export const BASE = process.env.ADMIN_BASE_URL ?? 'http://127.0.0.1:8080';
export const ADMIN_LOGIN = process.env.ADMIN_LOGIN ?? 'admin';
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin password';
const PAYMENT_KEY = process.env.PAYMENT_PRIVATE_KEY ?? '';

export async function call(method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(BASE + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

/** Logs a /shop user in; returns the token. */
export async function shopLogin(login, password) {
  const res = await call('POST', '/shop/login', { body: { login, password } });
  if (res.status !== 200) throw new Error(`login ${login}: ${res.status} ${res.text}`);
  return res.json.access_token;
}

/** Registers and activates a /shop user; returns { login, password, token, id }. */
export async function shopUser(prefix) {
  const login = `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const password = 'correct horse battery';
  const reg = await call('POST', '/shop/register', { body: { login, password } });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  const link = new URL(reg.json.activation_link);
  const act = await call('GET', link.pathname);
  if (act.status !== 200) throw new Error(`activate: ${act.status} ${act.text}`);
  const token = await shopLogin(login, password);
  const admin = await shopLogin(ADMIN_LOGIN, ADMIN_PASSWORD);
  const users = await call('GET', '/shop/admin/users', { token: admin });
  const id = users.json.find((u) => u.login === login).id;
  return { login, password, token, id };
}

/** Credits a bill through the signed payment webhook. */
export async function credit(userId, billId, amount) {
  const tx = Math.floor(Math.random() * 1e12);
  const signature = createHash('sha1').update(`${PAYMENT_KEY}:${tx}:${userId}:${billId}:${amount}`).digest('hex');
  const res = await call('POST', '/shop/payment/webhook', {
    body: { signature, transaction_id: tx, user_id: userId, bill_id: billId, amount },
  });
  if (res.status !== 200) throw new Error(`webhook: ${res.status} ${res.text}`);
  return res.json;
}

/** A unique name: browser runs share one database. */
export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

function expect(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text}`);
  return res.json;
}

/** Two /exchange users and a pending link of an item between them: { sender, recipient, item, link }. */
export async function exchangeTransfer() {
  const [sender, recipient] = [unique('sender'), unique('recipient')];
  const tokens = {};
  for (const login of [sender, recipient]) {
    expect(await call('POST', '/exchange/registration', { body: { login, password: 'correct horse' } }), 201, 'register');
    tokens[login] = expect(await call('POST', '/exchange/login', { body: { login, password: 'correct horse' } }), 200, 'login').token;
  }
  const item = expect(await call('POST', '/exchange/items/new', { token: tokens[sender], body: { name: unique('Brass lamp') } }), 201, 'item');
  const sent = expect(await call('POST', '/exchange/send', { token: tokens[sender], body: { item_id: item.id, recipient } }), 201, 'send');
  return { sender, recipient, item, link: sent.link };
}

/** A /dealer user and an auto in the stock; returns the auto's mark. */
export async function dealerAuto() {
  const username = unique('dealer');
  expect(await call('POST', '/dealer/register', { body: { username, password: 'Some password' } }), 201, 'register');
  const token = expect(await call('POST', '/dealer/auth', { body: { username, password: 'Some password' } }), 200, 'auth').access_token;
  const mark = unique('Polo');
  const auto = { max_speed: 180, distance: 400, handler: 'Auto Motors', stock: 'Germany' };
  expect(await call('POST', `/dealer/auto/${mark}`, { token, body: auto }), 201, 'auto');
  return mark;
}

/** An /ar user with a project, an app token and an image target (`jpeg`: a data URL). */
export async function arProject(jpeg) {
  const login = unique('maker');
  expect(await call('POST', '/ar/api/user', { body: { login, password: 'correct horse' } }), 201, 'sign up');
  const token = expect(await call('POST', '/ar/api/login', { body: { login, password: 'correct horse' } }), 200, 'login').access_token;
  const project = expect(await call('POST', '/ar/api/project', { token, body: { name: unique('Museum') } }), 201, 'project');
  const appToken = expect(await call('POST', `/ar/api/project/${project.id}/jwt`, { token }), 201, 'app token');
  const target = expect(await call('POST', `/ar/api/project/${project.id}/imagetarget`,
    { token: appToken.token, body: { image: jpeg, description: 'The museum entrance' } }), 201, 'image target');
  return { login, token, project, appToken, target };
}
