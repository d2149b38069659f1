// The /admin panel in Debian's headless Chromium, driven by playwright-core:
// what an operator does, and what must be refused. Each page is saved as a
// screenshot under $SCREENSHOTS (target/admin-screenshots by default).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  BASE, ADMIN_LOGIN, ADMIN_PASSWORD, call, credit, shopUser, exchangeTransfer, dealerAuto, arProject,
} from './api.mjs';

const SHOTS = process.env.SCREENSHOTS ?? 'target/admin-screenshots';
mkdirSync(SHOTS, { recursive: true });

let browser;
let admin; // the signed-in operator's page, shared by the tests in order

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page, login, password) {
  await page.goto(`${BASE}/admin/login`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return res;
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    // playwright gives every launch a fresh, temporary --user-data-dir itself.
  });
});

after(async () => {
  await browser?.close();
});

async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  return context.newPage();
}

test('a wrong password is refused with the form again', async () => {
  const page = await freshPage();
  await page.goto(`${BASE}/admin`);
  assert.match(page.url(), /\/admin\/login$/, 'no session: sent to the sign-in page');
  await shot(page, '01-sign-in');
  const res = await signIn(page, ADMIN_LOGIN, 'not the password');
  assert.equal(res.status(), 401);
  assert.match(await page.textContent('.error'), /Wrong login or password/);
  await shot(page, '02-sign-in-wrong-password');
  await page.context().close();
});

test('a non-admin cannot sign in', async () => {
  const user = await shopUser('customer');
  const page = await freshPage();
  const res = await signIn(page, user.login, user.password);
  assert.equal(res.status(), 403);
  assert.match(await page.textContent('.error'), /may not use the admin panel/);
  await page.goto(`${BASE}/admin`);
  assert.match(page.url(), /\/admin\/login$/);
  await page.context().close();
});

