// An in-memory knowledge base backend for unit tests: the routes of the
// contract (spaces, tree, documents, drafts, versions, diff, restore, move,
// shares, settings, attachments, templates, categories, trash, titles,
// mentionable), answering like the real API. Tests read and poke `state`.

import type { Call } from './fakeServer';
import { apiError, json } from './fakeServer';

export interface FakeDoc {
  id: string;
  space_id: string;
  parent_id: string | null;
  rank: string;
  title: string;
  body: string;
  status: 'draft' | 'published';
  tags: string[];
  category_id: string | null;
  version: number;
  deleted_at: string | null;
}

export interface FakeVersion {
  version: number;
  title: string;
  body: string;
  message: string;
  author: { id: string; name: string };
  created_at: string;
}

export interface FakeShare {
  id: string;
  document_id: string;
  token: string;
  include_children: boolean;
  expires_at: string | null;
  view_count: number;
  created_at: string;
  revoked_at: string | null;
}

const AT = '2025-03-14T09:00:00Z';
const minjiRef = { id: '01934e7a-0000-7000-8000-000000000001', name: 'Kim Minji' };

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A tiny stand-in renderer: headings get ids, paragraphs are escaped. Enough for the viewer's TOC and anchors. */
export function fakeRender(body: string): { html: string; toc: { level: number; text: string; id: string }[] } {
  const toc: { level: number; text: string; id: string }[] = [];
  const html = body
    .split(/\n{2,}/)
    .filter((b) => b.trim())
    .map((block) => {
      const m = /^(#{1,6}) (.*)$/.exec(block.trim());
      if (m) {
        const text = (m[2] ?? '').trim();
        const id = text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
        toc.push({ level: (m[1] ?? '#').length, text, id });
        return `<h${(m[1] ?? '#').length} id="${id}">${escapeHtml(text)}</h${(m[1] ?? '#').length}>`;
      }
      const img = /^!\[([^\]]*)\]\(([^)]+)\)$/.exec(block.trim());
      if (img) return `<p><img src="${escapeHtml(img[2] ?? '')}" alt="${escapeHtml(img[1] ?? '')}"></p>`;
      return `<p>${escapeHtml(block)}</p>`;
    })
    .join('\n');
  return { html, toc };
}

