import { useId, useRef, useState, type FormEvent } from 'react';
import { errorFrom, type FormError } from '../../auth/formErrors';
import { Dialog, DialogActions } from '../../components/Dialog';
import { ErrorAlert, SubmitButton } from '../../components/Form';
import { useI18n } from '../../i18n';
import type { ImportResult } from '../api';
import { useKbApi } from '../hooks';

const ACCEPT = '.md,.markdown,.txt,.zip,text/markdown,text/plain,application/zip';

/** Import Markdown files or a zip (as exported) into a space, optionally under a document. */
export function ImportDialog({
  spaceId,
  parent,
  onClose,
  onImported,
}: {
  spaceId: string;
  parent: { id: string; title: string } | null;
  onClose: () => void;
  onImported: (r: ImportResult) => void;
}) {
  const { t } = useI18n();
  const api = useKbApi();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!file) {
      setFileError(t('kb.import.fileRequired'));
      input.current?.focus();
      return;
    }
    setFileError(undefined);
    setError(null);
    setBusy(true);
    try {
      const r = await api.importInto(spaceId, file, parent?.id ?? null);
      onImported(r);
      onClose();
    } catch (err) {
      setBusy(false);
      setError(
        errorFrom(err, {
          too_large: 'kb.import.tooLarge',
          compression_ratio: 'kb.import.tooLarge',
          too_many_entries: 'kb.import.tooMany',
          path_traversal: 'kb.import.unsafe',
          absolute_path: 'kb.import.unsafe',
          bad_path: 'kb.import.unsafe',
          symlink: 'kb.import.unsafe',
          special_file: 'kb.import.unsafe',
          file_type: 'kb.import.unsupported',
          bad_zip: 'kb.import.badZip',
          encoding: 'kb.import.encoding',
          empty: 'kb.import.empty',
          'status:413': 'kb.import.tooLarge',
        }),
      );
    }
  }

  return (
    <Dialog
      title={parent ? t('kb.import.titleInto', { title: parent.title || t('kb.doc.untitled') }) : t('kb.import.title')}
      description={t('kb.import.lead')}
      onClose={onClose}
    >
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <div className={`field${fileError ? ' field--invalid' : ''}`}>
          <label className="field__label" htmlFor={id}>
            {t('kb.import.file')}
          </label>
          <input
            id={id}
            ref={input}
            className="kb-file-input"
            type="file"
            accept={ACCEPT}
            aria-describedby={`${id}-hint${fileError ? ` ${id}-error` : ''}`}
            aria-invalid={fileError ? true : undefined}
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-autofocus
          />
          {fileError ? (
            <p className="field__error" id={`${id}-error`}>
              {fileError}
            </p>
          ) : null}
          <p className="field__hint" id={`${id}-hint`}>
            {t('kb.import.hint')}
          </p>
        </div>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('kb.import.submit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
