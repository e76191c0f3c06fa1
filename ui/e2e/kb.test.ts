// The knowledge base as people use it, against the real binary: a space, a
// nested document in Korean and English with a table of contents, two
// editors publishing at once (409 → merge), history with a diff and a
// restore, an image uploaded through the file chooser, a share link opened
// signed out, a document moved by drag and drop, and the trash.

import { deflateSync } from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, newSession, reportFailure, startServer, visible, type Server, type Session } from './harness';

const OWNER = { name: 'Kim Minji', email: 'minji@example.com', password: 'correct horse battery' };
const SPACE = '제품 문서 Product docs';
const PARENT = '시작하기 Getting started';
const CHILD = '설치 안내 Installation';
const CHILD_BODY = [
  '# 설치 안내',
  '',
  'Nexus는 바이너리 하나로 실행돼요. It runs as one binary.',
  '',
  '## 요구 사항 Requirements',
  '',
  '- Linux 또는 macOS',
  '- 디스크 1 GB',
  '',
  '## 실행 Running',
  '',
  '`nexus serve` 를 실행하세요.',
].join('\n');

/** A small valid PNG (a 4×4 image), built by hand so the test needs no fixture file. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(4, 0);
  ihdr.writeUInt32BE(4, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.alloc(4 * (1 + 4 * 3));
  for (let y = 0; y < 4; y++) {
    rows[y * 13] = 0;
    for (let x = 0; x < 4; x++) rows.set([91, 91, 214], y * 13 + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await visible(page.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening), Kim Minji$/ }));
}

/** The CodeMirror editor's content element. */
const editorContent = (page: Page) => page.locator('.cm-content[aria-label="Document text (Markdown)"]');

