import { useEffect, useMemo, useState } from 'react';
import type { MailMessage, MailSummary } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { copyText } from '../../components/CopyField';
import { ErrorAlert, Spinner } from '../../components/Form';
import { ArrowLeftIcon, CheckIcon, CopyIcon } from '../../components/Icons';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n, type MessageKey } from '../../i18n';
import { useFormat } from '../../lib/format';
import { usePaged } from '../../lib/usePaged';
import { Link } from '../../router';

const KINDS: Record<string, MessageKey> = {
  invitation: 'admin.mail.kind.invitation',
  password_reset: 'admin.mail.kind.password_reset',
  email_changed: 'admin.mail.kind.email_changed',
  password_changed: 'admin.mail.kind.password_changed',
};

const STATUSES: Record<string, MessageKey> = {
  stored: 'admin.mail.status.stored',
  queued: 'admin.mail.status.queued',
  sent: 'admin.mail.status.sent',
  failed: 'admin.mail.status.failed',
};

/** Every http(s) link in a message: the HTML's anchors (parsed inertly, never run) and URLs in the text. */
export function extractLinks(html: string, text: string): string[] {
  const found: string[] = [];
  if (html && typeof DOMParser !== 'undefined') {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    doc.querySelectorAll('a[href]').forEach((a) => {
      const href = a.getAttribute('href') ?? '';
      if (/^https?:\/\//i.test(href)) found.push(href);
    });
  }
  for (const m of text.matchAll(/https?:\/\/[^\s<>"')\]]+/gi)) found.push(m[0].replace(/[.,;:!?]+$/, ''));
  return [...new Set(found)];
}

export function MailSection() {
  const { t } = useI18n();
  const fmt = useFormat();
  useDocumentTitle('admin.mail.docTitle');
  const mail = usePaged<MailSummary>('/api/v1/mail');
  return (
    <div className="section section--wide">
      <SectionHeader title={t('admin.mail.title')} lead={t('admin.mail.lead')} />
      <ErrorAlert error={mail.error} />
      <Panel>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('admin.mail.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.mail.col.subject')}</th>
                <th scope="col">{t('admin.mail.col.to')}</th>
                <th scope="col" className="hide-narrow">
                  {t('admin.mail.col.kind')}
                </th>
                <th scope="col" className="hide-narrow">
                  {t('admin.mail.col.status')}
                </th>
                <th scope="col" className="hide-narrow">
                  {t('admin.mail.col.created')}
                </th>
              </tr>
            </thead>
            <tbody>
              {(mail.items ?? []).map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link to={`/admin/mail/${encodeURIComponent(m.id)}`} className="cell-link">
                      {m.subject || t('admin.mail.noSubject')}
                    </Link>
                  </td>
                  <td className="cell-email">{m.to}</td>
                  <td className="hide-narrow">{KINDS[m.kind] ? t(KINDS[m.kind]!) : m.kind}</td>
                  <td className="hide-narrow">
                    <span className={`status status--${m.status}`}>{STATUSES[m.status] ? t(STATUSES[m.status]!) : m.status}</span>
                  </td>
                  <td className="hide-narrow nowrap">
                    <time dateTime={m.created_at} title={fmt.dateTime(m.created_at)}>
                      {fmt.relative(m.created_at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {mail.items && mail.items.length === 0 ? <p className="empty">{t('admin.mail.none')}</p> : null}
        {!mail.items && mail.loading ? (
          <div className="pending" role="status" aria-label={t('common.loading')}>
            <Spinner />
          </div>
        ) : null}
        {mail.hasMore ? (
          <div className="panel__more">
            <button type="button" className="button" onClick={mail.loadMore}>
              {t('common.loadMore')}
            </button>
          </div>
        ) : null}
      </Panel>
    </div>
  );
}

/** /admin/mail/:id: one message — its links (to copy), the HTML in a script-less sandbox, and the text. */
export function MailMessageSection({ id }: { id: string }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const fmt = useFormat();
  useDocumentTitle('admin.mail.docTitle');
  const [message, setMessage] = useState<MailMessage | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [view, setView] = useState<'html' | 'text'>('html');

  useEffect(() => {
    let live = true;
    client.request<MailMessage>(`/api/v1/mail/${encodeURIComponent(id)}`).then(
      (m) => {
        if (!live) return;
        setMessage(m);
        if (!m.html) setView('text');
      },
      (err: unknown) => live && setError(errorFrom(err)),
    );
    return () => {
      live = false;
    };
  }, [client, id]);

  const links = useMemo(() => (message ? extractLinks(message.html ?? '', message.text ?? '') : []), [message]);

  return (
    <div className="section section--wide">
      <Link to="/admin/mail" className="back-link">
        <ArrowLeftIcon width={16} height={16} />
        {t('admin.mail.back')}
      </Link>
      <SectionHeader title={message?.subject || t('admin.mail.messageTitle')} />
      <ErrorAlert error={error} />
      {!message && !error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {message ? (
        <>
          <Panel>
            <dl className="kv kv--panel">
              <div>
                <dt>{t('admin.mail.col.to')}</dt>
                <dd>{message.to}</dd>
              </div>
              <div>
                <dt>{t('admin.mail.col.kind')}</dt>
                <dd>{KINDS[message.kind] ? t(KINDS[message.kind]!) : message.kind}</dd>
              </div>
              <div>
                <dt>{t('admin.mail.col.status')}</dt>
                <dd>
                  <span className={`status status--${message.status}`}>
                    {STATUSES[message.status] ? t(STATUSES[message.status]!) : message.status}
                  </span>
                  {message.status === 'stored' ? <span className="muted"> · {t('admin.mail.storedHint')}</span> : null}
                </dd>
              </div>
              <div>
                <dt>{t('admin.mail.col.created')}</dt>
                <dd>{fmt.dateTime(message.created_at)}</dd>
              </div>
              {message.sent_at ? (
                <div>
                  <dt>{t('admin.mail.sentAt')}</dt>
                  <dd>{fmt.dateTime(message.sent_at)}</dd>
                </div>
              ) : null}
              {message.error ? (
                <div>
                  <dt>{t('admin.mail.error')}</dt>
                  <dd className="danger-text">{message.error}</dd>
                </div>
              ) : null}
            </dl>
          </Panel>
          {links.length > 0 ? (
            <Panel title={t('admin.mail.links')} description={t('admin.mail.linksLead')}>
              <ul className="links" aria-label={t('admin.mail.links')}>
                {links.map((href) => (
                  <LinkRow key={href} href={href} />
                ))}
              </ul>
            </Panel>
          ) : null}
          <Panel>
            <div className="segmented segmented--tabs" role="group" aria-label={t('admin.mail.view')}>
              <button
                type="button"
                className="segmented__item"
                aria-pressed={view === 'html'}
                disabled={!message.html}
                onClick={() => setView('html')}
              >
                {t('admin.mail.viewHtml')}
              </button>
              <button type="button" className="segmented__item" aria-pressed={view === 'text'} onClick={() => setView('text')}>
                {t('admin.mail.viewText')}
              </button>
            </div>
            {view === 'html' && message.html ? (
              // sandbox="" : no scripts, no forms, no navigation, an opaque origin.
              <iframe className="mail-frame" title={t('admin.mail.htmlFrame')} sandbox="" srcDoc={message.html} />
            ) : (
              <pre className="mail-text">{message.text}</pre>
            )}
          </Panel>
        </>
      ) : null}
    </div>
  );
}

function LinkRow({ href }: { href: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <li className="links__item">
      <a className="links__url" href={href} target="_blank" rel="noopener noreferrer">
        {href}
      </a>
      <button type="button" className="button button--small" onClick={() => void copyText(href).then(setCopied)}>
        {copied ? <CheckIcon width={16} height={16} /> : <CopyIcon width={16} height={16} />}
        {copied ? t('common.copied') : t('common.copy')}
      </button>
    </li>
  );
}
