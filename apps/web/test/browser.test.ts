import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freshDatabase, health, npmStart, REPO, spawnCli, trpcHttp, waitFor } from '@trueboard/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cspWatched, launchChromium, shot } from './browser-session';

/*
 * End to end in a real browser (Debian's chromium driven by playwright-core) against `npm start`
 * on the test run's PostgreSQL, with the real Spider dev benchmark and its three published systems
 * scored by a runner process the test starts and stops. Screenshots go to test-artifacts/screenshots.
 */

const SPIDER = join(REPO, 'benchmarks', 'spider-dev');
/** the family the runner serves: Spider's, as its manifest declares it */
const FAMILY = (JSON.parse(readFileSync(join(SPIDER, 'manifest.json'), 'utf8')) as { family: string }).family;

let base: string;
/** TRUEBOARD_DOWNLOAD_ORIGIN: the same server under another name, as a separate origin for user content */
let downloads: string;
let admin: { email: string; password: string; apiToken: string };
let app: ReturnType<typeof npmStart>;
let browser: Browser;
let runnerSecret: string;
let runner: ReturnType<typeof spawnCli> | null = null;
const cacheDir = mkdtempSync(join(tmpdir(), 'tb-browser-cache-'));

function startRunner() {
  runner = spawnCli([
    'runner',
    '--server',
    base,
    '--token',
    runnerSecret,
    '--families',
    FAMILY,
    '--cache-dir',
    cacheDir,
  ]);
}

async function stopRunner() {
  if (!runner) return;
  const r = runner;
  runner = null;
  const gone = new Promise((resolve) => r.on('exit', resolve));
  r.kill('SIGTERM');
  await gone;
}

const states = (page: Page) => page.getByTestId('state').textContent();

/** CSP violations reported by any page of any context from newContext(); every test must see none. */
const { violations, newContext } = cspWatched(() => browser);

afterEach(() => {
  expect(violations.splice(0)).toEqual([]);
});

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  downloads = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-browser-'));
  app = npmStart(port, dataDir, ['--runners', '0'], {
    DATABASE_URL: await freshDatabase(),
    TRUEBOARD_DOWNLOAD_ORIGIN: downloads,
  });
  await waitFor(
    () => `health:\n${app.output()}`,
    () => (app.hasExited() ? Promise.reject(new Error(app.output())) : health(port)),
    240_000,
  );
  admin = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as typeof admin;
  const token = { token: admin.apiToken, mutation: true };
  runnerSecret = (await trpcHttp<{ secret: string }>(base, 'runnerTokens.create', { name: 'browser test' }, token))
    .secret;
  startRunner();
  await waitFor(
    'the three Spider baselines to be scored',
    async () => {
      const subs = await trpcHttp<{ state: string }[]>(base, 'submissions.list', { benchmark: 'spider-dev' });
      return subs.length === 3 && subs.every((s) => s.state === 'finished');
    },
    240_000,
  );
  // the bundled corrections are released as v2 once v1 is scored; the runner re-scores on it
  await waitFor(
    'v2 of Spider dev to be scored',
    async () => {
      const res = await fetch(`${base}/api/leaderboard/spider-dev.json?v=2&page=1`);
      return res.ok && ((await res.json()) as { total: number }).total === 3;
    },
    240_000,
  );
  // the runner also validates the bundled corrections (their evidence is on the correction pages)
  await waitFor(
    'the bundled corrections to be validated',
    async () => {
      const list = await trpcHttp<{ validationStatus: { status: string } }[]>(base, 'corrections.list', {
        benchmark: 'spider-dev',
      });
      return list.length === 6 && list.every((c) => c.validationStatus.status === 'valid');
    },
    120_000,
  );
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  if (process.env.TB_DEBUG) console.log(app?.output());
  await browser?.close();
  await stopRunner();
  if (app && !app.hasExited()) {
    process.kill(-(app.child.pid ?? 0), 'SIGTERM');
    await app.exited;
  }
});

