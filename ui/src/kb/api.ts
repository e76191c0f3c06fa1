// The knowledge base API (K1: spaces and documents; K2: attachments), as the
// UI uses it. Every call goes through ApiClient (Bearer token, one refresh on
// 401). Responses are normalized here, so pages see one shape even where the
// server has a choice (a bare array or {items}, a missing optional field).

import { ApiError, type ApiClient } from '../api/client';
import type { Page } from '../api/types';

export type Visibility = 'org' | 'members';
export type SpaceRole = 'viewer' | 'editor' | 'manager';
export type DocStatus = 'draft' | 'published';

export interface PersonRef {
  id: string;
  name: string;
  avatar_url?: string;
}

export interface Space {
  id: string;
  name: string;
  description: string;
  icon: string;
  visibility: Visibility;
  archived_at?: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  /** The caller's role in this space, when the server says (owners/admins manage everything). */
  role?: SpaceRole;
  document_count?: number;
}

export interface TreeDoc {
  id: string;
  parent_id: string | null;
  title: string;
  rank: string;
  status: DocStatus;
  has_children: boolean;
}

export interface Heading {
  level: number;
  text: string;
  id: string;
}

export interface Attachment {
  id: string;
  name: string;
  content_type: string;
  size: number;
  created_at?: string;
  uploaded_by?: PersonRef | string;
  /** True when the server can make a thumbnail (images). */
  has_thumbnail?: boolean;
}

export interface CategoryRef {
  id: string;
  name: string;
  /** "Engineering › Backend", when the server gives the path. */
  path?: string;
}

export interface KbDocument {
  id: string;
  space_id: string;
  parent_id: string | null;
  title: string;
  body: string;
  html: string;
  toc: Heading[];
  status: DocStatus;
  tags: string[];
  category: CategoryRef | null;
  version: number;
  created_by: PersonRef | null;
  updated_by: PersonRef | null;
  created_at: string;
  updated_at: string;
  backlinks: { id: string; title: string }[];
  attachments: Attachment[];
  breadcrumbs: { id: string; title: string }[];
  /** The reader has an unpublished draft of this document. */
  has_draft: boolean;
  /** What the reader may do, when the server says. */
  access: { edit: boolean; manage: boolean } | null;
  space_name?: string;
}

export interface Draft {
  title: string;
  body: string;
  tags?: string[];
  category_id?: string | null;
  /** The published version this draft started from. */
  base_version?: number;
  /** The document's latest version when the draft was read. */
  current_version?: number;
  updated_at?: string;
}

export interface VersionSummary {
  version: number;
  title: string;
  message: string;
  author: PersonRef | null;
  created_at: string;
}

export interface VersionDetail extends VersionSummary {
  body: string;
  html: string;
}

export type DiffOp = 'equal' | 'insert' | 'delete';

export interface DiffSpan {
  op: DiffOp;
  text: string;
}

/** One line of a diff; changed lines may carry word-level spans. */
export interface DiffLine {
  op: DiffOp;
  text: string;
  words?: DiffSpan[];
}

export interface Share {
  id: string;
  /** Only known when the link was just created: the server keeps a hash of the token. */
  url: string;
  active: boolean;
  include_children: boolean;
  expires_at: string | null;
  view_count: number;
  created_at: string;
  created_by?: PersonRef | null;
  revoked_at?: string | null;
}

export interface Category {
  id: string;
  name: string;
  parent_id: string | null;
  /** Documents in this category itself, and in it and all below it. */
  count: number;
  total: number;
  path: string;
  version?: number;
}

export interface CategoryPage {
  category: Category;
  children: Category[];
  documents: DocSummary[];
  next_cursor: string | null;
}

export interface Tag {
  name: string;
  count?: number;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  /** Title pattern for new documents ({date}, {author}). */
  title: string;
  body: string;
  space_id: string | null;
  version?: number;
  updated_at?: string;
}

