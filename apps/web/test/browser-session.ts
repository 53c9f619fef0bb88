import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freshDatabase, health, npmStart, REPO, spawnCli, trpcHttp, waitFor } from '@trueboard/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/*
 * What a real-browser test needs: `npm start` on the test run's PostgreSQL, a runner process it
 * starts and stops, Debian's chromium driven by playwright-core, and browser contexts that report
 * every Content-Security-Policy violation (a test must see none). Screenshots go to
 * test-artifacts/screenshots.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(REPO, 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * Browser contexts whose pages report each CSP violation (the DOM event and Chrome's console line)
 * into `violations`; a test checks it is empty after each case.
 */
export function cspWatched(browser: () => Browser) {
  const violations: string[] = [];
  async function newContext(): Promise<BrowserContext> {
    const context = await browser().newContext();
    await context.exposeBinding('__tbCspViolation', ({ page }, what: string) => {
      violations.push(`${page.url()}: ${what}`);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const report = (window as unknown as { __tbCspViolation: (what: string) => void }).__tbCspViolation;
        void report(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    context.on('console', (m) => {
      if (/Refused to|Content Security Policy/i.test(m.text())) violations.push(`${m.page()?.url()}: ${m.text()}`);
    });
    return context;
  }
  return { violations, newContext };
}

export interface Platform {
  base: string;
  admin: { email: string; password: string; apiToken: string };
  /** a runner token's secret, for `trueboard runner` */
  runnerSecret: string;
  output(): string;
  stop(): Promise<void>;
}

/** `npm start` with `args` (e.g. `--runners 0 --no-import`) on a fresh database, once healthy; with a runner token. */
export async function startPlatform(args: string[], env: Record<string, string> = {}): Promise<Platform> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-browser-'));
  const app = npmStart(port, dataDir, args, { DATABASE_URL: await freshDatabase(), ...env });
  await waitFor(
    () => `health:\n${app.output()}`,
    () => (app.hasExited() ? Promise.reject(new Error(app.output())) : health(port)),
    400_000,
  );
  const admin = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as Platform['admin'];
  const token = { token: admin.apiToken, mutation: true };
  const { secret } = await trpcHttp<{ secret: string }>(base, 'runnerTokens.create', { name: 'browser test' }, token);
  return {
    base,
    admin,
    runnerSecret: secret,
    output: app.output,
    async stop() {
      if (app.hasExited()) return;
      process.kill(-(app.child.pid ?? 0), 'SIGTERM');
      await app.exited;
    },
  };
}

/** A `trueboard runner` process for `families`, started and stopped by the test. */
export function runnerProcess(p: Pick<Platform, 'base' | 'runnerSecret'>, families: string[]) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tb-browser-cache-'));
  let child: ReturnType<typeof spawnCli> | null = null;
  return {
    start() {
      child = spawnCli([
        'runner',
        '--server',
        p.base,
        '--token',
        p.runnerSecret,
        '--families',
        families.join(','),
        '--cache-dir',
        cacheDir,
      ]);
    },
    output: () => child?.output() ?? '',
    async stop() {
      if (!child) return;
      const c = child;
      child = null;
      const gone = new Promise((resolve) => c.on('exit', resolve));
      c.kill('SIGTERM');
      await gone;
    },
  };
}

/** Signs a new user up in `page` and creates their team on the account page. */
export async function signUpWithTeam(page: Page, base: string, who: { email: string; name: string; team: string }) {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Password').fill('a long enough passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/account$/);
  await page.getByLabel('Team id (lowercase, dashes)').fill(who.team);
  await page.getByLabel('Team name').fill(who.team);
  await page.getByRole('button', { name: 'Create team' }).click();
  await page.getByText(who.team).first().waitFor();
}
