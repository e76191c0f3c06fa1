import { describe, expect, it } from 'vitest';
import { applyEdit, attachmentMarkdown, formatEdit, type Format } from './markdown';

/** Applies a format to text where « and » mark the selection; returns the result with the new selection marked. */
function run(marked: string, f: Format): string {
  const from = marked.indexOf('«');
  const to = marked.indexOf('»') - 1;
  const text = marked.replace('«', '').replace('»', '');
  const e = formatEdit(text, from, to, f);
  const out = applyEdit(text, e);
  const [a, b] = [Math.min(e.anchor, e.head), Math.max(e.anchor, e.head)];
  return `${out.slice(0, a)}«${out.slice(a, b)}»${out.slice(b)}`;
}

describe('formatEdit', () => {
  it('wraps and unwraps inline formats', () => {
    expect(run('say «안녕» now', 'bold')).toBe('say **«안녕»** now');
    expect(run('say **«안녕»** now', 'bold')).toBe('say «안녕» now');
    expect(run('say «**안녕**» now', 'bold')).toBe('say «안녕» now');
    expect(run('x «word »y', 'italic')).toBe('x _«word»_ y');
    expect(run('«»', 'code')).toBe('`«code»`');
    expect(run('«gone»', 'strike')).toBe('~~«gone»~~');
  });

  it('sets, changes and removes headings on the current line', () => {
    expect(run('제목«»', 'h2')).toBe('## 제목«»');
    expect(run('## 제목«»', 'h1')).toBe('# 제목«»');
    expect(run('## 제목«»', 'h2')).toBe('제목«»');
    expect(run('«»', 'h2')).toBe('## «Heading»');
  });

  it('toggles list, task and quote prefixes on every selected line', () => {
    expect(run('«a\nb»', 'bullet')).toBe('«- a\n- b»');
    expect(run('«- a\n- b»', 'bullet')).toBe('«a\nb»');
    expect(run('«a\nb\nc»', 'ordered')).toBe('«1. a\n2. b\n3. c»');
    expect(run('«- a»', 'task')).toBe('«- [ ] a»');
    expect(run('«- [x] done»', 'task')).toBe('«done»');
    expect(run('«인용»', 'quote')).toBe('«> 인용»');
  });

  it('makes links, selecting what to type next', () => {
    expect(run('see «docs»', 'link')).toBe('see [docs](«https://»)');
    expect(run('«https://example.com»', 'link')).toBe('[«link text»](https://example.com)');
    expect(run('«»', 'link')).toBe('[«link text»](https://)');
  });

  it('inserts blocks on their own lines', () => {
    expect(run('para«»', 'codeblock')).toBe('para\n\n```\n«code»\n```\n');
    expect(run('«»', 'table')).toBe('| «Column 1» | Column 2 | Column 3 |\n| --- | --- | --- |\n|  |  |  |\n|  |  |  |\n');
  });
});

describe('attachmentMarkdown', () => {
  it('embeds images, links other files, escapes brackets', () => {
    expect(attachmentMarkdown('스크린샷 [1].png', '/api/v1/attachments/a1/content', true)).toBe('![스크린샷 \\[1\\].png](/api/v1/attachments/a1/content)');
    expect(attachmentMarkdown('report.pdf', '/api/v1/attachments/a2/content', false)).toBe('[report.pdf](/api/v1/attachments/a2/content)');
  });
});