export interface TrashItem {
  id: string;
  title: string;
  space_id: string;
  deleted_at: string;
  deleted_by: PersonRef | null;
  /** When it will be deleted for good. */
  purge_at?: string | null;
  /** Sub-pages deleted with it. */
  descendants: number;
}

export interface Member {
  kind: 'user' | 'team';
  id: string;
  name: string;
  sub?: string;
  avatar_url?: string;
  role: SpaceRole;
}

export interface Mentionable {
  id: string;
  name: string;
  handle: string;
  email?: string;
  avatar_url?: string;
}

export interface KbSettings {
  public_sharing: boolean;
  version?: number;
}

export interface DocSummary {
  id: string;
  title: string;
  space_id?: string;
  space_name?: string;
  updated_at?: string;
  excerpt?: string;
}

export interface ImportResult {
  created: number;
  documents: { id: string; title: string }[];
  attachments: number;
  /** Entries left out (paths), with the server's reasons elsewhere. */
  skipped: string[];
}

// ---- normalizers ------------------------------------------------------------

type Json = Record<string, unknown>;

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d);
const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** A list from `{items: [...]}` or a bare array. */
export function itemsOf<T = unknown>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[];
  const o = obj(v);
  for (const k of ['items', 'data', 'results']) if (Array.isArray(o[k])) return o[k] as T[];
  return [];
}

function person(v: unknown): PersonRef | null {
  if (typeof v === 'string') return v ? { id: v, name: '' } : null;
  const o = obj(v);
  if (!o.id && !o.name) return null;
  return { id: str(o.id), name: str(o.name ?? o.display_name), avatar_url: str(o.avatar_url) || undefined };
}

export function normalizeSpace(v: unknown): Space {
  const o = obj(v);
  const access = obj(o.access);
  let role = str(o.role ?? o.my_role);
  if (!role && 'edit' in access) role = access.manage === true ? 'manager' : access.edit === true ? 'editor' : 'viewer';
  return {
    id: str(o.id),
    name: str(o.name),
    description: str(o.description),
    icon: str(o.icon),
    visibility: o.visibility === 'members' ? 'members' : 'org',
    archived_at: (o.archived_at as string | null | undefined) ?? null,
    created_at: str(o.created_at),
    updated_at: str(o.updated_at),
    version: num(o.version, 1),
    role: role === 'viewer' || role === 'editor' || role === 'manager' ? role : undefined,
    document_count: typeof o.document_count === 'number' ? o.document_count : undefined,
  };
}

export function normalizeTreeDoc(v: unknown): TreeDoc {
  const o = obj(v);
  return {
    id: str(o.id),
    parent_id: (str(o.parent_id) || null) as string | null,
    title: str(o.title),
    rank: str(o.rank),
    status: o.status === 'draft' ? 'draft' : 'published',
    has_children: o.has_children === true,
  };
}

function heading(v: unknown): Heading {
  const o = obj(v);
  return { level: num(o.level ?? o.Level, 2), text: str(o.text ?? o.Text), id: str(o.id ?? o.ID) };
}

export function normalizeAttachment(v: unknown): Attachment {
  const o = obj(v);
  const type = str(o.content_type);
  return {
    id: str(o.id),
    name: str(o.name),
    content_type: type,
    size: num(o.size),
    created_at: str(o.created_at) || undefined,
    uploaded_by: (person(o.uploaded_by) ?? undefined) as PersonRef | undefined,
    has_thumbnail: o.has_thumbnail === true || !!o.thumb_hash || /^image\/(png|jpeg|gif|webp)$/.test(type),
  };
}

function category(v: unknown): CategoryRef | null {
  if (!v) return null;
  const o = obj(v);
  if (!o.id) return null;
  return { id: str(o.id), name: str(o.name), path: str(o.path) || undefined };
}