test('an admin signs in and sees the dashboard', async () => {
  admin = await freshPage();
  const res = await signIn(admin, ADMIN_LOGIN, ADMIN_PASSWORD);
  assert.equal(res.status(), 200);
  assert.equal(new URL(admin.url()).pathname, '/admin');
  assert.equal(await admin.textContent('.topbar h1'), 'Dashboard');
  const labels = await admin.$$eval('.tile .label', (els) => els.map((e) => e.textContent));
  for (const label of ['users', 'tasks', 'products', 'bills', 'total balance', 'items', 'pending transfers',
    'autos', 'projects', 'image targets', 'live app tokens']) {
    assert.ok(labels.includes(label), `a "${label}" tile`);
  }
  const cookie = (await admin.context().cookies()).find((c) => c.name === 'admin_session');
  assert.ok(cookie.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/admin');
  assert.ok(cookie.expires > Date.now() / 1000, 'the session cookie expires');
  await shot(admin, '03-dashboard');
});

test('disabling a user refuses their token at once, enabling accepts it again', async () => {
  const user = await shopUser('disable-me');
  assert.equal((await call('GET', '/shop/bills', { token: user.token })).status, 200);
  await admin.goto(`${BASE}/admin/shop/users?q=${user.login}`);
  const row = admin.locator('tr', { hasText: user.login });
  await Promise.all([admin.waitForNavigation(), row.locator('button', { hasText: 'Disable' }).click()]);
  assert.match(await admin.textContent('.notice'), /disabled/);
  assert.match(await row.textContent(), /inactive/);
  await shot(admin, '04-shop-users-disabled');
  const refused = await call('GET', '/shop/bills', { token: user.token });
  assert.equal(refused.status, 401, 'the disabled user\'s token is refused');
  await Promise.all([admin.waitForNavigation(), row.locator('button', { hasText: 'Enable' }).click()]);
  assert.equal((await call('GET', '/shop/bills', { token: user.token })).status, 200);
});

test('a product created in the panel is on sale in /shop/products', async () => {
  const user = await shopUser('buyer');
  const title = `Browser coffee ${Date.now()}`;
  await admin.goto(`${BASE}/admin/shop/products`);
  await admin.fill('form.grid input[name=title]', title);
  await admin.fill('form.grid input[name=description]', '250 g, ground');
  await admin.fill('form.grid input[name=price]', '12.50');
  await Promise.all([admin.waitForNavigation(), admin.click('form.grid button[type=submit]')]);
  assert.match(await admin.textContent('.notice'), /created/);
  const listed = await call('GET', '/shop/products', { token: user.token });
  const product = listed.json.find((p) => p.title === title);
  assert.ok(product, 'the new product is listed by the API');
  assert.equal(String(product.price), '12.50');
  await shot(admin, '05-shop-products');

  // An invalid price is refused with the API's reason, and nothing is created.
  await admin.fill('form.grid input[name=title]', 'Free lunch');
  await admin.fill('form.grid input[name=price]', '-1');
  await Promise.all([admin.waitForNavigation(), admin.click('form.grid button[type=submit]')]);
  assert.match(await admin.textContent('.error'), /Not saved/);
  const after = await call('GET', '/shop/products', { token: user.token });
  assert.ok(!after.json.some((p) => p.title === 'Free lunch'));

  // Money moves, so the bill pages have rows: a credit and a purchase.
  await credit(user.id, 7000 + Math.floor(Math.random() * 1e6), '100.00').then(async ({ bill_id }) => {
    const bought = await call('POST', `/shop/products/${product.id}/buy`, { token: user.token, body: { bill_id } });
    assert.equal(bought.status, 200);
    await admin.goto(`${BASE}/admin/shop/bills/${bill_id}`);
    assert.match(await admin.textContent('main'), /87\.50/);
    await shot(admin, '07-shop-bill');
  });
  await admin.goto(`${BASE}/admin/shop/products/${product.id}`);
  await shot(admin, '06-shop-product-edit');
});

test('a form posted without its CSRF token is refused and changes nothing', async () => {
  const before = await admin.request.get(`${BASE}/admin/shop/products?q=csrf-probe`);
  assert.equal(before.status(), 200);
  const res = await admin.request.post(`${BASE}/admin/shop/products`, {
    form: { title: 'csrf-probe', description: '', price: '1.00' }, maxRedirects: 0,
  });
  assert.equal(res.status(), 403);
  assert.match(await res.text(), /security token/);
  const wrong = await admin.request.post(`${BASE}/admin/shop/products`, {
    form: { _csrf: 'f'.repeat(64), title: 'csrf-probe', price: '1.00' }, maxRedirects: 0,
  });
  assert.equal(wrong.status(), 403);
  await admin.goto(`${BASE}/admin/shop/products?q=csrf-probe`);
  assert.match(await admin.textContent('main'), /Nothing here/);
});

// A real JPEG, drawn by the browser itself (no image files in the repository).
async function drawJpeg(page) {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 400;
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, 400);
    sky.addColorStop(0, '#2f6fde');
    sky.addColorStop(1, '#f5c16c');
    g.fillStyle = sky;
    g.fillRect(0, 0, 640, 400);
    g.fillStyle = '#1f2633';
    g.fillRect(120, 180, 400, 220);
    g.fillStyle = '#fff';
    g.font = 'bold 48px sans-serif';
    g.fillText('AR target', 210, 300);
    return canvas.toDataURL('image/jpeg', 0.9);
  });
}

let ar; // the /ar user, project, app token and target of the revoke test