describe('browsing', () => {
  it('home → leaderboard → sort → version → submission → per-example detail', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const home = await page.goto(`${base}/`);
    // pages run only the scripts Next.js renders with this response's nonce, and are never framed
    const headers = home?.headers() ?? {};
    expect(headers['content-security-policy']).toMatch(
      /^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/]+={0,2}' 'strict-dynamic'; .*frame-ancestors 'none'$/,
    );
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
    });
    await page.getByRole('heading', { name: 'Benchmarks', level: 1 }).waitFor();
    const card = page.locator('article', { hasText: 'Spider 1.0 dev' });
    // the leader on EX (spider semantics) of the latest version is DAIL-SQL (GPT-4)
    expect(await card.textContent()).toMatch(/Leader\s*DAIL-SQL \(GPT-4\) \(baselines\) \d+\.\d ex \(spider\)/);
    await shot(page, 'home');

    await card.getByRole('link', { name: 'Spider 1.0 dev' }).click();
    await page.waitForURL(/\/b\/spider-dev$/);
    const methods = async () => page.getByTestId('board-row').locator('td:nth-child(2) a').allTextContents();
    expect(await methods()).toEqual(['DAIL-SQL (GPT-4)', 'CodeS-1B', 'DTS-SQL (Mistral 7B)']);
    const first = page.getByTestId('board-row').first();
    expect(await first.textContent()).toMatch(/\d+\.\d ± \d\.\d/);
    expect(await page.locator('.badge.baseline').count()).toBe(3);
    // three tie groups, not one: each p names its test against the entry above (hover and screen readers)
    const tieTests = page.getByTestId('tie-test');
    expect(await page.locator('.badge.tie').count()).toBe(0);
    expect(await tieTests.allTextContents()).toEqual([
      expect.stringMatching(
        /^p=0\.00029separated from the entry above: exact McNemar test, 105 vs 58 discordant of 972 examples, p = 0\.00029 < 0\.05$/,
      ),
      expect.stringMatching(
        /^p=0\.041separated from the entry above: exact McNemar test, 95 vs 68 discordant of 972 examples, p = 0\.041 < 0\.05$/,
      ),
    ]);
    expect(await tieTests.first().getAttribute('title')).toMatch(/exact McNemar test, 105 vs 58 .* p = 0\.00029/);
    expect(await tieTests.first().locator('.sr-only').textContent()).toMatch(/exact McNemar test.* p = 0\.00029/);
    // v2 (the corrected version) is the default, with the rank changes against v1
    await page.getByRole('heading', { name: 'Rank changes from v1 to v2' }).waitFor();
    await shot(page, 'leaderboard');
    // a laptop screen: the whole board fits without a scrollbar, and each method name is one line
    await page.setViewportSize({ width: 1400, height: 900 });
    const frame = () =>
      page.evaluate(() => {
        const wrap = document.querySelector('table.board')?.closest('.table-wrap') as HTMLElement | null;
        return wrap ? { scroll: wrap.scrollWidth, client: wrap.clientWidth } : null;
      });
    await expect.poll(async () => (await frame())?.scroll).toBeLessThanOrEqual((await frame())?.client ?? 0);
    const lines = await page
      .getByTestId('board-row')
      .locator('td:nth-child(2) a')
      .evaluateAll((links) => links.map((a) => a.getClientRects().length));
    expect(lines).toEqual([1, 1, 1]);
    await shot(page, 'leaderboard-1400');
    // phone width: the page itself never scrolls sideways (wide tables scroll inside their frame)
    await page.setViewportSize({ width: 390, height: 844 });
    // (charts re-measure on the next resize callback, hence the poll)
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // scrolled to its far right, the board still shows rank and method at its left edge
    const pinned = await page.evaluate(() => {
      const wrap = document.querySelector('table.board')?.closest('.table-wrap') as HTMLElement;
      wrap.scrollLeft = wrap.scrollWidth;
      const left = wrap.getBoundingClientRect().left;
      const row = wrap.querySelector('tbody tr');
      const at = (n: number) => Math.round((row?.children[n]?.getBoundingClientRect().left ?? -1) - left);
      return { scrolled: wrap.scrollLeft > 0, rank: at(0), method: at(1) };
    });
    expect(pinned.scrolled).toBe(true);
    expect(pinned.rank).toBeGreaterThanOrEqual(0);
    expect(pinned.rank).toBeLessThan(4);
    expect(pinned.method).toBeGreaterThan(pinned.rank);
    expect(pinned.method).toBeLessThan(120);
    await shot(page, 'leaderboard-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // sort by Soft-F1, lowest first: the order lives in the URL
    await page.getByRole('link', { name: /^Soft-F1/ }).click();
    await page.waitForURL(/sort=soft_f1%2Fbird-minidev&dir=desc/);
    await page.getByRole('link', { name: /^Soft-F1/ }).click();
    await page.waitForURL(/dir=asc/);
    expect((await methods())[0]).toBe('DTS-SQL (Mistral 7B)');
    // the export holds exactly what is shown, in the same order
    const csvHref = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
    const csv = await (await fetch(`${base}${csvHref}`)).text();
    expect(
      csv
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[3]),
    ).toEqual(await methods());

    // version selector: choosing a version puts it in the URL; an unknown one is a not-found page
    await page.getByLabel('Dataset version').selectOption('1');
    await page.waitForURL(/v=1/);
    expect(await page.getByTestId('board-row').count()).toBe(3);
    expect(await page.locator('h1').textContent()).toBe('Spider 1.0 dev');
    await page.goto(`${base}/b/spider-dev?v=9`);
    expect(await page.locator('h1').textContent()).toBe('Not found');

    await page.goto(`${base}/b/spider-dev`);
    await page.getByRole('link', { name: 'DAIL-SQL (GPT-4)' }).click();
    await page.waitForURL(/\/s\/[0-9a-f-]{36}$/);
    expect(await states(page)).toBe('finished');
    expect(await page.getByTestId('metric-row').count()).toBe(3);
    await shot(page, 'submission');

    await page.getByLabel('Verdict').selectOption('unscorable');
    await expect.poll(() => page.getByTestId('example-count').textContent()).toBe('62 examples');
    await page.getByTestId('example-row').first().getByRole('button', { name: 'Details' }).click();
    expect(await page.getByTestId('example-detail').textContent()).toContain('database wta_1 is missing');
    await page.getByLabel('Verdict').selectOption('wrong');
    await expect
      .poll(async () => Number((await page.getByTestId('example-count').textContent())?.split(' ')[0]))
      .toBeGreaterThan(0);
    await page.getByTestId('example-row').first().getByRole('button', { name: 'Details' }).click();
    const detail = page.getByTestId('example-detail');
    expect(await detail.textContent()).toMatch(/Question:.*Gold SQL.*Predicted SQL.*Gold result.*Predicted result/s);
    await shot(page, 'example-detail');
    await context.close();
  });
});