export function kbServer() {
  let seq = 0;
  const id = (p: string) => `${p}-${++seq}`;
  const state = {
    spaces: [
      {
        id: 'space-1',
        name: '엔지니어링 Engineering',
        description: 'How we build Nexus',
        icon: '🛠️',
        visibility: 'org',
        archived_at: null as string | null,
        created_at: AT,
        updated_at: AT,
        version: 1,
        role: 'manager',
      },
    ],
    docs: [] as FakeDoc[],
    versions: new Map<string, FakeVersion[]>(),
    drafts: new Map<string, { title: string; body: string; base_version: number; updated_at: string }>(),
    shares: [] as FakeShare[],
    settings: { public_sharing: true, version: 1 },
    members: [{ type: 'user', id: minjiRef.id, name: minjiRef.name, role: 'manager' }] as { type: string; id: string; name: string; role: string }[],
    templates: [] as { id: string; name: string; description: string; title: string; body: string; space_id: string | null; version: number }[],
    categories: [] as { id: string; name: string; parent_id: string | null; count: number; version: number }[],
    uploads: [] as { id: string; name: string; content_type: string; size: number; document_id: string }[],
    moves: [] as { id: string; body: Record<string, unknown> }[],
    draftPuts: [] as { id: string; body: Record<string, unknown> }[],
  };

  function addDoc(d: Partial<FakeDoc> & { title: string; body?: string }): FakeDoc {
    const doc: FakeDoc = {
      id: d.id ?? id('doc'),
      space_id: d.space_id ?? 'space-1',
      parent_id: d.parent_id ?? null,
      rank: d.rank ?? `a${state.docs.length}`,
      title: d.title,
      body: d.body ?? '',
      status: d.status ?? 'published',
      tags: d.tags ?? [],
      category_id: d.category_id ?? null,
      version: 1,
      deleted_at: null,
    };
    state.docs.push(doc);
    state.versions.set(doc.id, [{ version: 1, title: doc.title, body: doc.body, message: '', author: minjiRef, created_at: AT }]);
    return doc;
  }

  /** Someone else publishes a new version (to provoke a 409). */
  function publishAsOther(docId: string, patch: { title?: string; body: string }) {
    const doc = state.docs.find((d) => d.id === docId);
    if (!doc) throw new Error('no doc');
    doc.version += 1;
    doc.body = patch.body;
    if (patch.title) doc.title = patch.title;
    state.versions.get(docId)?.push({
      version: doc.version,
      title: doc.title,
      body: doc.body,
      message: 'edited elsewhere',
      author: { id: 'u-2', name: '이지호' },
      created_at: '2025-03-14T10:00:00Z',
    });
  }

  const live = (d: FakeDoc) => !d.deleted_at;

  function docJson(doc: FakeDoc) {
    const r = fakeRender(doc.body);
    const crumbs: { id: string; title: string }[] = [];
    let p = doc.parent_id;
    while (p) {
      const parent = state.docs.find((x) => x.id === p);
      if (!parent) break;
      crumbs.unshift({ id: parent.id, title: parent.title });
      p = parent.parent_id;
    }
    return {
      ...doc,
      html: r.html,
      toc: r.toc,
      category: doc.category_id ? { id: doc.category_id, name: state.categories.find((c) => c.id === doc.category_id)?.name ?? '' } : null,
      created_by: minjiRef,
      updated_by: minjiRef,
      created_at: AT,
      updated_at: AT,
      backlinks: [],
      attachments: state.uploads.filter((u) => u.document_id === doc.id).map((u) => ({ ...u, created_at: AT })),
      breadcrumbs: crumbs,
      has_draft: state.drafts.has(doc.id),
      access: { edit: true, manage: true },
    };
  }

  function stale(doc: FakeDoc) {
    return apiError(409, 'conflict', 'Someone else published a newer version of this document.', {
      current_version: doc.version,
      current: { title: doc.title, body: doc.body, updated_at: '2025-03-14T10:00:00Z' },
    });
  }

  /** Like the server's decodeJSON: unknown fields are a 400. */
  function unknownField(call: Call, allowed: string[]): Response | undefined {
    const extra = Object.keys((call.body ?? {}) as object).filter((k) => !allowed.includes(k));
    return extra.length > 0 ? apiError(400, 'invalid', `json: unknown field "${extra[0]}"`) : undefined;
  }

  function routes(call: Call): Response | undefined {
    const { method, path } = call;
    const q = new URLSearchParams(call.search);
    const body = (call.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (path === '/api/v1/spaces' && method === 'GET') {
      const archived = q.get('archived') === 'true';
      return json(200, { items: state.spaces.filter((s) => !!s.archived_at === archived) });
    }
    if (path === '/api/v1/spaces' && method === 'POST') {
      const s = { ...state.spaces[0]!, id: id('space'), name: String(body.name), description: String(body.description ?? ''), icon: String(body.icon ?? ''), visibility: String(body.visibility ?? 'org'), role: 'manager' };
      state.spaces.push(s);
      return json(201, s);
    }
    if ((m = /^\/api\/v1\/spaces\/([^/]+)$/.exec(path))) {
      const s = state.spaces.find((x) => x.id === m![1]);
      if (!s) return apiError(404, 'not_found', 'Space not found.');
      if (method === 'GET') return json(200, s);
      if (method === 'PATCH') {
        if (body.version !== s.version) return apiError(409, 'conflict', 'stale', { current_version: s.version });
        Object.assign(s, body, { version: s.version + 1 });
        return json(200, s);
      }
    }
    if ((m = /^\/api\/v1\/spaces\/([^/]+)\/tree$/.exec(path))) {
      return json(200, {
        items: state.docs
          .filter((d) => d.space_id === m![1] && live(d))
          .map((d) => ({ id: d.id, parent_id: d.parent_id ?? '', title: d.title, rank: d.rank, status: d.status, has_children: state.docs.some((c) => c.parent_id === d.id && live(c)) })),
      });
    }
    if ((m = /^\/api\/v1\/spaces\/([^/]+)\/members\/([^/]+)$/.exec(path)) && method === 'DELETE') {
      const before = state.members.length;
      state.members = state.members.filter((x) => x.id !== m![2]);
      return state.members.length < before ? json(204) : apiError(404, 'not_found', 'That user or team has no role in this space.');
    }
    if ((m = /^\/api\/v1\/spaces\/([^/]+)\/members$/.exec(path))) {
      if (method === 'GET') return json(200, { items: state.members });
      if (method === 'POST') {
        const bad = unknownField(call, ['user_id', 'team_id', 'role']);
        if (bad) return bad;
        state.members.push({ type: body.team_id ? 'team' : 'user', id: String(body.user_id ?? body.team_id), name: 'Added', role: String(body.role) });
        return json(204);
      }
    }
    if (path === '/api/v1/documents' && method === 'POST') {
      const tpl = body.template_id ? state.templates.find((x) => x.id === body.template_id) : undefined;
      const doc = addDoc({
        space_id: String(body.space_id),
        parent_id: (body.parent_id as string | null) ?? null,
        title: String(body.title || tpl?.name || ''),
        body: String(body.body || tpl?.body || ''),
        status: body.status === 'draft' ? 'draft' : 'published',
      });
      return json(201, docJson(doc));
    }
    if (path === '/api/v1/documents/search-titles') {
      const needle = (q.get('q') ?? '').toLowerCase();
      return json(200, { items: state.docs.filter((d) => live(d) && d.title.toLowerCase().includes(needle)).map((d) => ({ id: d.id, title: d.title, space_id: d.space_id })) });
    }
    if (path === '/api/v1/mentions/users') return json(200, { items: [{ id: 'u-2', name: '이지호', handle: '이지호' }] });
    if (path === '/api/v1/tags') return json(200, { items: [{ tag: 'onboarding', count: 3 }, { tag: '온보딩', count: 1 }] });
    if (path === '/api/v1/categories' && method === 'GET') return json(200, { items: state.categories });
    if (path === '/api/v1/templates' && method === 'GET') {
      const sid = q.get('space_id');
      return json(200, { items: state.templates.filter((x) => (sid ? x.space_id === sid || x.space_id === null : x.space_id === null)) });
    }
    if (path === '/api/v1/settings/kb') {
      if (method === 'GET') return json(200, state.settings);
      if (method === 'PATCH') {
        if (body.version !== state.settings.version) return apiError(409, 'conflict', 'stale');
        state.settings = { public_sharing: body.public_sharing === true, version: state.settings.version + 1 };
        return json(200, state.settings);
      }
    }
    if (path === '/api/v1/attachments' && method === 'POST') {
      const a = { id: id('att'), name: 'photo.png', content_type: 'image/png', size: 1234, document_id: 'unknown' };
      state.uploads.push(a);
      return json(201, { ...a, owner_type: 'document', owner_id: a.document_id, created_at: AT });
    }
    if ((m = /^\/api\/v1\/shares\/([^/]+)$/.exec(path)) && method === 'DELETE') {
      const s = state.shares.find((x) => x.id === m![1]);
      if (!s) return apiError(404, 'not_found', 'no share');
      s.revoked_at = AT;
      return json(204);
    }
    if (path === '/api/v1/trash') {
      return json(200, {
        items: state.docs
          .filter((d) => d.deleted_at && d.space_id === q.get('space_id'))
          .map((d) => ({ id: d.id, title: d.title, space_id: d.space_id, deleted_at: d.deleted_at, deleted_by: minjiRef, purge_at: '2025-04-13T09:00:00Z', descendant_count: 0 })),
      });
    }
    if ((m = /^\/api\/v1\/trash\/([^/]+)\/restore$/.exec(path))) {
      const d = state.docs.find((x) => x.id === m![1]);
      if (!d) return apiError(404, 'not_found', 'gone');
      d.deleted_at = null;
      return json(200, docJson(d));
    }

    if ((m = /^\/api\/v1\/documents\/([^/]+)(\/.*)?$/.exec(path))) {
      const doc = state.docs.find((d) => d.id === m![1]);
      const rest = m[2] ?? '';
      if (!doc || (doc.deleted_at && rest !== '')) return apiError(404, 'not_found', 'Document not found.');
      if (rest === '') {
        if (method === 'GET') return doc.deleted_at ? apiError(404, 'not_found', 'Document not found.') : json(200, docJson(doc));
        if (method === 'PUT') {
          const bad = unknownField(call, ['title', 'body', 'tags', 'category_id', 'status', 'version', 'message']);
          if (bad) return bad;
          if (body.version !== doc.version) return stale(doc);
          doc.version += 1;
          doc.title = String(body.title);
          doc.body = String(body.body);
          doc.tags = (body.tags as string[]) ?? doc.tags;
          doc.status = body.status === 'draft' ? 'draft' : 'published';
          state.versions.get(doc.id)?.push({ version: doc.version, title: doc.title, body: doc.body, message: String(body.message ?? ''), author: minjiRef, created_at: AT });
          state.drafts.delete(doc.id);
          return json(200, docJson(doc));
        }
        if (method === 'DELETE') {
          doc.deleted_at = AT;
          return json(204);
        }
      }
      if (rest === '/draft') {
        const d = state.drafts.get(doc.id);
        if (method === 'GET') return d ? json(200, { ...d, current_version: doc.version }) : apiError(404, 'not_found', 'No draft.');
        if (method === 'PUT') {
          const bad = unknownField(call, ['title', 'body', 'base_version']);
          if (bad) return bad;
          state.draftPuts.push({ id: doc.id, body });
          state.drafts.set(doc.id, { title: String(body.title), body: String(body.body), base_version: Number(body.base_version), updated_at: AT });
          return json(200, { ...state.drafts.get(doc.id), current_version: doc.version });
        }
        if (method === 'DELETE') {
          state.drafts.delete(doc.id);
          return json(204);
        }
      }
      if (rest === '/move' && method === 'POST') {
        const bad = unknownField(call, ['space_id', 'parent_id', 'before_id', 'after_id', 'version']);
        if (bad) return bad;
        state.moves.push({ id: doc.id, body });
        if (body.version !== undefined && body.version !== doc.version) return stale(doc);
        const parent = (body.parent_id as string | null) || null;
        const sibs = state.docs.filter((d) => d.space_id === doc.space_id && d.parent_id === parent && d.id !== doc.id && live(d)).sort((a, b) => (a.rank < b.rank ? -1 : 1));
        const ordered = sibs.map((s) => s.id);
        let at = ordered.length;
        if (body.before_id) at = ordered.indexOf(String(body.before_id));
        else if (body.after_id) at = ordered.indexOf(String(body.after_id)) + 1;
        ordered.splice(at, 0, doc.id);
        doc.parent_id = parent;
        ordered.forEach((oid, i) => {
          const d = state.docs.find((x) => x.id === oid);
          if (d) d.rank = `b${String(i).padStart(3, '0')}`;
        });
        return json(200, docJson(doc));
      }
      if (rest === '/versions') {
        return json(200, { items: [...(state.versions.get(doc.id) ?? [])].reverse().map(({ body: _b, ...v }) => v) });
      }
      if ((m = /^\/versions\/(\d+)$/.exec(rest))) {
        const v = state.versions.get(doc.id)?.find((x) => x.version === Number(m![1]));
        return v ? json(200, { ...v, html: fakeRender(v.body).html }) : apiError(404, 'not_found', 'No such version.');
      }
      if (rest === '/diff') {
        const vs = state.versions.get(doc.id) ?? [];
        const a = vs.find((x) => x.version === Number(q.get('from')));
        const b = vs.find((x) => x.version === Number(q.get('to')));
        if (!a || !b) return apiError(400, 'invalid', 'bad version');
        const al = a.body.split('\n');
        const bl = b.body.split('\n');
        const lines: { op: string; text: string }[] = [];
        al.forEach((l, i) => {
          if (bl[i] === l) lines.push({ op: 'equal', text: l });
          else {
            lines.push({ op: 'delete', text: l });
            if (bl[i] !== undefined) lines.push({ op: 'insert', text: bl[i] as string });
          }
        });
        bl.slice(al.length).forEach((l) => lines.push({ op: 'insert', text: l }));
        return json(200, { from: a.version, to: b.version, lines });
      }
      if (rest === '/restore' && method === 'POST') {
        const v = state.versions.get(doc.id)?.find((x) => x.version === body.version);
        if (!v) return apiError(400, 'invalid', 'no version');
        const bad = unknownField(call, ['version', 'expected_version']);
        if (bad) return bad;
        if (body.expected_version && body.expected_version !== doc.version) return stale(doc);
        doc.version += 1;
        doc.title = v.title;
        doc.body = v.body;
        state.versions.get(doc.id)?.push({ ...v, version: doc.version, message: `Restored version ${v.version}` });
        return json(200, docJson(doc));
      }
      if (rest === '/shares') {
        // The token is only in the answer that creates a link.
        if (method === 'GET') return json(200, { items: state.shares.filter((s) => s.document_id === doc.id).map(({ token: _t, ...sh }) => ({ ...sh, active: !sh.revoked_at })) });
        if (method === 'POST') {
          if (!state.settings.public_sharing) return apiError(403, 'forbidden', 'Public sharing is turned off by an administrator.', { reason: 'sharing_disabled' });
          const s: FakeShare = {
            id: id('share'),
            document_id: doc.id,
            token: `tok${seq}abcdefghijklmnopqrstuvwxyz`,
            include_children: body.include_children === true,
            expires_at: (body.expires_at as string | null) ?? null,
            view_count: 0,
            created_at: AT,
            revoked_at: null,
          };
          state.shares.push(s);
          return json(201, { ...s, active: true, url: `http://localhost/s/${s.token}` });
        }
      }
    }
    return undefined;
  }

  return { state, routes, addDoc, publishAsOther };
}