test('revoking an app token in the panel makes the API refuse it', async () => {
  ar = await arProject(await drawJpeg(admin));
  const targets = `/ar/api/project/${ar.project.id}/imagetarget`;
  assert.equal((await call('GET', targets, { token: ar.appToken.token })).status, 200, 'the app token works');
  await admin.goto(`${BASE}/admin/ar/tokens?q=project:${ar.project.id}`);
  const row = admin.locator('tbody tr', { hasText: ar.project.name });
  assert.match(await row.textContent(), /live/);
  assert.ok(!(await admin.content()).includes(ar.appToken.token), 'the panel never shows a token');
  await shot(admin, '19-ar-tokens');
  await Promise.all([admin.waitForNavigation(), row.locator('button', { hasText: 'Revoke' }).click()]);
  assert.match(await admin.textContent('.notice'), /revoked: the API refuses it/);
  assert.match(await row.textContent(), /revoked/);
  assert.equal(await row.locator('button').count(), 0, 'no Revoke on a revoked token');
  await shot(admin, '20-ar-token-revoked');
  const refused = await call('GET', targets, { token: ar.appToken.token });
  assert.equal(refused.status, 401, 'the revoked app token is refused');
  assert.equal((await call('GET', targets, { token: ar.token })).status, 200, 'the owner is not affected');
});

test('a revoke posted without its CSRF token is refused and changes nothing', async () => {
  const other = await arProject(await drawJpeg(admin));
  const res = await admin.request.post(`${BASE}/admin/ar/tokens/${other.appToken.id}/revoke`, { form: {}, maxRedirects: 0 });
  assert.equal(res.status(), 403);
  const targets = `/ar/api/project/${other.project.id}/imagetarget`;
  assert.equal((await call('GET', targets, { token: other.appToken.token })).status, 200, 'still accepted');
});

test('every page renders', async () => {
  const transfer = await exchangeTransfer();
  const mark = await dealerAuto();
  const pages = [['/admin/todo/users', '08-todo-users'], ['/admin/todo/tasks', '09-todo-tasks'],
    ['/admin/shop/bills', '10-shop-bills'],
    ['/admin/exchange/users', '11-exchange-users', transfer.sender],
    ['/admin/exchange/items', '12-exchange-items', transfer.item.name],
    ['/admin/exchange/transfers', '13-exchange-transfers', transfer.recipient],
    ['/admin/dealer/users', '14-dealer-users'],
    ['/admin/dealer/autos', '15-dealer-autos', mark],
    ['/admin/ar/users', '16-ar-users', ar.login],
    ['/admin/ar/projects', '17-ar-projects', ar.project.name],
    ['/admin/ar/targets', '18-ar-targets', 'The museum entrance']];
  for (const [path, name, expected] of pages) {
    const res = await admin.goto(`${BASE}${path}`);
    assert.equal(res.status(), 200, path);
    if (expected) assert.match(await admin.textContent('main'), new RegExp(expected), `${path} lists ${expected}`);
    if (path === '/admin/exchange/transfers') {
      const code = new URL(transfer.link).searchParams.get('transfer');
      assert.ok(!(await admin.content()).includes(code), 'a link code is never shown');
    }
    if (path === '/admin/ar/targets') {
      // Every thumbnail is a JPEG the browser could decode, at most 160 px wide.
      let widths = [];
      for (let i = 0; i < 50 && !(widths.length > 0 && widths.every((w) => w >= 0)); i += 1) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        widths = await admin.$$eval('img.thumb', (imgs) => imgs.map((img) => (img.complete ? img.naturalWidth : -1)));
      }
      assert.ok(widths.length > 0 && widths.every((w) => w > 0 && w <= 160), `thumbnails decoded: ${widths}`);
    }
    await shot(admin, name);
  }
});

test('signing out ends the session', async () => {
  const old = (await admin.context().cookies()).find((c) => c.name === 'admin_session').value;
  await Promise.all([admin.waitForNavigation(), admin.click('.who button')]);
  assert.match(admin.url(), /\/admin\/login$/);
  const res = await admin.goto(`${BASE}/admin/shop/users`);
  assert.match(admin.url(), /\/admin\/login$/, 'pages need a new sign-in');
  assert.equal(res.status(), 200);
  const replay = await fetch(`${BASE}/admin`, { headers: { cookie: `admin_session=${old}` }, redirect: 'manual' });
  assert.equal(replay.status, 303, 'the old session cookie no longer works');
  await admin.context().close();
});
