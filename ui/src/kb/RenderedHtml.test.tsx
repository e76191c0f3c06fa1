import { describe, expect, it } from 'vitest';
import { prepareHtml } from './RenderedHtml';

describe('prepareHtml', () => {
  it('keeps attachment images from loading until they are fetched with the token', () => {
    const out = prepareHtml('<p><img src="/api/v1/attachments/0192-a/content" alt="그림"> <img src="https://example.com/x.png" alt="x"></p>');
    const doc = new DOMParser().parseFromString(out, 'text/html');
    const [own, other] = Array.from(doc.querySelectorAll('img'));
    expect(own?.getAttribute('src')).toBeNull();
    expect(own?.getAttribute('data-kb-src')).toBe('/api/v1/attachments/0192-a/content');
    expect(own?.classList.contains('kb-img--loading')).toBe(true);
    expect(other?.getAttribute('src')).toBe('https://example.com/x.png');
  });

  it('marks links to attachments as authenticated downloads, absolute ones included', () => {
    const out = prepareHtml('<a href="http://nexus.local/api/v1/attachments/a1/content">report.pdf</a><a href="/kb/doc/d1">doc</a>');
    const doc = new DOMParser().parseFromString(out, 'text/html');
    const [file, page] = Array.from(doc.querySelectorAll('a'));
    expect(file?.getAttribute('data-kb-download')).toBe('/api/v1/attachments/a1/content');
    expect(page?.hasAttribute('data-kb-download')).toBe(false);
  });
});