/** Replaces the editor's text (select all, then insert — newlines and Korean included). */
async function setEditorText(page: Page, text: string, editor: Locator = editorContent(page)) {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function editorText(editor: Locator): Promise<string> {
  return editor.evaluate((el) => Array.from(el.querySelectorAll('.cm-line')).map((l) => l.textContent).join('\n'));
}

async function publish(page: Page, message = '') {
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish a new version' });
  await visible(dialog);
  if (message) await dialog.getByLabel('What changed?').fill(message);
  await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
}

/** Waits until a publish has gone through: the editor gives way to the page. */
async function published(page: Page, title: string) {
  await page.waitForURL((u) => !u.pathname.endsWith('/edit'));
  await visible(page.getByRole('heading', { level: 1, name: title }));
}

async function newDocument(page: Page, title: string) {
  const dialog = page.getByRole('dialog');
  await visible(dialog);
  await dialog.getByLabel('Title', { exact: true }).fill(title);
  await dialog.getByRole('button', { name: 'Create and edit' }).click();
  await visible(editorContent(page));
}

const tree = (page: Page) => page.getByRole('tree', { name: `Documents in ${SPACE}` });
const treeItem = (page: Page, title: string) => tree(page).getByRole('treeitem').filter({ hasText: title });

describe('knowledge base', () => {
  let server: Server;
  let browser: Browser;
  let a: Session;
  let b: Session | undefined;
  let current: Session | undefined;
  let childUrl = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // Wide enough for the table of contents beside the text.
    a = await newSession(browser, server.url, { viewport: { width: 1500, height: 950 } });
  });

  afterAll(async () => {
    await b?.context.close();
    await a?.context.close();
    await browser?.close();
    await server?.stop();
  });

  beforeEach(({ task, onTestFailed }) => {
    current = a;
    onTestFailed(() => reportFailure(task.name, server, current ?? a));
  });

  it('sets up the workspace and creates a space from the sidebar', async () => {
    const { page } = a;
    await page.goto('/');
    await page.getByLabel('Name', { exact: true }).fill(OWNER.name);
    await page.getByLabel('Email', { exact: true }).fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await visible(page.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening), Kim Minji$/ }));

    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Knowledge base' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Knowledge base' }));
    await page.getByRole('button', { name: 'New space' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a space' });
    await dialog.getByLabel('Name', { exact: true }).fill(SPACE);
    await dialog.getByLabel('Description').fill('설치, 설정, 운영 — install, configure, run');
    await dialog.getByRole('radio', { name: '🚀' }).click();
    await dialog.getByRole('button', { name: 'Create space' }).click();
    await visible(page.getByRole('heading', { level: 1, name: SPACE }));
    expect(new URL(page.url()).pathname).toMatch(/^\/kb\/s\/[0-9a-f-]{36}$/);
    // The new space is listed under "Knowledge base" in the sidebar.
    await visible(page.getByRole('list', { name: 'Knowledge base spaces' }).getByRole('link', { name: SPACE }));
  });

  it('writes a nested document in Korean and English, publishes it, and shows it with a table of contents', async () => {
    const { page } = a;
    await page.getByRole('button', { name: 'New document' }).first().click();
    await newDocument(page, PARENT);
    await setEditorText(page, '# 시작하기\n\n처음 오셨나요? Start here.');
    await publish(page, '첫 버전 first version');
    await published(page, PARENT);
    await visible(page.getByText('Published version 2.'));

    // A sub-page from the document's menu.
    await page.getByRole('button', { name: 'More document actions' }).click();
    await page.getByRole('menuitem', { name: 'New sub-page' }).click();
    await newDocument(page, CHILD);
    await setEditorText(page, CHILD_BODY);
    // Autosave: the draft reaches the server while typing pauses.
    await visible(page.getByRole('status').filter({ hasText: 'Draft saved' }));
    await publish(page);
    await published(page, CHILD);
    childUrl = page.url();

    // Rendered by the server, with breadcrumbs and a table of contents beside the text.
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    expect((await crumbs.getByRole('listitem').allTextContents()).map((s) => s.trim())).toEqual([`🚀 ${SPACE}`, PARENT, CHILD]);
    const article = page.locator('.kb-prose');
    await visible(article.getByRole('heading', { level: 2, name: '요구 사항 Requirements' }));
    await visible(article.getByText('Nexus는 바이너리 하나로 실행돼요. It runs as one binary.'));
    await visible(article.locator('code', { hasText: 'nexus serve' }));
    const toc = page.getByRole('navigation', { name: 'On this page' });
    await visible(toc);
    expect(await toc.getByRole('link').allTextContents()).toEqual(['설치 안내', '요구 사항 Requirements', '실행 Running']);
    // Heading anchors: the TOC scrolls to the heading and puts it in the address.
    await toc.getByRole('link', { name: '실행 Running' }).click();
    await page.waitForFunction(() => decodeURIComponent(window.location.hash).includes('실행'));
    // The child is nested under its parent in the tree.
    const child = treeItem(page, CHILD);
    expect(await child.getAttribute('aria-level')).toBe('2');
    expect(await child.getAttribute('aria-current')).toBe('page');
  });

  it('two editors publish at once: the second sees both texts, merges, and publishes against the new version', async () => {
    b = await newSession(browser, server.url, { viewport: { width: 1500, height: 950 } });
    current = b;
    await signIn(b.page);
    await b.page.goto(`${childUrl}/edit`);
    await visible(editorContent(b.page));
    current = a;
    await a.page.goto(`${childUrl}/edit`);
    await visible(editorContent(a.page));

    // A publishes a change to the first paragraph.
    await setEditorText(a.page, CHILD_BODY.replace('It runs as one binary.', 'It runs as one small binary.'));
    await publish(a.page, 'A의 수정');
    await published(a.page, CHILD);

    // B, still on the version it opened, changes the last line and publishes: 409.
    current = b;
    await setEditorText(b.page, CHILD_BODY.replace('`nexus serve` 를 실행하세요.', '`nexus serve --data ./data` 를 실행하세요.'));
    await publish(b.page);
    await visible(b.page.getByRole('heading', { name: 'Merge your changes' }));
    await visible(b.page.getByText(/Someone published version 3 while you were editing/));
    const diff = b.page.getByRole('table', { name: /Differences between Your text and Current version 3/ });
    await visible(diff);
    expect((await diff.locator('del').allTextContents()).join('')).toContain('--data ./data');
    expect((await diff.locator('ins').allTextContents()).join('')).toContain('small');
    // The three-way merge already combined both changes.
    const merged = b.page.locator('.cm-content[aria-label="Merged text (Markdown)"]');
    await visible(merged);
    const text = await editorText(merged);
    expect(text).toContain('It runs as one small binary.');
    expect(text).toContain('`nexus serve --data ./data` 를 실행하세요.');
    // The user edits the merge before publishing it.
    await merged.click();
    await b.page.keyboard.press('ControlOrMeta+End');
    await b.page.keyboard.insertText('\n\n병합됨 merged.');
    await b.page.getByRole('button', { name: 'Publish as version 4' }).click();
    await published(b.page, CHILD);
    await visible(b.page.locator('.kb-prose').getByText('병합됨 merged.'));
    await visible(b.page.locator('.kb-prose').getByText('It runs as one small binary.', { exact: false }));
  });

  it('shows the history with a word-level diff, and restores the first published version', async () => {
    const { page } = a;
    await page.goto(childUrl);
    await page.getByRole('link', { name: 'History' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'History' }));
    const versions = page.getByRole('list', { name: 'Versions' });
    await visible(versions.getByRole('link', { name: 'Version 4' }));
    expect(await versions.getByText('A의 수정').count()).toBe(1);
    await versions.getByRole('link', { name: 'Changes in version 4' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Version 3 → 4' }));
    const table = page.getByRole('table');
    await visible(table);
    expect((await table.locator('ins').allTextContents()).join('')).toContain('--data ./data');
    await page.getByRole('button', { name: 'Inline' }).click();
    await visible(page.locator('.kb-diff--inline'));

    await page.getByRole('link', { name: 'All versions' }).click();
    await page.getByRole('button', { name: 'Restore version 2' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Restore version 2?' });
    await confirm.getByRole('button', { name: 'Restore' }).click();
    await visible(page.getByText('Restored version 2 as version 5.'));
    await visible(page.getByRole('heading', { level: 1, name: CHILD }));
    await visible(page.locator('.kb-prose').getByText('`nexus serve` 를 실행하세요.', { exact: false }).or(page.locator('.kb-prose code', { hasText: 'nexus serve' })));
    expect(await page.locator('.kb-prose').getByText('병합됨 merged.').count()).toBe(0);
  });

  it('uploads an image through the file chooser and shows it in the page', async () => {
    const { page } = a;
    await page.goto(`${childUrl}/edit`);
    await visible(editorContent(page));
    await editorContent(page).click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.insertText('\n\n');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles({ name: '스크린샷 screenshot.png', mimeType: 'image/png', buffer: png() });
    await visible(page.getByText('Attached 스크린샷 screenshot.png.'));
    expect(await editorText(editorContent(page))).toMatch(/!\[스크린샷 screenshot\.png\]\(\/api\/v1\/attachments\/[0-9a-f-]+\/content\)/);
    await publish(page, '그림 추가');
    await published(page, CHILD);
    // The image is fetched with the session's token and shown from a blob: URL.
    const img = page.locator('.kb-prose img').first();
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('.kb-prose img');
      return !!el && el.src.startsWith('blob:') && el.complete && el.naturalWidth === 4;
    });
    expect(await img.getAttribute('alt')).toBe('스크린샷 screenshot.png');
    // And it is listed as an attachment, with a thumbnail.
    const attachments = page.getByRole('heading', { name: '1 attachment' });
    await visible(attachments);
    await visible(page.getByRole('button', { name: 'Download 스크린샷 screenshot.png' }));
  });

  it('creates a share link and opens it signed out', async () => {
    const { page } = a;
    await page.goto(childUrl);
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: `Share “${CHILD}”` });
    await visible(dialog);
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = dialog.getByRole('list', { name: 'Active links' }).getByLabel('Link', { exact: true });
    await visible(link);
    const url = await link.inputValue();
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{20,}$/);
    await dialog.getByRole('button', { name: 'Close' }).click();

    const anon = await newSession(browser, server.url);
    current = anon;
    try {
      const res = await anon.page.goto(url);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['x-robots-tag']).toMatch(/noindex/);
      await visible(anon.page.getByRole('heading', { level: 1, name: CHILD }));
      await visible(anon.page.getByText('Nexus는 바이너리 하나로 실행돼요.', { exact: false }));
      // No app chrome: no sign-in form, no sidebar.
      expect(await anon.page.getByRole('navigation', { name: 'Main navigation' }).count()).toBe(0);
      // The image is served through the share's own route.
      await anon.page.waitForFunction(() => {
        const el = document.querySelector<HTMLImageElement>('.content img');
        return !!el && el.complete && el.naturalWidth === 4;
      });
    } finally {
      await anon.context.close();
    }
  });

  it('moves a document in the tree by dragging it', async () => {
    const { page } = a;
    await page.goto(childUrl);
    await visible(tree(page));
    // A second top-level document to move.
    await page.getByRole('button', { name: 'New document' }).first().click();
    await newDocument(page, '자주 묻는 질문 FAQ');
    await setEditorText(page, 'Q&A');
    await publish(page);
    await published(page, '자주 묻는 질문 FAQ');
    const faq = treeItem(page, '자주 묻는 질문 FAQ');
    expect(await faq.getAttribute('aria-level')).toBe('1');
    // Drop it onto the middle of "Getting started": it becomes its child.
    await faq.dragTo(treeItem(page, PARENT), { targetPosition: { x: 60, y: 16 } });
    await visible(page.getByText('Moved “자주 묻는 질문 FAQ”.'));
    await page.waitForFunction(
      (title) =>
        Array.from(document.querySelectorAll('[role="treeitem"]')).some((el) => el.textContent?.includes(title) && el.getAttribute('aria-level') === '2'),
      '자주 묻는 질문 FAQ',
    );
    // The order survives a reload (the server has it).
    await page.reload();
    await visible(tree(page));
    await page.waitForFunction(
      (title) =>
        Array.from(document.querySelectorAll('[role="treeitem"]')).some((el) => el.textContent?.includes(title) && el.getAttribute('aria-level') === '2'),
      '자주 묻는 질문 FAQ',
    );
  });

  it('moves a document to the trash and restores it', async () => {
    const { page } = a;
    await page.goto(childUrl);
    await page.getByRole('button', { name: 'More document actions' }).click();
    await page.getByRole('menuitem', { name: 'Move to trash' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Move “${CHILD}” to the trash?` });
    await confirm.getByRole('button', { name: 'Move to trash' }).click();
    await visible(page.getByText(`Moved “${CHILD}” to the trash.`));
    // Back on its parent; gone from the tree.
    await visible(page.getByRole('heading', { level: 1, name: PARENT }));
    await page.waitForFunction((title) => !Array.from(document.querySelectorAll('[role="treeitem"]')).some((el) => el.textContent?.includes(title)), CHILD);

    await page.getByRole('link', { name: 'Trash' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Trash' }));
    await page.getByRole('button', { name: `Restore ${CHILD}` }).click();
    await visible(page.getByText(`Restored “${CHILD}”.`));
    await visible(treeItem(page, CHILD));
    await treeItem(page, CHILD).getByRole('link').click();
    await visible(page.getByRole('heading', { level: 1, name: CHILD }));
    expect(a.problems).toEqual([]);
  });
});
