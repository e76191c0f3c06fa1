import { describe, expect, it } from 'vitest';
import { normalizeCategories, normalizeDiff, normalizeDocument, normalizeShare, normalizeSpace, normalizeTreeDoc } from './api';
import { toKbEvent } from './realtime';

// Shapes as app/api/kb.go writes them.
describe('normalizers', () => {
  it('reads a space with access as a role', () => {
    const base = { id: 's1', name: '운영', description: '', icon: '🛠️', visibility: 'members', archived: false, archived_at: null, created_by: 'u1', created_at: 'x', updated_at: 'x', version: 3 };
    expect(normalizeSpace({ ...base, access: { edit: true, manage: false } })).toMatchObject({ visibility: 'members', role: 'editor', version: 3 });
    expect(normalizeSpace({ ...base, access: { edit: false, manage: false } }).role).toBe('viewer');
    expect(normalizeSpace({ ...base, document_count: 4 })).toMatchObject({ role: undefined, document_count: 4 });
  });

  it('reads tree nodes with "" for the top', () => {
    expect(normalizeTreeDoc({ id: 'd', parent_id: '', title: 't', rank: 'a0', status: 'published', has_children: true, depth: 0 })).toEqual({
      id: 'd',
      parent_id: null,
      title: 't',
      rank: 'a0',
      status: 'published',
      has_children: true,
    });
  });

  it('reads a document with its toc, category path, attachments, space and access', () => {
    const d = normalizeDocument({
      id: 'd1',
      space_id: 's1',
      parent_id: null,
      rank: 'a0',
      title: '설치',
      body: '# 설치',
      html: '<h1 id="h-설치">설치</h1>',
      toc: [{ level: 1, text: '설치', id: 'h-설치' }],
      status: 'draft',
      tags: ['온보딩'],
      category: { id: 'c1', name: '백엔드', path: '엔지니어링 › 백엔드' },
      version: 2,
      created_by: { id: 'u1', name: '김민지' },
      updated_by: { id: 'u1', name: '김민지' },
      created_at: 'x',
      updated_at: 'y',
      backlinks: [{ id: 'd2', title: 'FAQ', space_id: 's1' }],
      breadcrumbs: [{ id: 'd0', title: 'Guide' }],
      attachments: [{ id: 'a1', document_id: 'd1', name: '그림.png', content_type: 'image/png', size: 10, created_at: 'x', has_thumbnail: true, url: '/api/v1/attachments/a1/content' }],
      space: { id: 's1', name: '운영', icon: '🛠️', archived: false },
      has_draft: true,
      access: { edit: true, manage: false },
    });
    expect(d).toMatchObject({
      status: 'draft',
      toc: [{ level: 1, text: '설치', id: 'h-설치' }],
      category: { id: 'c1', path: '엔지니어링 › 백엔드' },
      attachments: [{ id: 'a1', name: '그림.png', has_thumbnail: true }],
      has_draft: true,
      access: { edit: true, manage: false },
      space_name: '운영',
      breadcrumbs: [{ id: 'd0', title: 'Guide' }],
    });
  });

  it('reads a diff answer with word spans', () => {
    const lines = normalizeDiff({
      from: 1,
      to: 2,
      lines: [
        { op: 'equal', text: 'a', old_line: 1, new_line: 1 },
        { op: 'delete', text: 'b c', old_line: 2, words: [{ op: 'equal', text: 'b ' }, { op: 'delete', text: 'c' }] },
      ],
      stats: { insertions: 0, deletions: 1 },
    });
    expect(lines).toEqual([
      { op: 'equal', text: 'a' },
      { op: 'delete', text: 'b c', words: [{ op: 'equal', text: 'b ' }, { op: 'delete', text: 'c' }] },
    ]);
  });

  it('reads share links: the URL only in the creating answer', () => {
    expect(normalizeShare({ id: 'sh', document_id: 'd', include_children: true, expires_at: null, view_count: 3, active: true, created_at: 'x', revoked_at: null })).toMatchObject({
      url: '',
      active: true,
      view_count: 3,
    });
    expect(normalizeShare({ id: 'sh', token: 'T', url: 'https://nexus.example/s/T', active: true }, 'http://o').url).toBe('https://nexus.example/s/T');
    expect(normalizeShare({ id: 'sh', token: 'T' }, 'http://o').url).toBe('http://o/s/T');
  });

  it('reads categories with paths and counts, flat or nested', () => {
    expect(normalizeCategories({ items: [{ id: 'c1', parent_id: null, name: 'Eng', path: 'Eng', depth: 0, document_count: 1, total_count: 3, version: 1 }] })[0]).toMatchObject({
      count: 1,
      total: 3,
      path: 'Eng',
    });
    expect(normalizeCategories([{ id: 'a', name: 'A', children: [{ id: 'b', name: 'B' }] }]).map((c) => [c.id, c.parent_id])).toEqual([
      ['a', null],
      ['b', 'a'],
    ]);
  });
});

describe('realtime events', () => {
  it('reads document events as the gateway sends them', () => {
    expect(toKbEvent({ seq: 4, type: 'document.updated', resource_type: 'document', resource_id: 'd1', data: { space_id: 's1', version: 5 } })).toEqual({
      type: 'document.updated',
      documentId: 'd1',
      spaceId: 's1',
      actorId: null,
      version: 5,
    });
    expect(toKbEvent({ seq: 5, type: 'space.updated', resource_type: 'space', resource_id: 's1', data: {} })).toMatchObject({ spaceId: 's1', documentId: null });
  });
});