function tags(v: unknown): string[] {
  return itemsOf<unknown>(v)
    .map((t) => (typeof t === 'string' ? t : str(obj(t).name)))
    .filter(Boolean);
}

function refs(v: unknown): { id: string; title: string }[] {
  return itemsOf<unknown>(v).map((x) => ({ id: str(obj(x).id), title: str(obj(x).title) }));
}

export function normalizeDocument(v: unknown): KbDocument {
  const o = obj(v);
  const cat = category(o.category) ?? (o.category_id ? { id: str(o.category_id), name: '' } : null);
  return {
    id: str(o.id),
    space_id: str(o.space_id),
    parent_id: (str(o.parent_id) || null) as string | null,
    title: str(o.title),
    body: str(o.body),
    html: str(o.html),
    toc: itemsOf(o.toc ?? o.headings).map(heading),
    status: o.status === 'draft' ? 'draft' : 'published',
    tags: tags(o.tags),
    category: cat,
    version: num(o.version, 1),
    created_by: person(o.created_by),
    updated_by: person(o.updated_by),
    created_at: str(o.created_at),
    updated_at: str(o.updated_at),
    backlinks: refs(o.backlinks),
    attachments: itemsOf(o.attachments).map(normalizeAttachment),
    breadcrumbs: refs(o.breadcrumbs),
    has_draft: o.has_draft === true,
    access: o.access && typeof o.access === 'object' ? { edit: obj(o.access).edit === true, manage: obj(o.access).manage === true } : null,
    space_name: str(o.space_name ?? obj(o.space).name) || undefined,
  };
}

function normalizeVersion(v: unknown): VersionDetail {
  const o = obj(v);
  return {
    version: num(o.version ?? o.n ?? o.number),
    title: str(o.title),
    message: str(o.message),
    author: person(o.author ?? o.created_by ?? o.updated_by),
    created_at: str(o.created_at),
    body: str(o.body),
    html: str(o.html),
  };
}

function span(v: unknown): DiffSpan {
  const o = obj(v);
  const op = str(o.op);
  return { op: op === 'insert' || op === 'delete' ? op : 'equal', text: str(o.text) };
}

/** A diff answer as lines: accepts a bare array, {lines}, {ops} or {items}; inner word spans as words/inner/ops. */
export function normalizeDiff(v: unknown): DiffLine[] {
  const o = obj(v);
  const list = Array.isArray(v) ? v : (o.lines ?? o.ops ?? o.items ?? o.diff ?? []);
  return itemsOf(list).map((x) => {
    const l = obj(x);
    const inner = l.words ?? l.inner ?? l.ops ?? l.spans;
    const s = span(x);
    return Array.isArray(inner) && inner.length > 0 ? { ...s, words: inner.map(span) } : s;
  });
}

export function normalizeShare(v: unknown, origin = typeof window !== 'undefined' ? window.location.origin : ''): Share {
  const o = obj(v);
  const token = str(o.token);
  let url = str(o.url);
  if (!url && token) url = `/s/${token}`;
  if (url.startsWith('/')) url = origin + url;
  return {
    id: str(o.id),
    url,
    include_children: o.include_children === true,
    expires_at: (str(o.expires_at) || null) as string | null,
    view_count: num(o.view_count ?? o.views),
    active: o.active !== false && !o.revoked_at,
    created_at: str(o.created_at),
    created_by: person(o.created_by),
    revoked_at: (str(o.revoked_at) || null) as string | null,
  };
}

/** Categories as a flat list; a nested answer ({children}) is flattened with parent ids. */
export function normalizeCategories(v: unknown): Category[] {
  const out: Category[] = [];
  const walk = (list: unknown[], parent: string | null) => {
    for (const x of list) {
      const o = obj(x);
      const id = str(o.id);
      out.push(normalizeCategory(x, parent));
      if (Array.isArray(o.children)) walk(o.children, id);
    }
  };
  walk(itemsOf(v), null);
  return out;
}

