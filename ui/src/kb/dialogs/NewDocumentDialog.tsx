import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorFrom, fieldErrorText, invalidField, type FormError } from '../../auth/formErrors';
import { Dialog, DialogActions } from '../../components/Dialog';
import { ErrorAlert, SubmitButton, TextField } from '../../components/Form';
import { useI18n } from '../../i18n';
import type { KbDocument, Template } from '../api';
import { useKbApi } from '../hooks';

/** New document: a title, optionally a template (space or organization-wide), under `parent` or at the top. */
export function NewDocumentDialog({
  spaceId,
  parent,
  templateId,
  onClose,
  onCreated,
}: {
  spaceId: string;
  parent: { id: string; title: string } | null;
  templateId?: string;
  onClose: () => void;
  onCreated: (doc: KbDocument) => void;
}) {
  const { t } = useI18n();
  const api = useKbApi();
  const [title, setTitle] = useState('');
  const [titleError, setTitleError] = useState<string | undefined>();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [template, setTemplate] = useState(templateId ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const ref = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    Promise.all([api.templates({ space_id: spaceId }).catch(() => []), api.templates({}).catch(() => [])]).then(([space, org]) => {
      if (!live) return;
      // Only this space's and organization-wide templates apply here (a listing may hold other spaces' too).
      const seen = new Set<string>();
      setTemplates(
        [...space, ...org].filter((x) => (x.space_id === spaceId || !x.space_id) && (seen.has(x.id) ? false : (seen.add(x.id), true))),
      );
    });
    return () => {
      live = false;
    };
  }, [api, spaceId]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    const chosen = templates?.find((x) => x.id === template);
    const name = title.trim();
    if (!name && !chosen) {
      setTitleError(t('kb.newDoc.titleRequired'));
      ref.current?.focus();
      return;
    }
    setTitleError(undefined);
    setBusy(true);
    try {
      const doc = await api.createDocument({
        space_id: spaceId,
        parent_id: parent?.id ?? null,
        title: name || chosen?.name || t('kb.doc.untitled'),
        body: '',
        tags: [],
        status: 'draft',
        ...(template ? { template_id: template } : {}),
      });
      onCreated(doc);
      onClose();
    } catch (err) {
      setBusy(false);
      if (invalidField(err, ['title'] as const)) {
        setTitleError(fieldErrorText(err, t));
        ref.current?.focus();
      } else setError(errorFrom(err));
    }
  }

  return (
    <Dialog title={parent ? t('kb.newDoc.titleChild', { parent: parent.title || t('kb.doc.untitled') }) : t('kb.newDoc.title')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('kb.newDoc.docTitle')}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          error={titleError}
          inputRef={ref}
          autoComplete="off"
          placeholder={t('kb.newDoc.placeholder')}
          data-autofocus
        />
        <fieldset className="radios kb-templates-choice">
          <legend className="field__label">{t('kb.newDoc.template')}</legend>
          <TemplateOption id="" name={t('kb.newDoc.blank')} description={t('kb.newDoc.blankHint')} checked={template === ''} onChange={setTemplate} />
          {(templates ?? []).map((x) => (
            <TemplateOption
              key={x.id}
              id={x.id}
              name={x.name}
              description={x.description || (x.space_id ? t('kb.templates.spaceScope') : t('kb.templates.orgScope'))}
              checked={template === x.id}
              onChange={setTemplate}
            />
          ))}
          {templates === null ? <p className="muted">{t('common.loading')}</p> : null}
        </fieldset>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('kb.newDoc.submit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function TemplateOption({
  id,
  name,
  description,
  checked,
  onChange,
}: {
  id: string;
  name: string;
  description: string;
  checked: boolean;
  onChange: (id: string) => void;
}) {
  const inputId = `tpl-${id || 'blank'}`;
  return (
    <div className={`radio${checked ? ' is-checked' : ''}`}>
      <input id={inputId} type="radio" className="check__input" name="template" checked={checked} onChange={() => onChange(id)} aria-describedby={`${inputId}-desc`} />
      <div className="check__text">
        <label htmlFor={inputId} className="check__label">
          {name}
        </label>
        <p className="check__desc" id={`${inputId}-desc`}>
          {description}
        </p>
      </div>
    </div>
  );
}
