import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { ApiClient } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { copyText, downloadBlob } from '../components/CopyField';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { ATTACHMENT_URL } from './api';

// Rendered markdown from the server. The server sanitizes it (goldmark +
// bluemonday); this component only inserts the API's `html` field, never
// text from anywhere else. Attachment images need the Bearer token, so
// before insertion their src moves to data-kb-src (parsing in an inert
// DOMParser document loads nothing) and they are then fetched as blobs.

const blobs = new Map<string, Promise<string | null>>();

/** A blob: URL for an authenticated GET, fetched once per tab (images, thumbnails). */
export function loadBlob(client: ApiClient, url: string): Promise<string | null> {
  let p = blobs.get(url);
  if (!p) {
    p = client.blob(url).then(
      ({ blob }) => URL.createObjectURL(blob),
      () => {
        blobs.delete(url);
        return null;
      },
    );
    blobs.set(url, p);
  }
  return p;
}

/** The blob: URL of an authenticated image, or null while loading / on failure. */
export function useBlobUrl(url: string | null): string | null {
  const { client } = useAuth();
  const [state, setState] = useState<{ url: string; src: string | null } | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    void loadBlob(client, url).then((src) => live && setState({ url, src }));
    return () => {
      live = false;
    };
  }, [client, url]);
  return url && state?.url === url ? state.src : null;
}

/** Rewrites attachment URLs so nothing loads before the authenticated fetch. Exported for tests. */
export function prepareHtml(html: string): string {
  if (!html || typeof DOMParser === 'undefined') return html;
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  for (const img of Array.from(doc.body.querySelectorAll('img[src]'))) {
    const src = img.getAttribute('src') ?? '';
    if (ATTACHMENT_URL.test(src)) {
      img.setAttribute('data-kb-src', src.replace(/^https?:\/\/[^/]+/, ''));
      img.removeAttribute('src');
      img.classList.add('kb-img--loading');
    }
    img.setAttribute('loading', 'lazy');
  }
  for (const a of Array.from(doc.body.querySelectorAll('a[href]'))) {
    const href = a.getAttribute('href') ?? '';
    const m = ATTACHMENT_URL.exec(href);
    if (m) a.setAttribute('data-kb-download', href.replace(/^https?:\/\/[^/]+/, ''));
  }
  return doc.body.innerHTML;
}

/** Scrolls to the element with this id (a heading anchor), if it exists. */
export function scrollToAnchor(id: string, smooth = true): boolean {
  if (!id) return false;
  const el = document.getElementById(id);
  if (!el) return false;
  const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView?.({ behavior: smooth && !reduce ? 'smooth' : 'auto', block: 'start' });
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: true });
  return true;
}

export function RenderedHtml({ html, className, label }: { html: string; className?: string; label?: string }) {
  const { client } = useAuth();
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const prepared = useMemo(() => prepareHtml(html), [html]);

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    let live = true;
    for (const img of Array.from(root.querySelectorAll<HTMLImageElement>('img[data-kb-src]'))) {
      const url = img.dataset.kbSrc ?? '';
      void loadBlob(client, url).then((src) => {
        if (!live) return;
        img.classList.remove('kb-img--loading');
        if (src) img.src = src;
        else img.classList.add('kb-img--broken');
      });
    }
    // A copy button on every code block (the server wraps them in div.codeblock).
    for (const block of Array.from(root.querySelectorAll<HTMLElement>('.codeblock'))) {
      if (block.querySelector('.kb-copy-code')) continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button--small kb-copy-code';
      button.textContent = t('kb.doc.copyCode');
      button.addEventListener('click', () => {
        const code = block.querySelector('code')?.textContent ?? block.textContent ?? '';
        void copyText(code).then((ok) => {
          if (ok) button.textContent = t('kb.doc.codeCopied');
          setTimeout(() => (button.textContent = t('kb.doc.copyCode')), 1500);
        });
      });
      block.appendChild(button);
    }
    return () => {
      live = false;
    };
  }, [client, prepared, t]);

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as HTMLElement).closest('a');
    if (!a || !ref.current?.contains(a)) return;
    const href = a.getAttribute('href') ?? '';
    const download = a.getAttribute('data-kb-download');
    if (download) {
      e.preventDefault();
      void client.blob(download).then(
        ({ blob, filename }) => downloadBlob(filename ?? a.textContent ?? 'download', blob),
        () => undefined,
      );
      return;
    }
    if (href.startsWith('#')) {
      e.preventDefault();
      let id = href.slice(1);
      try {
        id = decodeURIComponent(id);
      } catch {
        /* keep as is */
      }
      if (scrollToAnchor(id)) window.history.replaceState(window.history.state, '', `#${encodeURIComponent(id)}`);
      return;
    }
    // In-app links (e.g. [[Title]] → /kb/doc/<id>) navigate without a reload.
    if (href.startsWith('/') && !href.startsWith('//') && !href.startsWith('/api/') && !href.startsWith('/s/') && a.target !== '_blank') {
      e.preventDefault();
      navigate(href);
    }
  };

  return (
    <div
      ref={ref}
      className={`kb-prose${className ? ` ${className}` : ''}`}
      aria-label={label}
      role={label ? 'region' : undefined}
      onClick={onClick}
      // The server sanitized this HTML; see the comment at the top of this file.
      dangerouslySetInnerHTML={{ __html: prepared }}
    />
  );
}