export function normalizeCategory(x: unknown, parent: string | null = null): Category {
  const o = obj(x);
  const count = num(o.count ?? o.document_count);
  return {
    id: str(o.id),
    name: str(o.name),
    parent_id: (str(o.parent_id) || parent) as string | null,
    count,
    total: num(o.total_count ?? o.total, count),
    path: str(o.path) || str(o.name),
    version: typeof o.version === 'number' ? o.version : undefined,
  };
}

export function normalizeTemplate(v: unknown): Template {
  const o = obj(v);
  return {
    id: str(o.id),
    name: str(o.name ?? o.title),
    description: str(o.description),
    title: str(o.title_template ?? (o.name !== undefined ? o.title : '')),
    body: str(o.body),
    space_id: (str(o.space_id) || null) as string | null,
    version: typeof o.version === 'number' ? o.version : undefined,
    updated_at: str(o.updated_at) || undefined,
  };
}

function normalizeTrash(v: unknown): TrashItem {
  const o = obj(v);
  return {
    id: str(o.id),
    title: str(o.title),
    space_id: str(o.space_id),
    deleted_at: str(o.deleted_at),
    deleted_by: person(o.deleted_by ?? (o.deleted_by_name ? { id: '', name: o.deleted_by_name } : null)),
    purge_at: (str(o.purge_at ?? o.expires_at) || null) as string | null,
    descendants: num(o.descendant_count ?? o.descendants),
  };
}

function normalizeMember(v: unknown): Member {
  const o = obj(v);
  const user = obj(o.user);
  const team = obj(o.team);
  const grantee = obj(o.grantee ?? o.Grantee);
  const role = str(o.role ?? o.Role);
  const r: SpaceRole = role === 'manager' || role === 'editor' ? role : 'viewer';
  const kind = str(o.type ?? o.kind ?? o.subject_type ?? o.grantee_type ?? grantee.type ?? grantee.Type);
  if (o.team_id || o.team || kind === 'team') {
    return {
      kind: 'team',
      id: str(o.team_id ?? team.id ?? grantee.id ?? grantee.ID ?? o.subject_id ?? o.id),
      name: str(team.name ?? o.name),
      sub: typeof team.member_count === 'number' ? String(team.member_count) : undefined,
      role: r,
    };
  }
  return {
    kind: 'user',
    id: str(o.user_id ?? user.id ?? grantee.id ?? grantee.ID ?? o.subject_id ?? o.id),
    name: str(user.name ?? o.name),
    sub: str(user.email ?? o.email) || undefined,
    avatar_url: str(user.avatar_url ?? o.avatar_url) || undefined,
    role: r,
  };
}

/** "Kim Minji" → "KimMinji": what follows @ in markdown when the server gives no handle. */
export function handleFor(name: string): string {
  return name.replace(/[^\p{L}\p{N}_.-]+/gu, '');
}

function normalizeMentionable(v: unknown): Mentionable {
  const o = obj(v);
  const name = str(o.name ?? o.display_name);
  return {
    id: str(o.id),
    name,
    handle: str(o.handle ?? o.username) || handleFor(name),
    email: str(o.email) || undefined,
    avatar_url: str(o.avatar_url) || undefined,
  };
}

function normalizeSummary(v: unknown): DocSummary {
  const o = obj(v);
  return {
    id: str(o.id),
    title: str(o.title),
    space_id: str(o.space_id) || undefined,
    space_name: str(o.space_name ?? obj(o.space).name) || undefined,
    updated_at: str(o.updated_at) || undefined,
    excerpt: str(o.excerpt) || undefined,
  };
}

// ---- calls ----------------------------------------------------------------------

const e = encodeURIComponent;
const V1 = '/api/v1';

export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** True for "this endpoint does not exist on this server" (older or partial backends). */
export function isMissingEndpoint(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501) && err.code !== 'conflict';
}

