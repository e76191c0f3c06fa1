import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { navigate } from '../router';
import { minji, signedInServer } from '../test/fakeServer';
import { kbServer } from '../test/kbServer';
import { renderApp } from '../test/renderApp';
import type { DiffLine } from './api';
import { DiffView } from './DiffView';
import { expiryFor } from './dialogs/ShareDialog';

// CodeMirror needs a real layout engine; in jsdom a textarea with the same
// props and handle stands in for it (the e2e tests drive the real editor).
vi.mock('./editor/MarkdownEditor', () => import('./test/TextareaEditor'));

// The pages are lazy chunks; load them once up front so no test waits for the first import.
beforeAll(async () => {
  await import('./KbPage');
  await import('./KbAdminSection');
});

function setup(path: string, build?: (kb: ReturnType<typeof kbServer>) => void) {
  const kb = kbServer();
  build?.(kb);
  const server = signedInServer(minji, kb.routes);
  window.history.replaceState(null, '', path);
  const utils = renderApp(server);
  return { kb, server, ...utils };
}

function seedTree(kb: ReturnType<typeof kbServer>) {
  kb.addDoc({ id: 'guide', title: 'Guide', rank: 'a0', body: '# Guide\n\nStart here.' });
  kb.addDoc({ id: 'install', title: '설치 Install', parent_id: 'guide', rank: 'a0' });
  kb.addDoc({ id: 'faq', title: 'FAQ', rank: 'a1' });
}

const rowTitles = (tree: HTMLElement) => within(tree).getAllByRole('treeitem').map((r) => r.querySelector('.kb-tree__title')?.textContent);

