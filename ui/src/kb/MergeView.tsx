import { useMemo, useRef, useState, type FormEvent } from 'react';
import { ErrorAlert, Notice, SubmitButton, TextField } from '../components/Form';
import type { FormError } from '../auth/formErrors';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { diffText, hasConflictMarkers, merge3 } from './diff';
import { DiffModeToggle, DiffView, useDiffMode } from './DiffView';
import { LazyMarkdownEditor, usePlaceholders, type EditorHandle } from './LazyEditor';

export interface TextVersion {
  title: string;
  body: string;
}

export interface ServerVersion extends TextVersion {
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

/** The merged text to start from: a three-way merge when the common base is known, else the user's own text. */
export function initialMerge(base: TextVersion | null, mine: TextVersion, theirs: TextVersion, labels: { mine: string; theirs: string }) {
  if (!base) return { title: mine.title, body: mine.body, conflicts: 0, auto: false };
  const r = merge3(base.body, mine.body, theirs.body, labels.mine, labels.theirs);
  const title = mine.title === base.title ? theirs.title : mine.title;
  return { title, body: r.text, conflicts: r.conflicts, auto: true };
}

/**
 * A 409 on publish: someone published a newer version while this user was
 * editing. Shows both texts side by side (differences highlighted), lets
 * the user edit the merged text, and publishes it against the new version.
 * Nothing is ever overwritten without this step.
 */
export function MergeView({
  mine,
  theirs,
  base,
  busy,
  error,
  onCancel,
  onPublish,
}: {
  mine: TextVersion;
  theirs: ServerVersion;
  base: TextVersion | null;
  busy: boolean;
  error: FormError | null;
  onCancel: (merged: TextVersion) => void;
  onPublish: (merged: TextVersion, message: string) => void;
}) {
  const { t } = useI18n();
  const fmt = useFormat();
  const placeholders = usePlaceholders();
  const labels = { mine: t('kb.merge.mineMarker'), theirs: t('kb.merge.theirsMarker', { n: theirs.version }) };
  const start = useMemo(() => initialMerge(base, mine, theirs, labels), [base, mine, theirs]);
  const [title, setTitle] = useState(start.title);
  const [body, setBody] = useState(start.body);
  const [message, setMessage] = useState(t('kb.merge.defaultMessage'));
  const [markerError, setMarkerError] = useState(false);
  const [mode, setMode] = useDiffMode();
  const editor = useRef<EditorHandle>(null);
  const lines = useMemo(() => diffText(mine.body, theirs.body), [mine.body, theirs.body]);

  const use = (text: string) => {
    setBody(text);
    editor.current?.setValue(text);
    setMarkerError(false);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (hasConflictMarkers(body)) {
      setMarkerError(true);
      editor.current?.focus();
      return;
    }
    onPublish({ title: title.trim() || mine.title, body }, message.trim());
  };

  const theirsLabel = t('kb.merge.theirs', { n: theirs.version });
  return (
    <section className="kb-merge" aria-labelledby="kb-merge-title">
      <h2 id="kb-merge-title" className="kb-merge__title" tabIndex={-1}>
        {t('kb.merge.title')}
      </h2>
      <Notice tone="warning">
        {t('kb.merge.lead', { n: theirs.version })}
        {theirs.updatedAt ? ` ${t('kb.merge.when', { when: fmt.relative(theirs.updatedAt) })}` : ''}
      </Notice>

      {mine.title !== theirs.title ? (
        <div className="kb-merge__titles">
          <p>
            <span className="muted">{t('kb.merge.yourTitle')}</span> <strong>{mine.title}</strong>
          </p>
          <p>
            <span className="muted">{t('kb.merge.theirTitle')}</span> <strong>{theirs.title}</strong>
          </p>
        </div>
      ) : null}

      <div className="kb-merge__compare">
        <div className="kb-merge__compare-head">
          <h3 className="kb-subtitle">{t('kb.merge.compare')}</h3>
          <DiffModeToggle mode={mode} onChange={setMode} />
        </div>
        <DiffView lines={lines} mode={mode} leftLabel={t('kb.merge.mine')} rightLabel={theirsLabel} />
      </div>

      <form className="kb-merge__form stack" onSubmit={submit} noValidate aria-busy={busy}>
        <h3 className="kb-subtitle">{t('kb.merge.result')}</h3>
        <p className="muted">{start.auto ? (start.conflicts > 0 ? t('kb.merge.autoConflicts', { count: start.conflicts }) : t('kb.merge.autoClean')) : t('kb.merge.startMine')}</p>
        <div className="row">
          <button type="button" className="button button--small" onClick={() => use(mine.body)}>
            {t('kb.merge.useMine')}
          </button>
          <button type="button" className="button button--small" onClick={() => use(theirs.body)}>
            {t('kb.merge.useTheirs')}
          </button>
          {base ? (
            <button type="button" className="button button--small" onClick={() => use(start.body)}>
              {t('kb.merge.useAuto')}
            </button>
          ) : null}
        </div>
        <TextField label={t('kb.merge.mergedTitle')} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={255} />
        <div className={`kb-merge__editor${markerError ? ' is-invalid' : ''}`}>
          <LazyMarkdownEditor
            editorRef={editor}
            initialValue={start.body}
            onChange={(v) => {
              setBody(v);
              if (markerError && !hasConflictMarkers(v)) setMarkerError(false);
            }}
            ariaLabel={t('kb.merge.mergedBody')}
            ariaDescribedBy={markerError ? 'kb-merge-marker-error' : undefined}
            placeholders={placeholders}
            minimal
          />
        </div>
        {markerError ? (
          <p className="field__error" id="kb-merge-marker-error" role="alert">
            {t('kb.merge.markersLeft')}
          </p>
        ) : null}
        <TextField label={t('kb.publish.message')} hint={t('common.optional')} value={message} onChange={(e) => setMessage(e.target.value)} maxLength={500} />
        <ErrorAlert error={error} />
        <div className="form__actions">
          <button type="button" className="button" onClick={() => onCancel({ title, body })}>
            {t('kb.merge.back')}
          </button>
          <SubmitButton busy={busy}>{t('kb.merge.publish', { n: theirs.version + 1 })}</SubmitButton>
        </div>
      </form>
    </section>
  );
}