export interface DocumentInput {
  space_id: string;
  parent_id: string | null;
  title: string;
  body: string;
  tags?: string[];
  category_id?: string | null;
  status?: DocStatus;
  template_id?: string;
}

export interface PublishInput {
  title: string;
  body: string;
  tags: string[];
  category_id: string | null;
  status: DocStatus;
  version: number;
  message: string;
}

export interface MovePlacement {
  parent_id: string | null;
  before_id?: string;
  after_id?: string;
}

/** Typed wrappers around ApiClient for every knowledge base endpoint. */
export function kbApi(client: ApiClient) {
  const get = <T>(path: string, signal?: AbortSignal) => client.request<T>(V1 + path, { signal });
  const send = <T>(method: string, path: string, body?: unknown) => client.request<T>(V1 + path, { method, body });

  return {
    // spaces
    spaces: async (opts: { archived?: boolean } = {}) =>
      itemsOf(await get(`/spaces${qs({ archived: opts.archived ? 'true' : undefined, limit: 500 })}`)).map(normalizeSpace),
    space: async (id: string) => normalizeSpace(await get(`/spaces/${e(id)}`)),
    createSpace: async (input: { name: string; description: string; icon: string; visibility: Visibility }) =>
      normalizeSpace(await send('POST', '/spaces', input)),
    updateSpace: async (id: string, input: Partial<Pick<Space, 'name' | 'description' | 'icon' | 'visibility'>> & { version: number }) =>
      normalizeSpace(await send('PATCH', `/spaces/${e(id)}`, input)),
    archiveSpace: (id: string) => send<unknown>('POST', `/spaces/${e(id)}/archive`),
    restoreSpace: (id: string) => send<unknown>('POST', `/spaces/${e(id)}/restore`),
    members: async (id: string) => itemsOf(await get(`/spaces/${e(id)}/members`)).map(normalizeMember),
    addMember: (id: string, who: { user_id?: string; team_id?: string }, role: SpaceRole) =>
      send<unknown>('POST', `/spaces/${e(id)}/members`, { ...who, role }),
    removeMember: (id: string, m: Member) => send<unknown>('DELETE', `/spaces/${e(id)}/members/${e(m.id)}`),
    tree: async (id: string, signal?: AbortSignal) => itemsOf(await get(`/spaces/${e(id)}/tree`, signal)).map(normalizeTreeDoc),

    // documents
    document: async (id: string, signal?: AbortSignal) => normalizeDocument(await get(`/documents/${e(id)}`, signal)),
    createDocument: async (input: DocumentInput) => normalizeDocument(await send('POST', '/documents', input)),
    // category_id "" clears the category (null would keep it).
    publish: async (id: string, input: PublishInput) =>
      normalizeDocument(await send('PUT', `/documents/${e(id)}`, { ...input, category_id: input.category_id ?? '' })),
    deleteDocument: (id: string) => send<unknown>('DELETE', `/documents/${e(id)}`),
    move: async (id: string, placement: MovePlacement & { space_id?: string; version?: number }) =>
      send<unknown>('POST', `/documents/${e(id)}/move`, placement),
    draft: async (id: string): Promise<Draft | null> => {
      try {
        const d = obj(await get(`/documents/${e(id)}/draft`));
        if (!('body' in d) && !('title' in d)) return null;
        return {
          title: str(d.title),
          body: str(d.body),
          tags: Array.isArray(d.tags) ? tags(d.tags) : undefined,
          category_id: (d.category_id as string | null | undefined) ?? undefined,
          base_version: typeof d.base_version === 'number' ? d.base_version : undefined,
          current_version: typeof d.current_version === 'number' ? d.current_version : undefined,
          updated_at: str(d.updated_at) || undefined,
        };
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    // The server keeps the title and text of a draft (tags and category are published with the version).
    saveDraft: (id: string, d: Draft) =>
      send<unknown>('PUT', `/documents/${e(id)}/draft`, { title: d.title, body: d.body, base_version: d.base_version ?? 0 }),
    discardDraft: (id: string) => send<unknown>('DELETE', `/documents/${e(id)}/draft`),
    preview: async (body: string, documentId?: string) => {
      const r = obj(await send('POST', '/documents/preview', { body, document_id: documentId }));
      return { html: str(r.html), toc: itemsOf(r.toc ?? r.headings).map(heading) };
    },
    versions: async (id: string) =>
      itemsOf(await get(`/documents/${e(id)}/versions${qs({ limit: 500 })}`))
        .map(normalizeVersion)
        .map(({ body: _b, html: _h, ...s }) => s as VersionSummary),
    version: async (id: string, n: number) => normalizeVersion(await get(`/documents/${e(id)}/versions/${n}`)),
    diff: async (id: string, from: number, to: number) => normalizeDiff(await get(`/documents/${e(id)}/diff${qs({ from, to })}`)),
    restore: async (id: string, version: number, current: number) =>
      normalizeDocument(await send('POST', `/documents/${e(id)}/restore`, { version, expected_version: current })),
    searchTitles: async (q: string, spaceId?: string) =>
      itemsOf(await get(`/documents/search-titles${qs({ q, space_id: spaceId, limit: 10 })}`)).map(normalizeSummary),
    listDocuments: async (filter: { category_id?: string; tag?: string; space_id?: string }) =>
      itemsOf(await get<Page<unknown>>(`/documents${qs({ ...filter, limit: 200 })}`)).map(normalizeSummary),

    // sharing
    shares: async (id: string) => itemsOf(await get(`/documents/${e(id)}/shares`)).map((s) => normalizeShare(s)),
    createShare: async (id: string, input: { include_children: boolean; expires_at: string | null }) =>
      normalizeShare(await send('POST', `/documents/${e(id)}/shares`, input)),
    revokeShare: (shareId: string) => send<unknown>('DELETE', `/shares/${e(shareId)}`),
    settings: async (): Promise<KbSettings> => {
      const o = obj(await get('/settings/kb'));
      return { public_sharing: o.public_sharing !== false, version: typeof o.version === 'number' ? o.version : undefined };
    },
    updateSettings: async (s: KbSettings): Promise<KbSettings> => {
      const o = obj(await send('PATCH', '/settings/kb', s));
      return { public_sharing: o.public_sharing !== false, version: typeof o.version === 'number' ? o.version : undefined };
    },

    // attachments
    upload: async (documentId: string, file: File | Blob, name?: string) => {
      const form = new FormData();
      form.set('owner_type', 'document');
      form.set('owner_id', documentId);
      form.set('file', file, name ?? (file instanceof File ? file.name : 'file'));
      return normalizeAttachment(await client.request(`${V1}/attachments`, { method: 'POST', body: form }));
    },
    deleteAttachment: (id: string) => send<unknown>('DELETE', `/attachments/${e(id)}`),

    // taxonomy
    categories: async () => normalizeCategories(await get('/categories')),
    categoryPage: async (id: string, cursor?: string): Promise<CategoryPage> => {
      const o = obj(await get(`/categories/${e(id)}${qs({ cursor, limit: 50 })}`));
      return {
        category: normalizeCategory(o.category),
        children: itemsOf(o.children).map((c) => normalizeCategory(c)),
        documents: itemsOf(o.documents ?? o.items).map(normalizeSummary),
        next_cursor: str(o.next_cursor) || null,
      };
    },
    createCategory: (input: { name: string; parent_id: string | null }) => send<unknown>('POST', '/categories', input),
    // parent_id "" moves a category to the top (null would leave it where it is).
    updateCategory: (id: string, input: { name: string; parent_id: string | null; version?: number }) =>
      send<unknown>('PATCH', `/categories/${e(id)}`, { ...input, parent_id: input.parent_id ?? '' }),
    deleteCategory: (id: string) => send<unknown>('DELETE', `/categories/${e(id)}`),
    tags: async (prefix: string) =>
      itemsOf(await get(`/tags${qs({ prefix, limit: 20 })}`)).map(
        (t): Tag => (typeof t === 'string' ? { name: t } : { name: str(obj(t).tag ?? obj(t).name), count: num(obj(t).count) }),
      ),
    mentionable: async (q: string) => itemsOf(await get(`/mentions/users${qs({ q, limit: 8 })}`)).map(normalizeMentionable),

    // templates
    templates: async (scope: { space_id?: string | null }) =>
      itemsOf(await get(`/templates${qs(scope.space_id ? { space_id: scope.space_id } : { scope: 'org' })}`)).map(normalizeTemplate),
    createTemplate: async (input: { name: string; description: string; title: string; body: string; space_id: string | null }) =>
      normalizeTemplate(await send('POST', '/templates', input)),
    updateTemplate: async (id: string, input: { name: string; description: string; title: string; body: string; version?: number }) =>
      normalizeTemplate(await send('PATCH', `/templates/${e(id)}`, input)),
    deleteTemplate: (id: string) => send<unknown>('DELETE', `/templates/${e(id)}`),

    // trash
    trash: async (spaceId: string) => itemsOf(await get(`/trash${qs({ space_id: spaceId, limit: 500 })}`)).map(normalizeTrash),
    restoreTrash: (id: string) => send<unknown>('POST', `/trash/${e(id)}/restore`),
    purge: (id: string) => send<unknown>('DELETE', `/trash/${e(id)}`),

    // import / export
    importInto: async (spaceId: string, file: File, parentId: string | null): Promise<ImportResult> => {
      const form = new FormData();
      form.set('file', file, file.name);
      if (parentId) form.set('parent_id', parentId);
      const r = obj(await client.request(`${V1}/spaces/${e(spaceId)}/import`, { method: 'POST', body: form }));
      const docs = refs(r.documents ?? r.items);
      return {
        created: num(r.created ?? r.count, docs.length),
        documents: docs,
        attachments: num(r.attachments),
        skipped: itemsOf(r.skipped).map((x) => str(obj(x).path ?? obj(x).name ?? x)),
      };
    },
    exportPath: {
      markdown: (id: string) => `${V1}/documents/${e(id)}/export.md`,
      html: (id: string) => `${V1}/documents/${e(id)}/export.html`,
      space: (id: string) => `${V1}/spaces/${e(id)}/export.zip`,
    },
  };
}

export type KbApi = ReturnType<typeof kbApi>;

/** The path of an attachment's content, as inserted into markdown. */
export const attachmentContentPath = (id: string) => `${V1}/attachments/${e(id)}/content`;
export const attachmentThumbnailPath = (id: string) => `${V1}/attachments/${e(id)}/thumbnail`;

/** Recognizes attachment URLs in rendered HTML (relative or absolute, content or thumbnail). */
export const ATTACHMENT_URL = /^(?:https?:\/\/[^/]+)?\/api\/v1\/attachments\/([^/?#]+)\/(content|thumbnail)(?:[?#].*)?$/;

export function isImageType(type: string): boolean {
  return /^image\/(png|jpeg|gif|webp)$/i.test(type);
}

/** Roles that may edit / manage, given the caller's space role and org role. */
export function canEdit(space: Pick<Space, 'role'> | null | undefined, orgRole: string): boolean {
  if (orgRole === 'owner' || orgRole === 'admin') return true;
  if (!space || !space.role) return orgRole !== 'guest';
  return space.role === 'editor' || space.role === 'manager';
}

export function canManage(space: Pick<Space, 'role'> | null | undefined, orgRole: string): boolean {
  if (orgRole === 'owner' || orgRole === 'admin') return true;
  return space?.role === 'manager';
}