describe('corrections', () => {
  it('history of released corrections, version download, impact, triage → propose', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${base}/b/spider-dev/corrections`);
    const rows = page.getByTestId('correction-row');
    expect(await rows.count()).toBe(6);
    expect(await rows.first().textContent()).toContain('released');
    await rows.filter({ hasText: '493' }).getByRole('link').click();
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('history').textContent()).toMatch(
      /proposed by Trueboard curator.*approved.*released/s,
    );
    await page.getByRole('heading', { name: 'Old and new gold results' }).waitFor();
    await shot(page, 'correction');

    await page.goto(`${base}/b/spider-dev/versions/2`);
    expect(await page.getByTestId('changelog').textContent()).toMatch(/## Example 493 — wrong_gold/);
    // user content is linked on the download origin, which serves downloads and nothing else
    const href = await page.getByRole('link', { name: 'dev_gold.sql' }).getAttribute('href');
    expect(href).toBe(`${downloads}/api/benchmarks/spider-dev/versions/2/files/dev_gold.sql`);
    const download = await fetch(href ?? '');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="dev_gold\.sql"/);
    const gold = await download.text();
    expect((await fetch(`${downloads}/b/spider-dev`)).status).toBe(404);
    expect((await fetch(`${downloads}/api/trpc/auth.me`)).status).toBe(404);
    expect(gold.split('\n')[493]).toBe('SELECT name ,  date ,  result FROM battle\tbattle_death');
    await shot(page, 'version');

    await page.goto(`${base}/b/spider-dev/impact?from=1&to=2`);
    expect(await page.getByTestId('correlations').textContent()).toMatch(
      /Spearman ρ = -?\d\.\d{3} \(p = \d\.\d{3}, exact test, n = 3\)/,
    );
    expect(await page.getByTestId('impact-row').count()).toBe(3);
    await shot(page, 'impact');

    // triage on v2 → propose a correction prefilled with the example (signed in)
    await page.goto(`${base}/signup`);
    await page.getByLabel('Email').fill('linus@example.org');
    await page.getByLabel('Name').fill('Linus');
    await page.getByLabel('Password').fill('a third long passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/account$/);
    await page.goto(`${base}/b/spider-dev/triage?v=2`);
    const first = page.getByTestId('triage-row').first();
    const exampleId = (await first.locator('td').first().textContent())?.match(/^\d+/)?.[0];
    await shot(page, 'triage');
    await first.getByRole('link', { name: 'Propose a correction' }).click();
    await page.waitForURL(/corrections\?example=/);
    const question = page.locator('textarea[name="question"]');
    await question.waitFor();
    await question.fill(`${await question.inputValue()} (clarified)`);
    await page.getByLabel('Rationale (required)').fill('browser test: clearer wording');
    await page.getByRole('button', { name: 'Propose' }).click();
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('correction-state').textContent()).toBe('proposed');
    // stored at once; the runner of its family checks it after
    expect(await page.getByTestId('validation-status').textContent()).toMatch(/^(validating|valid)$/);
    expect(await page.locator('h1').textContent()).toContain(`example ${exampleId}`);
    // the proposer is never offered their own review
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Withdraw' }).waitFor();
    await context.close();
  });
});

describe('account', () => {
  it('sign up → create a team → create a token shown once; HttpOnly SameSite session; errors by the field', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${base}/signup`);
    await page.getByLabel('Email').fill('ada@example.org');
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#password-error').textContent()).toMatch(/password/i);
    await page.getByLabel('Password').fill('a long enough passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/account$/);
    const cookie = (await context.cookies()).find((c) => c.name === 'tb_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.getByLabel('Team id (lowercase, dashes)').fill('ada-lab');
    await page.getByLabel('Team name').fill('Ada Lab');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByText('ada-lab').first().waitFor();

    await page.getByLabel('Name of the new API token').fill('laptop');
    await page.getByRole('button', { name: 'Create API token' }).click();
    const secret = await page.getByTestId('new-secret').textContent();
    expect(secret).toMatch(/^tbu_/);
    await page.getByTestId('token-row').first().waitFor();
    await shot(page, 'account');
    // the secret works for the API, and is never shown again
    expect((await trpcHttp<{ email: string }>(base, 'auth.me', undefined, { token: secret ?? '' })).email).toBe(
      'ada@example.org',
    );
    await page.reload();
    expect(await page.getByTestId('new-secret').count()).toBe(0);
    expect(await page.getByTestId('token-row').first().textContent()).toContain('laptop');
    await context.close();
  });
});

