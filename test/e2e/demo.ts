import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@gatehouse/test-kit';
import type { Page } from 'playwright-core';

export interface RunningDemo {
  bffOrigin: string;
  issuer: string;
  apiUrl: string;
  /** Example Social, the demo's upstream sign-in provider. */
  upstreamUrl: string;
  email: string;
  password: string;
  output: string[];
  stop(): Promise<void>;
}

const cli = join(import.meta.dirname, '../../packages/cli/dist/main.js');

/** `gatehouse dev` as a user runs it (the built CLI, a child process) on free ports and a fresh state folder. */
export async function startDemo(extraFlags: string[] = []): Promise<RunningDemo> {
  const [asPort, apiPort, bffPort, upstreamPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      'dev',
      '--as-port',
      `${asPort}`,
      '--api-port',
      `${apiPort}`,
      '--bff-port',
      `${bffPort}`,
      '--upstream-port',
      `${upstreamPort}`,
      '--state-dir',
      stateDir,
      ...extraFlags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gatehouse dev not ready in 15 s:\n${output.join('')}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join('');
      if (text.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse dev exited with ${code}:\n${output.join('')}`));
    });
  });
  const text = await ready;
  const account = /demo account\s+(\S+) \/ (\S+)/.exec(text);
  if (!account) throw new Error(`no demo account in:\n${text}`);
  return {
    bffOrigin: `http://localhost:${bffPort}`,
    issuer: `http://localhost:${asPort}`,
    apiUrl: `http://localhost:${apiPort}`,
    upstreamUrl: `http://localhost:${upstreamPort}`,
    email: account[1] as string,
    password: account[2] as string,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Saves a numbered screenshot of each page a journey visits under `test/e2e/.output/<journey>/`. */
export function screenshots(journey: string) {
  const folder = join(import.meta.dirname, '.output', journey);
  mkdirSync(folder, { recursive: true });
  let count = 0;
  return async (page: Page, name: string) => {
    count += 1;
    await page.screenshot({ path: join(folder, `${String(count).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
}

/**
 * Signs in on the provider's login page; then allows or denies on its consent page when one is shown
 * (consent is remembered per user, so a second sign-in may go straight back to the app).
 */
export async function signInAtProvider(page: Page, demo: RunningDemo, consent: 'allow' | 'deny' | 'none' = 'allow') {
  await page.waitForURL((url) => url.origin === demo.issuer);
  await page.fill('#email', demo.email);
  await page.fill('#password', demo.password);
  await page.click('button[type="submit"]');
  if (consent === 'none') return;
  await answerConsent(page, demo, consent);
}

/** Answers the consent page if the provider shows one; returns whether it did. */
export async function answerConsent(page: Page, demo: RunningDemo, consent: 'allow' | 'deny'): Promise<boolean> {
  const asked = await Promise.race([
    page.waitForSelector('button[value="allow"]').then(() => true),
    page.waitForURL((url) => url.origin !== demo.issuer).then(() => false),
  ]);
  if (asked) await page.click(`button[value="${consent}"]`);
  return asked;
}

/** Registers a new account on the provider's registration page (reached from its login page). */
export async function registerAtProvider(
  page: Page,
  demo: RunningDemo,
  account: { name: string; email: string; password: string },
) {
  await page.waitForURL((url) => url.origin === demo.issuer);
  await page.click('a[href*="/register"]');
  await page.fill('#name', account.name);
  await page.fill('#email', account.email);
  await page.fill('#password', account.password);
  await page.click('button[type="submit"]');
  // Registration ends on the login page (the same for a new and a taken address): sign in there.
  await page.waitForSelector('#password');
  await page.fill('#email', account.email);
  await page.fill('#password', account.password);
  await page.click('button[type="submit"]');
}