describe('space tree', () => {
  it('lists the space in the sidebar and shows its tree, ordered, with expand and collapse', async () => {
    setup('/kb/s/space-1', seedTree);
    const nav = await screen.findByRole('list', { name: 'Knowledge base spaces' });
    expect(within(nav).getByRole('link', { name: /엔지니어링 Engineering/ })).toBeTruthy();
    const tree = await screen.findByRole('tree', { name: 'Documents in 엔지니어링 Engineering' });
    expect(rowTitles(tree)).toEqual(['Guide', 'FAQ']);
    const guide = within(tree).getAllByRole('treeitem')[0]!;
    expect(guide.getAttribute('aria-expanded')).toBe('false');
    expect(guide.getAttribute('tabindex')).toBe('0');
    guide.focus();
    fireEvent.keyDown(guide, { key: 'ArrowRight' });
    await waitFor(() => expect(rowTitles(tree)).toEqual(['Guide', '설치 Install', 'FAQ']));
    expect(guide.getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(guide, { key: 'ArrowRight' });
    await waitFor(() => expect(document.activeElement?.textContent).toContain('설치 Install'));
    expect(document.activeElement?.getAttribute('aria-level')).toBe('2');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    await waitFor(() => expect(document.activeElement).toBe(guide));
    fireEvent.keyDown(guide, { key: 'ArrowLeft' });
    await waitFor(() => expect(rowTitles(tree)).toEqual(['Guide', 'FAQ']));
  });

  it('reorders with Alt+Shift+arrows and asks the server for the placement', async () => {
    const { kb } = setup('/kb/s/space-1', seedTree);
    const tree = await screen.findByRole('tree');
    const faq = within(tree).getAllByRole('treeitem')[1]!;
    faq.focus();
    fireEvent.keyDown(faq, { key: 'ArrowUp', altKey: true, shiftKey: true });
    await waitFor(() => expect(kb.state.moves).toEqual([{ id: 'faq', body: { parent_id: null, before_id: 'guide' } }]));
    await waitFor(() => expect(rowTitles(tree)).toEqual(['FAQ', 'Guide']));
    expect(await screen.findByText('Moved “FAQ”.')).toBeTruthy();
    // Nest it under the document above it (Guide is now below; move FAQ under Guide from below).
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', altKey: true, shiftKey: true });
    await waitFor(() => expect(kb.state.moves[1]?.body).toEqual({ parent_id: null, after_id: 'guide' }));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight', altKey: true, shiftKey: true });
    await waitFor(() => expect(kb.state.moves[2]?.body).toEqual({ parent_id: 'guide', after_id: 'install' }));
  });

  it('moves with the keyboard through the Move… dialog (from Shift+F10)', async () => {
    const { kb } = setup('/kb/s/space-1', seedTree);
    const user = userEvent.setup();
    const tree = await screen.findByRole('tree');
    const faq = within(tree).getAllByRole('treeitem')[1]!;
    faq.focus();
    fireEvent.keyDown(faq, { key: 'F10', shiftKey: true });
    const menu = await screen.findByRole('menu', { name: 'Actions for FAQ' });
    expect(within(menu).getAllByRole('menuitem').map((m) => m.textContent)).toEqual([
      'Open',
      'New sub-page',
      'Move…',
      'Share',
      'Export as Markdown',
      'Export as HTML',
      'Import…',
      'Move to trash',
    ]);
    await user.click(within(menu).getByRole('menuitem', { name: 'Move…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Move “FAQ”' });
    const submit = within(dialog).getByRole('button', { name: 'Move' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true); // nothing changed yet
    await user.selectOptions(within(dialog).getByLabelText('Put it under'), 'guide');
    await user.selectOptions(within(dialog).getByLabelText('Position'), 'start');
    await user.click(submit);
    await waitFor(() => expect(kb.state.moves).toEqual([{ id: 'faq', body: { parent_id: 'guide', before_id: 'install' } }]));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('creates a document from the space and opens the editor', async () => {
    const { kb } = setup('/kb/s/space-1', seedTree);
    const user = userEvent.setup();
    await user.click((await screen.findAllByRole('button', { name: 'New document' }))[0]!);
    const dialog = await screen.findByRole('dialog', { name: 'New document' });
    await user.click(within(dialog).getByRole('button', { name: 'Create and edit' }));
    expect(within(dialog).getByText('Give the document a title, or pick a template.')).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Title'), '회의록 Meeting notes');
    await user.click(within(dialog).getByRole('button', { name: 'Create and edit' }));
    await waitFor(() => expect(window.location.pathname).toMatch(/^\/kb\/doc\/doc-\d+\/edit$/));
    expect(kb.state.docs.at(-1)).toMatchObject({ title: '회의록 Meeting notes', parent_id: null, status: 'draft' });
    expect(await screen.findByLabelText('Document text (Markdown)')).toBeTruthy();
  });
});

describe('document page', () => {
  it('shows breadcrumbs, the rendered text with a table of contents, and backlinks', async () => {
    setup('/kb/doc/install', (kb) => {
      seedTree(kb);
      const d = kb.state.docs.find((x) => x.id === 'install')!;
      d.body = '# 설치\n\n본문 text.\n\n## 요구 사항\n\nGo 1.24';
    });
    expect(await screen.findByRole('heading', { level: 1, name: '설치 Install' })).toBeTruthy();
    const crumbs = screen.getByRole('navigation', { name: 'Breadcrumb' });
    expect(within(crumbs).getAllByRole('listitem').map((l) => l.textContent)).toEqual(['🛠️ 엔지니어링 Engineering', 'Guide', '설치 Install']);
    const toc = screen.getByRole('navigation', { name: 'On this page' });
    expect(within(toc).getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual([`#${encodeURIComponent('설치')}`, `#${encodeURIComponent('요구-사항')}`]);
    expect(document.getElementById('요구-사항')?.textContent).toBe('요구 사항');
    expect(screen.getByRole('heading', { name: 'Referenced by' })).toBeTruthy();
    // The current page is highlighted in the tree.
    const tree = screen.getByRole('tree');
    expect(within(tree).getByRole('treeitem', { selected: true }).textContent).toContain('설치 Install');
  });
});

describe('editor', () => {
  it('autosaves the draft once typing pauses, and restores it when reopened', async () => {
    const { kb, unmount } = setup('/kb/doc/faq/edit', seedTree);
    const user = userEvent.setup();
    const body = await screen.findByLabelText('Document text (Markdown)');
    await user.type(body, '자주 묻는 질문');
    expect(kb.state.draftPuts).toEqual([]);
    await waitFor(() => expect(kb.state.draftPuts).toHaveLength(1), { timeout: 3000 });
    expect(kb.state.draftPuts[0]).toEqual({ id: 'faq', body: { title: 'FAQ', body: '자주 묻는 질문', base_version: 1 } });
    expect(await screen.findByText('Draft saved')).toBeTruthy();
    unmount();

    // Reopening brings the draft back.
    window.history.replaceState(null, '', '/kb/doc/faq/edit');
    renderApp(signedInServer(minji, kb.routes));
    const again = (await screen.findByLabelText('Document text (Markdown)')) as HTMLTextAreaElement;
    expect(again.value).toBe('자주 묻는 질문');
    expect(screen.getByText(/Your unpublished draft from .* was restored\./)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Discard draft' }));
    await waitFor(() => expect(again.value).toBe(''));
    expect(kb.state.drafts.has('faq')).toBe(false);
  });

  it('formats with the toolbar, and publishes with a message', async () => {
    const { kb } = setup('/kb/doc/faq/edit', seedTree);
    const user = userEvent.setup();
    const body = (await screen.findByLabelText('Document text (Markdown)')) as HTMLTextAreaElement;
    const toolbar = screen.getByRole('toolbar', { name: 'Formatting' });
    await user.click(body);
    await user.click(within(toolbar).getByRole('button', { name: /^Task list/ }));
    expect(body.value).toBe('- [ ] ');
    await user.type(body, '배포 확인');
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    const dialog = await screen.findByRole('dialog', { name: 'Publish a new version' });
    await user.type(within(dialog).getByLabelText('What changed?'), '체크리스트 추가');
    await user.click(within(dialog).getByRole('button', { name: 'Publish' }));
    await waitFor(() => expect(window.location.pathname).toBe('/kb/doc/faq'));
    expect(kb.state.docs.find((d) => d.id === 'faq')).toMatchObject({ body: '- [ ] 배포 확인', version: 2 });
    expect(kb.state.versions.get('faq')?.at(-1)?.message).toBe('체크리스트 추가');
    expect(await screen.findByText('Published version 2.')).toBeTruthy();
  });

  it('on a 409 shows both texts with the differences and publishes the merge against the new version', async () => {
    const { kb } = setup('/kb/doc/guide/edit', seedTree);
    const user = userEvent.setup();
    const body = (await screen.findByLabelText('Document text (Markdown)')) as HTMLTextAreaElement;
    await user.clear(body);
    await user.type(body, '# Guide\n\nStart here, 천천히.');
    // Meanwhile someone else publishes version 2.
    kb.publishAsOther('guide', { body: '# Guide\n\nStart here.\n\n새 단락 from Jiho.' });
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Publish' }));

    expect(await screen.findByRole('heading', { name: 'Merge your changes' })).toBeTruthy();
    expect(screen.getByText(/Someone published version 2 while you were editing/)).toBeTruthy();
    // Side by side: your text on the left, the current version on the right, changed words marked.
    const table = screen.getByRole('table', { name: 'Differences between Your text and Current version 2' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Your text', 'Current version 2']);
    expect(Array.from(table.querySelectorAll('del')).map((d) => d.textContent)).toContain(', 천천히');
    expect(Array.from(table.querySelectorAll('ins')).map((d) => d.textContent).join('')).toBe('');
    expect(within(table).getByText(/새 단락 from Jiho\./)).toBeTruthy();
    // The merged text starts as a three-way merge of both changes (the base, version 1, was fetched).
    const merged = screen.getByLabelText('Merged text (Markdown)') as HTMLTextAreaElement;
    expect(merged.value).toBe('# Guide\n\nStart here, 천천히.\n\n새 단락 from Jiho.');
    await user.type(merged, ' (merged)');
    await user.click(screen.getByRole('button', { name: 'Publish as version 3' }));
    await waitFor(() => expect(window.location.pathname).toBe('/kb/doc/guide'));
    expect(kb.state.docs.find((d) => d.id === 'guide')).toMatchObject({ version: 3, body: '# Guide\n\nStart here, 천천히.\n\n새 단락 from Jiho. (merged)' });
    expect(kb.state.versions.get('guide')?.at(-1)?.message).toBe('Merged concurrent edits');
  });

  it('refuses to publish a merge that still has conflict markers', async () => {
    const { kb } = setup('/kb/doc/guide/edit', seedTree);
    const user = userEvent.setup();
    const body = (await screen.findByLabelText('Document text (Markdown)')) as HTMLTextAreaElement;
    await user.clear(body);
    await user.type(body, '# Guide\n\n내 버전.');
    kb.publishAsOther('guide', { body: '# Guide\n\nTheir version.' });
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Publish' }));
    const merged = (await screen.findByLabelText('Merged text (Markdown)')) as HTMLTextAreaElement;
    expect(merged.value).toContain('<<<<<<< your text\n내 버전.\n=======\nTheir version.\n>>>>>>> version 2');
    await user.click(screen.getByRole('button', { name: 'Publish as version 3' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/still has conflict markers/);
    expect(kb.state.docs.find((d) => d.id === 'guide')?.version).toBe(2);
    await user.click(screen.getByRole('button', { name: 'Start from the current version' }));
    await user.click(screen.getByRole('button', { name: 'Publish as version 3' }));
    await waitFor(() => expect(window.location.pathname).toBe('/kb/doc/guide'));
    expect(kb.state.docs.find((d) => d.id === 'guide')).toMatchObject({ version: 3, body: '# Guide\n\nTheir version.' });
  });
});

describe('history', () => {
  it('lists versions, shows a diff between two, and restores one as a new version', async () => {
    const { kb } = setup('/kb/doc/guide/history', (kb) => {
      seedTree(kb);
      kb.publishAsOther('guide', { body: '# Guide\n\nStart there.' });
    });
    const user = userEvent.setup();
    const list = await screen.findByRole('list', { name: 'Versions' });
    expect(within(list).getAllByRole('listitem').map((li) => li.querySelector('.kb-version__title')?.textContent)).toEqual(['Version 2Current', 'Version 1']);
    await user.click(within(list).getByRole('link', { name: 'Changes in version 2' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Version 1 → 2' })).toBeTruthy();
    const table = await screen.findByRole('table');
    expect(within(table).getByText('here', { selector: 'del' })).toBeTruthy();
    expect(within(table).getByText('there', { selector: 'ins' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Inline' }));
    expect(screen.getByRole('table').closest('.kb-diff--inline')).toBeTruthy();
    await user.click(screen.getByRole('link', { name: 'All versions' }));
    await user.click(await screen.findByRole('button', { name: 'Restore version 1' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Restore version 1?' });
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(window.location.pathname).toBe('/kb/doc/guide'));
    expect(kb.state.docs.find((d) => d.id === 'guide')).toMatchObject({ version: 3, body: '# Guide\n\nStart here.' });
  });
});

describe('share dialog', () => {
  it('creates a link with children and an expiry, shows it with its views, and revokes it', async () => {
    const { kb } = setup('/kb/doc/guide', seedTree);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Share' }));
    const dialog = await screen.findByRole('dialog', { name: 'Share “Guide”' });
    expect(within(dialog).getByText('No links yet.')).toBeTruthy();
    await user.click(within(dialog).getByRole('checkbox', { name: 'Include sub-pages' }));
    await user.selectOptions(within(dialog).getByLabelText('Expires'), '7');
    await user.click(within(dialog).getByRole('button', { name: 'Create link' }));
    const links = await within(dialog).findByRole('list', { name: 'Active links' });
    const input = within(links).getByLabelText('Link') as HTMLInputElement;
    expect(input.value).toMatch(/^http:\/\/localhost\/s\/tok\d+abcdefghijklmnopqrstuvwxyz$/);
    expect(within(links).getByText('Copy it now: for safety, the full link is shown only once.')).toBeTruthy();
    expect(within(links).getByText('0 views')).toBeTruthy();
    expect(within(links).getByText('With sub-pages')).toBeTruthy();
    const share = kb.state.shares[0]!;
    expect(share.include_children).toBe(true);
    const days = (Date.parse(share.expires_at!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    await user.click(within(links).getByRole('button', { name: 'Revoke' }));
    await user.click(within(links).getByRole('button', { name: 'Revoke link' }));
    await waitFor(() => expect(within(dialog).getByText('No links yet.')).toBeTruthy());
    expect(kb.state.shares[0]?.revoked_at).not.toBeNull();
  });

  it('says when an administrator has turned public sharing off', async () => {
    setup('/kb/doc/guide', (kb) => {
      seedTree(kb);
      kb.state.settings.public_sharing = false;
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Share' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText(/Public sharing is turned off/)).toBeTruthy();
    expect(within(dialog).getByRole('link', { name: 'Change this in Administration.' }).getAttribute('href')).toBe('/admin/kb');
    expect((within(dialog).getByRole('button', { name: 'Create link' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('computes expiry dates', () => {
    const now = new Date('2025-03-14T09:00:00Z');
    expect(expiryFor('never', '', now)).toBeNull();
    expect(expiryFor('1', '', now)).toBe('2025-03-15T09:00:00.000Z');
    expect(expiryFor('custom', 'nonsense', now)).toBeNull();
    expect(new Date(expiryFor('custom', '2025-04-01', now)!).getDate()).toBe(1);
  });
});

describe('trash', () => {
  it('restores a deleted document', async () => {
    const { kb } = setup('/kb/s/space-1/trash', (kb) => {
      seedTree(kb);
      kb.state.docs.find((d) => d.id === 'faq')!.deleted_at = '2025-03-14T09:00:00Z';
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Restore FAQ' }));
    await waitFor(() => expect(kb.state.docs.find((d) => d.id === 'faq')?.deleted_at).toBeNull());
    expect(await screen.findByText('The trash is empty.')).toBeTruthy();
    const tree = await screen.findByRole('tree');
    await waitFor(() => expect(rowTitles(tree)).toContain('FAQ'));
  });
});

describe('space settings', () => {
  it('adds a person with a role and removes a member', async () => {
    const { kb, server } = setup('/kb/s/space-1/settings', seedTree);
    const user = userEvent.setup();
    expect(await screen.findByRole('heading', { level: 1, name: '엔지니어링 Engineering settings' })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Role for new members'), 'viewer');
    await user.type(screen.getByPlaceholderText('Add people or teams'), '이지');
    await user.click(await screen.findByRole('button', { name: /이지호.*Add as Viewer/ }));
    await waitFor(() => expect(kb.state.members.map((m) => [m.id, m.role])).toContainEqual(['u-2', 'viewer']));
    const list = await screen.findByRole('list', { name: 'Members and roles' });
    await user.click(within(list).getByRole('button', { name: 'Remove Kim Minji' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'DELETE' && c.path === `/api/v1/spaces/space-1/members/${minji.id}`)).toBe(true));
  });
});

describe('admin: knowledge base', () => {
  it('turns public sharing off after confirmation', async () => {
    const { kb } = setup('/admin/kb');
    const user = userEvent.setup();
    const toggle = (await screen.findByRole('switch', { name: 'Allow public share links' })) as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    await user.click(toggle);
    const dialog = await screen.findByRole('alertdialog', { name: 'Turn off public sharing?' });
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(kb.state.settings.public_sharing).toBe(false));
    expect(await screen.findByText('Share links don’t work while public sharing is off.')).toBeTruthy();
  });
});

describe('DiffView', () => {
  const lines: DiffLine[] = [
    { op: 'equal', text: '# 회의록' },
    { op: 'delete', text: '배포는 금요일', words: [{ op: 'equal', text: '배포는 ' }, { op: 'delete', text: '금요일' }] },
    { op: 'insert', text: '배포는 목요일', words: [{ op: 'equal', text: '배포는 ' }, { op: 'insert', text: '목요일' }] },
    { op: 'insert', text: 'New line' },
  ];

  it('renders side by side with word highlights and line numbers', () => {
    render(<DiffView lines={lines} mode="split" leftLabel="Version 1" rightLabel="Version 2" />);
    const table = screen.getByRole('table', { name: 'Differences between Version 1 and Version 2' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent))).toEqual([
      ['1', '# 회의록', '1', '# 회의록'],
      ['2', 'Removed: 배포는 금요일', '2', 'Added: 배포는 목요일'],
      ['', '', '3', 'Added: New line'],
    ]);
    expect(table.querySelector('del')?.textContent).toBe('금요일');
    expect(table.querySelector('ins')?.textContent).toBe('목요일');
    expect(screen.getByText('2 lines added')).toBeTruthy();
    expect(screen.getByText('1 line removed')).toBeTruthy();
  });

  it('renders inline with old and new line numbers and signs', () => {
    render(<DiffView lines={lines} mode="inline" leftLabel="Version 1" rightLabel="Version 2" />);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent))).toEqual([
      ['1', '1', ' # 회의록'],
      ['2', '', '−Removed: 배포는 금요일'],
      ['', '2', '+Added: 배포는 목요일'],
      ['', '3', '+Added: New line'],
    ]);
  });

  it('collapses long unchanged stretches and expands on request', async () => {
    const long: DiffLine[] = [...Array.from({ length: 20 }, (_, i) => ({ op: 'equal' as const, text: `line ${i}` })), { op: 'insert', text: 'added' }];
    render(<DiffView lines={long} mode="inline" leftLabel="a" rightLabel="b" />);
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(1 + 1 + 3 + 1);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Unchanged lines hidden — show all' }));
    });
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(1 + 21);
  });
});

describe('routing', () => {
  it('answers unknown knowledge base paths with the not-found page', async () => {
    setup('/kb/nope');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    act(() => navigate('/kb'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Knowledge base' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Spaces' })).toBeTruthy();
  });
});