describe('submitting', () => {
  it('submit through the form → queued → cancel one → the runner finishes the other; names render as text', async () => {
    await stopRunner(); // nothing evaluates until the test says so
    const context = await newContext();
    const page = await context.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${base}/signup`);
    await page.getByLabel('Email').fill('grace@example.org');
    await page.getByLabel('Name').fill('Grace');
    await page.getByLabel('Password').fill('another long passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/account$/);
    await page.getByLabel('Team id (lowercase, dashes)').fill('grace-lab');
    await page.getByLabel('Team name').fill('Grace Lab');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByText('grace-lab').first().waitFor();

    // predictions for the first ten Spider questions: their gold queries, keyed by example id
    const gold = readFileSync(join(SPIDER, 'dev_gold.sql'), 'utf8').split('\n');
    const preds = Object.fromEntries(gold.slice(0, 10).map((l, i) => [String(i), l.split('\t')[0]]));
    const file = {
      name: 'preds.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ predictions: preds })),
    };

    const submitOnce = async (firstTime: boolean) => {
      await page.goto(`${base}/submit?benchmark=spider-dev`);
      if (firstTime) {
        await page.getByLabel('Name', { exact: true }).fill('<script>alert(1)</script>');
        await page.getByLabel('Hyperparameters (optional)').fill('learningRate=0.0003, rank=8');
        await page.getByRole('button', { name: 'Create method' }).click();
        await expect.poll(() => page.getByLabel('Method').inputValue()).not.toBe('__new');
      }
      await page.getByLabel(/^Artifact/).setInputFiles({ ...file, buffer: Buffer.from('{"predictions": ') });
      await expect.poll(() => page.locator('#file-error').textContent()).toMatch(/preds\.json is not valid JSON/);
      await page.getByLabel(/^Artifact/).setInputFiles(file);
      await expect.poll(() => page.locator('#file-error').textContent()).toBe('');
      // private, so the public board other tests read keeps its three baselines whatever the order
      await page.getByRole('checkbox', { name: 'Public (shown on the leaderboard)' }).uncheck();
      if (firstTime) await shot(page, 'submit');
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.waitForURL(/\/s\/[0-9a-f-]{36}$/);
      return page.url();
    };

    const keep = await submitOnce(true);
    expect(await states(page)).toBe('queued');
    expect(await page.getByTestId('queue-position').textContent()).toMatch(/^Position \d+ in the queue/);
    expect(await page.locator('h1').textContent()).toContain('<script>alert(1)</script>');
    // the method's hyperparameters as typed in the form, typed by the API, shown generically
    expect(await page.locator('main').textContent()).toContain('learningRate 0.0003 · rank 8');
    await shot(page, 'submission-queued');

    await submitOnce(false);
    await page.getByRole('button', { name: 'Cancel submission' }).click();
    await expect.poll(() => states(page)).toBe('cancelled');

    await page.goto(`${base}/queue`);
    // the kept submission, and the three SciFact baselines waiting for a rerank runner (this one runs text2sql)
    expect(await page.getByTestId('queued-row').count()).toBe(4);
    startRunner();
    await page.goto(keep);
    await expect.poll(() => states(page), { timeout: 120_000 }).toBe('finished');
    // the timeline has a time for every state the submission went through
    const timeline = await page.getByRole('list', { name: 'State timeline' }).textContent();
    expect(timeline).toMatch(/queued: \d{4}-.*running: \d{4}-.*finished: \d{4}-/);
    await page.getByTestId('metric-row').first().waitFor();
    // 10 of 972 scorable questions answered with their gold query
    expect(await page.getByTestId('metric-row').first().textContent()).toMatch(/1\.0 ±/);
    await shot(page, 'submission-finished');
    await page.goto(`${base}/queue`);
    await page.getByTestId('runner-row').first().waitFor();
    await shot(page, 'queue');
    expect(dialogs).toBe(0);
    await context.close();
  });
});

describe('user content', () => {
  it('an HTML or SVG artifact opened by a signed-in admin runs nothing: it arrives as a download', async () => {
    // an ordinary user uploads "artifacts" that would mint an admin token if they ever ran on our origin
    const signUp = await fetch(`${base}/api/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'mallory@example.org',
        name: 'Mallory',
        password: 'violet canyon metronome 42',
      }),
    });
    expect(signUp.status).toBe(200);
    const cookie = signUp.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const minted = await fetch(`${base}/api/trpc/tokens.create`, {
      method: 'POST',
      headers: { cookie, origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'uploads' }),
    });
    const user = ((await minted.json()) as { result: { data: { secret: string } } }).result.data.secret;
    await trpcHttp(base, 'teams.create', { slug: 'mallory-lab', name: 'Mallory Lab' }, { token: user, mutation: true });
    const method = await trpcHttp<{ id: string }>(
      base,
      'methods.create',
      { team: 'mallory-lab', name: 'Innocent method' },
      { token: user, mutation: true },
    );
    const attack = (name: string) =>
      `localStorage.setItem('tb-xss', '${name}');` +
      `fetch('/api/trpc/tokens.create', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({name: '${name}'})})`;
    const artifacts = [
      { type: 'text/html', body: `<!doctype html><html><body><script>${attack('xss-html')}</script></body></html>` },
      {
        type: 'image/svg+xml',
        body: `<svg xmlns="http://www.w3.org/2000/svg"><script>${attack('xss-svg')}</script></svg>`,
      },
    ];
    const shas: string[] = [];
    for (const a of artifacts) {
      const res = await fetch(`${base}/api/submissions?benchmark=spider-dev&method=${method.id}&public=false`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user}`, 'content-type': a.type },
        body: a.body,
      });
      expect(res.status).toBe(201);
      shas.push(((await res.json()) as { artifact: { sha256: string } }).artifact.sha256);
    }

    const tokenNames = async () =>
      (await trpcHttp<{ name: string }[]>(base, 'tokens.list', undefined, { token: admin.apiToken })).map(
        (t) => t.name,
      );
    const before = await tokenNames();
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    for (const sha of shas) {
      const download = page.waitForEvent('download');
      void download.catch(() => undefined); // awaited below; unhandled only if the page rendered instead
      // navigating to an attachment starts a download instead of loading a document
      const opened = await page.goto(`${base}/api/blobs/${sha}`).then(
        () => 'rendered',
        (e: Error) => e.message,
      );
      expect(opened).toMatch(/Download is starting|net::ERR_ABORTED/);
      expect((await download).suggestedFilename()).toBe(sha);
      const res = await fetch(`${base}/api/blobs/${sha}`, { headers: { authorization: `Bearer ${admin.apiToken}` } });
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${sha}"; filename*=UTF-8''${sha}`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox; frame-ancestors 'none'",
      });
    }
    await page.goto(`${base}/account`);
    expect(await page.evaluate(() => localStorage.getItem('tb-xss'))).toBeNull();
    expect(await tokenNames()).toEqual(before);
    await context.close();
  });
});
