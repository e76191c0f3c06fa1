import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, Notice, SelectField, SubmitButton, TextField } from '../components/Form';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { listSpaces, promoteMessage } from './api';
import type { Message, Space } from './types';

/** A title from the message's first line, without markdown decoration. */
export function titleFrom(body: string): string {
  const line = body.split('\n').find((l) => l.trim()) ?? '';
  const plain = line
    .replace(/^#{1,6}\s+/, '')
    .replace(/[*_`~>]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
  const chars = Array.from(plain);
  return chars.length > 120 ? `${chars.slice(0, 119).join('')}…` : plain;
}

/** "Promote to document": pick a space and a title; the new document links back to the message. */
export function PromoteDialog({ message, onClose, onDone }: { message: Message; onClose: () => void; onDone: (docId: string) => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [spaceId, setSpaceId] = useState('');
  const [title, setTitle] = useState(() => titleFrom(message.body));
  const [titleError, setTitleError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const [docId, setDocId] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    listSpaces(client).then(
      (list) => {
        if (!live) return;
        setSpaces(list);
        setSpaceId((cur) => cur || list[0]?.id || '');
      },
      (err: unknown) => {
        if (!live) return;
        setSpaces([]);
        setError(errorFrom(err));
      },
    );
    return () => {
      live = false;
    };
  }, [client]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!title.trim()) {
      setTitleError(t('chat.promote.titleRequired'));
      return;
    }
    setTitleError(undefined);
    setError(null);
    setBusy(true);
    try {
      const id = await promoteMessage(client, message.id, { space_id: spaceId, title: title.trim() });
      setDocId(id);
      onDone(id);
    } catch (err) {
      setError(errorFrom(err, { 'status:403': 'chat.promote.forbidden' }));
    } finally {
      setBusy(false);
    }
  }

  if (docId) {
    return (
      <Dialog title={t('chat.promote.doneTitle')} onClose={onClose} size="sm">
        <Notice tone="success">{t('chat.promote.done')}</Notice>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.close')}
          </button>
          <Link to={`/kb/doc/${encodeURIComponent(docId)}`} className="button button--primary" data-autofocus onClick={onClose}>
            {t('chat.promote.open')}
          </Link>
        </DialogActions>
      </Dialog>
    );
  }

  return (
    <Dialog title={t('chat.promote.title')} description={t('chat.promote.lead')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        {spaces && spaces.length === 0 && !error ? <Notice tone="warning">{t('chat.promote.noSpaces')}</Notice> : null}
        <SelectField label={t('chat.promote.space')} value={spaceId} onChange={(e) => setSpaceId(e.target.value)} disabled={!spaces || spaces.length === 0}>
          {(spaces ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <TextField label={t('chat.promote.docTitle')} value={title} onChange={(e) => setTitle(e.target.value)} error={titleError} maxLength={200} />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} disabled={!spaceId}>
            {t('chat.promote.submit')}
          </SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
