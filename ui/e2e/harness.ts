// Shared helpers for the browser end-to-end tests: start the real nexus
// binary on a fresh data directory and a free port, and drive Debian's
// chromium through playwright-core (no browser is ever downloaded).
//
// Environment:
//   NEXUS_BIN      path to the built binary (default: ../../bin/nexus from this folder)
//   CHROMIUM_PATH  chromium executable (default: /usr/bin/chromium)
//   E2E_ARTIFACTS  folder for failure screenshots (default: a temp dir)

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const NEXUS_BIN = process.env.NEXUS_BIN || path.resolve(here, '../../bin/nexus');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface Server {
  url: string;
  dataDir: string;
  /** Everything the server printed so far (stdout and stderr). */
  logs(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `nexus serve` on a fresh temp data dir and a free port, and waits until /readyz answers 200. */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  if (!existsSync(NEXUS_BIN)) {
    throw new Error(`nexus binary not found at ${NEXUS_BIN}: build it first (make build) or set NEXUS_BIN`);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nexus-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  // Only Nexus settings go to the server as NEXUS_* (it warns about unknown ones).
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NEXUS_BIN;
  const child = spawn(
    NEXUS_BIN,
    ['serve', '--data', path.join(dataDir, 'data'), '--addr', `127.0.0.1:${port}`, '--log-format', 'text'],
    { cwd: dataDir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  let exited = false;
  child.once('exit', (code, signal) => {
    exited = true;
    output.push(`\n[nexus exited: code=${code} signal=${signal}]\n`);
  });

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`nexus exited before it was ready:\n${output.join('')}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nexus was not ready within 30 s:\n${output.join('')}`);
    }
    await sleep(100);
  }
  // The binary embeds ui/dist at build time: make sure it serves the UI these
  // tests were written against, not an older build.
  const distIndex = path.resolve(here, '../dist/index.html');
  if (existsSync(distIndex)) {
    const served = await (await fetch(`${url}/`)).text();
    if (served !== readFileSync(distIndex, 'utf8')) {
      await stop();
      throw new Error(
        `${NEXUS_BIN} serves a different index.html than ui/dist: it was built before the last UI build. ` +
          'Rebuild the binary (make build) after building the UI (npm run build).',
      );
    }
  }
  return { url, dataDir, logs: () => output.join(''), stop };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
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

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and Content-Security-Policy violations seen so far. */
  problems: string[];
  /** Everything the browser console printed (for failure reports). */
  console: string[];
}

/** A fresh browser profile (cookies, storage) with one page, watching for script errors and CSP violations. */
export async function newSession(
  browser: Browser,
  baseURL: string,
  opts: { viewport?: { width: number; height: number }; locale?: string; isMobile?: boolean } = {},
): Promise<Session> {
  const context = await browser.newContext({
    baseURL,
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    isMobile: opts.isMobile,
    hasTouch: opts.isMobile,
  });
  const problems: string[] = [];
  const consoleLines: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      consoleLines.push(`[${msg.type()}] ${msg.text()}`);
      if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`blocked: ${msg.text()}`);
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, problems, console: consoleLines };
}

/** Waits until the locator is visible and returns it. */
export async function visible(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

/** Saves a screenshot for a failed test and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string | null> {
  try {
    const dir = process.env.E2E_ARTIFACTS || path.join(os.tmpdir(), 'nexus-e2e-artifacts');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return null;
  }
}

/** Prints the server log, browser console and a screenshot path; used from onTestFailed. */
export async function reportFailure(name: string, server: Server | undefined, session: Session | undefined) {
  const parts: string[] = [`\n===== e2e failure: ${name} =====`];
  if (session) {
    const shot = await screenshot(session.page, name);
    if (shot) parts.push(`screenshot: ${shot}`, `url: ${session.page.url()}`);
    parts.push('--- browser console ---', session.console.join('\n') || '(empty)');
  }
  if (server) parts.push('--- nexus output ---', server.logs() || '(empty)');
  console.error(parts.join('\n'));
}

// ---- Servers that restart, and accounts made with the CLI (chat tests) ----

export interface SeedUser {
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'member' | 'guest';
  password: string;
}

export interface RestartableServer extends Server {
  /** Stops the process with SIGTERM (as an operator's restart does), keeping the data directory and port. */
  halt(): Promise<void>;
  /** Starts the same binary again on the same data directory and port, and waits until /readyz answers. */
  resume(): Promise<void>;
}

function childEnvFor(env: Record<string, string>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NEXUS_BIN;
  return childEnv;
}

/** Runs `nexus user create … --password-stdin` on a data directory, as an operator would before the first start. */
async function createUserWithCli(dataDir: string, user: SeedUser, env: Record<string, string>): Promise<void> {
  const out: string[] = [];
  const child = spawn(
    NEXUS_BIN,
    ['user', 'create', '--data', path.join(dataDir, 'data'), '--email', user.email, '--name', user.name, '--role', user.role, '--password-stdin'],
    { cwd: dataDir, env: childEnvFor(env), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => out.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => out.push(b.toString()));
  child.stdin?.end(`${user.password}\n`);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`nexus user create ${user.email} failed (exit ${code}):\n${out.join('')}`);
}

/**
 * Like startServer, plus: accounts created with the CLI before the first
 * start (so no setup page), and halt()/resume() to restart the same binary on
 * the same data directory and port while browsers stay connected.
 */
export async function startRestartableServer(opts: { env?: Record<string, string>; users?: SeedUser[] } = {}): Promise<RestartableServer> {
  if (!existsSync(NEXUS_BIN)) {
    throw new Error(`nexus binary not found at ${NEXUS_BIN}: build it first (make build) or set NEXUS_BIN`);
  }
  const env = opts.env ?? {};
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nexus-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let exited = true;

  for (const u of opts.users ?? []) await createUserWithCli(dataDir, u, env);

  const halt = async () => {
    const c = child;
    if (!c || exited) return;
    c.kill('SIGTERM');
    if (!(await waitForExit(c, 15_000))) {
      c.kill('SIGKILL');
      await waitForExit(c, 5_000);
    }
  };

  const launch = async () => {
    const c = spawn(
      NEXUS_BIN,
      ['serve', '--data', path.join(dataDir, 'data'), '--addr', `127.0.0.1:${port}`, '--log-format', 'text'],
      { cwd: dataDir, env: childEnvFor(env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    exited = false;
    c.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
    c.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
    c.once('exit', (code, signal) => {
      if (child === c) exited = true;
      output.push(`\n[nexus exited: code=${code} signal=${signal}]\n`);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (exited) throw new Error(`nexus exited before it was ready:\n${output.join('')}`);
      try {
        const res = await fetch(`${url}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`nexus was not ready within 30 s:\n${output.join('')}`);
      await sleep(100);
    }
  };

  const stop = async () => {
    await halt();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await launch();
    const distIndex = path.resolve(here, '../dist/index.html');
    if (existsSync(distIndex)) {
      const served = await (await fetch(`${url}/`)).text();
      if (served !== readFileSync(distIndex, 'utf8')) {
        throw new Error(
          `${NEXUS_BIN} serves a different index.html than ui/dist: it was built before the last UI build. ` +
            'Rebuild the binary (make build) after building the UI (npm run build).',
        );
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    dataDir,
    logs: () => output.join(''),
    stop,
    halt,
    resume: async () => {
      output.push('\n[restarting nexus]\n');
      await launch();
    },
  };
}
