import { useRef, useState, type FormEvent } from 'react';
import { useUser } from '../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, type FormError } from '../auth/formErrors';
import { ConfirmDialog, Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, Spinner, SubmitButton, TextField } from '../components/Form';
import { ArrowLeftIcon, PlusIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { Link } from '../router';
import type { Template } from './api';
import { useKbApi, useLoad } from './hooks';
import { TemplateIcon } from './icons';
import { LazyMarkdownEditor, usePlaceholders } from './LazyEditor';
import { MoreButton } from './PopupMenu';
import { spacePath, useOptionalSpace } from './SpaceShell';

function TemplateDialog({
  template,
  spaceId,
  onClose,
  onSaved,
}: {
  template: Template | null;
  spaceId: string | null;
  onClose: () => void;
  onSaved: (t: Template, created: boolean) => void;
}) {
  const { t } = useI18n();
  const api = useKbApi();
  const placeholders = usePlaceholders();
  const [name, setName] = useState(template?.name ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [title, setTitle] = useState(template?.title ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    if (!name.trim()) {
      setNameError(t('kb.templates.nameRequired'));
      ref.current?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const input = { name: name.trim(), description: description.trim(), title: title.trim(), body };
      const saved = template
        ? await api.updateTemplate(template.id, { ...input, version: template.version })
        : await api.createTemplate({ ...input, space_id: spaceId });
      onSaved(saved, !template);
      onClose();
    } catch (err) {
      setBusy(false);
      if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        ref.current?.focus();
      } else setError(errorFrom(err, { conflict: 'errors.staleVersion', 'status:403': 'kb.templates.forbidden' }));
    }
  }

  return (
    <Dialog title={template ? t('kb.templates.editTitle') : t('kb.templates.createTitle')} onClose={onClose} size="lg">
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <div className="form__grid">
          <TextField label={t('kb.templates.name')} value={name} onChange={(e) => setName(e.target.value)} error={nameError} inputRef={ref} autoComplete="off" data-autofocus />
          <TextField label={t('kb.templates.docTitle')} hint={t('kb.templates.docTitleHint')} value={title} onChange={(e) => setTitle(e.target.value)} autoComplete="off" />
        </div>
        <TextField label={t('kb.templates.description')} hint={t('common.optional')} value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        <div className="field">
          <span className="field__label" id="kb-template-body-label">
            {t('kb.templates.body')}
          </span>
          <div className="kb-template-editor">
            <LazyMarkdownEditor initialValue={body} onChange={setBody} ariaLabel={t('kb.templates.body')} ariaDescribedBy="kb-template-hint" placeholders={placeholders} minimal />
          </div>
          <p className="field__hint" id="kb-template-hint">
            {t('kb.templates.variables')}
          </p>
        </div>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{template ? t('common.save') : t('kb.templates.createSubmit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Templates of a space (/kb/s/:space/templates) or of the whole organization (/kb/templates). */
export function TemplatesPage({ spaceId }: { spaceId: string | null }) {
  const { t } = useI18n();
  const me = useUser();
  const api = useKbApi();
  const toast = useToast();
  const fmt = useFormat();
  const space = useOptionalSpace();
  useDocumentTitle(spaceId ? 'kb.templates.title' : 'kb.templates.orgTitle');
  const list = useLoad<Template[]>(`templates:${spaceId ?? 'org'}`, () => api.templates({ space_id: spaceId }));
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Template | null>(null);
  const admin = me.role === 'owner' || me.role === 'admin';
  // Org-wide templates: administrators; a space's: its editors.
  const canWrite = spaceId ? (space?.canEdit ?? false) : admin;
  const items = (list.data ?? []).filter((x) => (spaceId ? x.space_id === spaceId : !x.space_id));
  const inherited = spaceId ? (list.data ?? []).filter((x) => !x.space_id) : [];

  return (
    <div className={spaceId ? 'kb-templates' : 'page kb-page kb-templates'}>
      {!spaceId ? (
        <Link to="/kb" className="back-link">
          <ArrowLeftIcon width={16} height={16} />
          {t('kb.backToSpaces')}
        </Link>
      ) : null}
      <div className="section-header">
        <div className="section-header__text">
          <h1 className="page__title" tabIndex={-1}>
            {spaceId ? t('kb.templates.title') : t('kb.templates.orgTitle')}
          </h1>
          <p className="page__lead">{spaceId ? t('kb.templates.lead', { space: space?.space?.name ?? '' }) : t('kb.templates.orgLead')}</p>
        </div>
        {canWrite ? (
          <div className="section-header__actions">
            <button type="button" className="button button--primary" onClick={() => setEditing('new')}>
              <PlusIcon width={16} height={16} />
              {t('kb.templates.create')}
            </button>
          </div>
        ) : null}
      </div>
      <ErrorAlert error={list.error} />
      {!list.data && !list.error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {list.data && items.length === 0 ? <p className="card kb-empty muted">{t('kb.templates.none')}</p> : null}
      {items.length > 0 ? (
        <ul className="kb-cards" aria-label={t('kb.templates.title')}>
          {items.map((x) => (
            <li key={x.id} className="kb-card">
              <TemplateIcon width={20} height={20} className="kb-card__icon" />
              <div className="kb-card__body">
                <p className="kb-card__title">{x.name}</p>
                {x.description ? <p className="kb-card__desc">{x.description}</p> : null}
                {x.updated_at ? <p className="kb-card__meta">{t('kb.templates.updated', { when: fmt.relative(x.updated_at) })}</p> : null}
              </div>
              <div className="kb-card__actions">
                {space && space.canEdit ? (
                  <button type="button" className="button button--small" onClick={() => space.newDocument(null, x.id)}>
                    {t('kb.templates.use')}
                  </button>
                ) : null}
                {canWrite ? (
                  <MoreButton
                    label={t('kb.templates.actionsFor', { name: x.name })}
                    actions={[
                      { label: t('kb.templates.edit'), onSelect: () => setEditing(x) },
                      { label: t('kb.templates.delete'), onSelect: () => setDeleting(x), danger: true },
                    ]}
                  >
                    <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                      <circle cx="4.75" cy="10" r="1.3" fill="currentColor" />
                      <circle cx="10" cy="10" r="1.3" fill="currentColor" />
                      <circle cx="15.25" cy="10" r="1.3" fill="currentColor" />
                    </svg>
                  </MoreButton>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {spaceId && inherited.length > 0 ? (
        <section aria-labelledby="kb-org-templates">
          <h2 id="kb-org-templates" className="kb-subtitle">
            {t('kb.templates.orgTitle')}
          </h2>
          <ul className="kb-cards">
            {inherited.map((x) => (
              <li key={x.id} className="kb-card">
                <TemplateIcon width={20} height={20} className="kb-card__icon" />
                <div className="kb-card__body">
                  <p className="kb-card__title">{x.name}</p>
                  {x.description ? <p className="kb-card__desc">{x.description}</p> : null}
                </div>
                {space && space.canEdit ? (
                  <div className="kb-card__actions">
                    <button type="button" className="button button--small" onClick={() => space.newDocument(null, x.id)}>
                      {t('kb.templates.use')}
                    </button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {spaceId ? (
        <p>
          <Link to={spacePath(spaceId)}>{t('kb.backToSpace')}</Link>
        </p>
      ) : null}
      {editing ? (
        <TemplateDialog
          template={editing === 'new' ? null : editing}
          spaceId={spaceId}
          onClose={() => setEditing(null)}
          onSaved={(x, created) => {
            toast(created ? t('kb.templates.created', { name: x.name }) : t('kb.templates.saved'));
            list.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          danger
          title={t('kb.templates.deleteTitle', { name: deleting.name })}
          body={t('kb.templates.deleteBody')}
          confirmLabel={t('kb.templates.delete')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteTemplate(deleting.id);
            toast(t('kb.templates.deleted', { name: deleting.name }));
            list.reload();
          }}
        />
      ) : null}
    </div>
  );
}
