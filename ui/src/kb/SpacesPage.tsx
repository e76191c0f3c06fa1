import { useRef, useState, type FormEvent } from 'react';
import { useUser } from '../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, type FormError } from '../auth/formErrors';
import { Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, RadioGroup, Spinner, SubmitButton, Switch, TextField } from '../components/Form';
import { PlusIcon } from '../components/Icons';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';
import { useFormat } from '../lib/format';
import { Link, navigate } from '../router';
import type { Space, Visibility } from './api';
import { sortSpaces, useKbApi, useLoad, useSpaces } from './hooks';
import { FolderIcon, TemplateIcon } from './icons';

export const ICONS = ['📘', '📗', '📙', '📕', '📚', '🗂️', '🧭', '🛠️', '🚀', '💡', '🧪', '📣', '🏢', '🎨', '🔒', '🌏'];

/** Name, description, icon and visibility: the fields of a space (create dialog and settings page). */
export function SpaceFields({
  name,
  setName,
  nameError,
  nameRef,
  description,
  setDescription,
  icon,
  setIcon,
  visibility,
  setVisibility,
}: {
  name: string;
  setName: (v: string) => void;
  nameError?: string;
  nameRef?: React.Ref<HTMLInputElement>;
  description: string;
  setDescription: (v: string) => void;
  icon: string;
  setIcon: (v: string) => void;
  visibility: Visibility;
  setVisibility: (v: Visibility) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        label={t('kb.space.name')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={nameError}
        inputRef={nameRef}
        autoComplete="off"
        maxLength={100}
        data-autofocus
      />
      <TextField
        label={t('kb.space.description')}
        hint={t('common.optional')}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        autoComplete="off"
        maxLength={1000}
      />
      <fieldset className="kb-icons">
        <legend className="field__label">{t('kb.space.icon')}</legend>
        <div className="kb-icons__grid" role="radiogroup" aria-label={t('kb.space.icon')}>
          {ICONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              role="radio"
              aria-checked={icon === emoji}
              aria-label={emoji}
              className={`kb-icons__item${icon === emoji ? ' is-selected' : ''}`}
              onClick={() => setIcon(emoji)}
            >
              {emoji}
            </button>
          ))}
        </div>
        <TextField
          label={t('kb.space.iconCustom')}
          hint={t('kb.space.iconCustomHint')}
          value={ICONS.includes(icon) ? '' : icon}
          onChange={(e) => setIcon(Array.from(e.target.value.trim()).slice(0, 4).join(''))}
          className="kb-icons__custom"
          autoComplete="off"
        />
      </fieldset>
      <RadioGroup
        legend={t('kb.space.visibility')}
        name="visibility"
        value={visibility}
        onChange={setVisibility}
        options={[
          { value: 'org', label: t('kb.space.visibility.org'), description: t('kb.space.visibility.orgHint') },
          { value: 'members', label: t('kb.space.visibility.members'), description: t('kb.space.visibility.membersHint') },
        ]}
      />
    </>
  );
}

function CreateSpaceDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const api = useKbApi();
  const { put } = useSpaces();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [icon, setIcon] = useState(ICONS[0] as string);
  const [visibility, setVisibility] = useState<Visibility>('org');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    if (!name.trim()) {
      setNameError(t('kb.space.nameRequired'));
      ref.current?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const space = await api.createSpace({ name: name.trim(), description: description.trim(), icon, visibility });
      put({ ...space, role: space.role ?? 'manager' });
      onClose();
      navigate(`/kb/s/${encodeURIComponent(space.id)}`);
    } catch (err) {
      setBusy(false);
      if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        ref.current?.focus();
      } else setError(errorFrom(err, { 'status:403': 'kb.space.createForbidden' }));
    }
  }

  return (
    <Dialog title={t('kb.space.createTitle')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <SpaceFields
          name={name}
          setName={setName}
          nameError={nameError}
          nameRef={ref}
          description={description}
          setDescription={setDescription}
          icon={icon}
          setIcon={setIcon}
          visibility={visibility}
          setVisibility={setVisibility}
        />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('kb.space.createSubmit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** /kb: the spaces this user can see. */
export function SpacesPage() {
  const { t, tp, lang } = useI18n();
  const me = useUser();
  const api = useKbApi();
  const fmt = useFormat();
  useDocumentTitle('kb.docTitle');
  const { spaces, error } = useSpaces();
  const [creating, setCreating] = useState(false);
  const [showArchived, setShowArchived] = useState(false);
  const archived = useLoad<Space[]>(showArchived ? 'archived' : null, () => api.spaces({ archived: true }));
  const canCreate = me.role !== 'guest';

  const active = sortSpaces((spaces ?? []).filter((s) => !s.archived_at), lang);
  const old = sortSpaces((archived.data ?? []).filter((s) => !!s.archived_at), lang);

  return (
    <div className="page kb-page">
      <div className="section-header">
        <div className="section-header__text">
          <h1 className="page__title" tabIndex={-1}>
            {t('kb.title')}
          </h1>
          <p className="page__lead">{t('kb.lead')}</p>
        </div>
        <div className="section-header__actions">
          {canCreate ? (
            <button type="button" className="button button--primary" onClick={() => setCreating(true)}>
              <PlusIcon width={16} height={16} />
              {t('kb.space.create')}
            </button>
          ) : null}
        </div>
      </div>
      <nav className="kb-quicklinks" aria-label={t('kb.quicklinks')}>
        <Link to="/kb/templates" className="button button--small">
          <TemplateIcon width={16} height={16} />
          {t('kb.templates.orgTitle')}
        </Link>
        <Link to="/kb/categories" className="button button--small">
          <FolderIcon width={16} height={16} />
          {t('kb.categories.title')}
        </Link>
      </nav>
      <ErrorAlert error={error} />
      {spaces === null && !error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {spaces && active.length === 0 ? (
        <div className="card kb-empty">
          <p className="kb-empty__icon" aria-hidden="true">
            📚
          </p>
          <h2 className="card__title">{t('kb.spaces.emptyTitle')}</h2>
          <p className="muted">{canCreate ? t('kb.spaces.empty') : t('kb.spaces.emptyGuest')}</p>
        </div>
      ) : null}
      {active.length > 0 ? (
        <ul className="kb-space-grid" aria-label={t('kb.spaces.label')}>
          {active.map((s) => (
            <SpaceCard key={s.id} space={s} meta={s.document_count !== undefined ? tp('kb.spaces.docs', s.document_count) : fmt.relative(s.updated_at)} />
          ))}
        </ul>
      ) : null}
      <div className="kb-archived-toggle">
        <Switch label={t('kb.spaces.showArchived')} checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
      </div>
      {showArchived ? (
        <section aria-labelledby="kb-archived">
          <h2 id="kb-archived" className="kb-subtitle">
            {t('kb.spaces.archived')}
          </h2>
          <ErrorAlert error={archived.error} />
          {archived.data && old.length === 0 ? <p className="muted">{t('kb.spaces.noArchived')}</p> : null}
          {old.length > 0 ? (
            <ul className="kb-space-grid" aria-label={t('kb.spaces.archived')}>
              {old.map((s) => (
                <SpaceCard key={s.id} space={s} meta={t('kb.space.archivedOn', { date: fmt.date(s.archived_at) })} />
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
      {creating ? <CreateSpaceDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

function SpaceCard({ space, meta }: { space: Space; meta: string }) {
  const { t } = useI18n();
  return (
    <li className={`kb-space-card${space.archived_at ? ' is-archived' : ''}`}>
      <span className="kb-space-card__icon" aria-hidden="true">
        {space.icon || '📘'}
      </span>
      <div className="kb-space-card__body">
        <h2 className="kb-space-card__name">
          <Link to={`/kb/s/${encodeURIComponent(space.id)}`} className="kb-space-card__link">
            {space.name}
          </Link>
        </h2>
        {space.description ? <p className="kb-space-card__desc">{space.description}</p> : null}
        <p className="kb-space-card__meta">
          {space.visibility === 'members' ? <span className="kb-badge">{t('kb.space.visibility.membersShort')}</span> : null}
          {space.archived_at ? <span className="kb-badge kb-badge--muted">{t('kb.space.archived')}</span> : null}
          <span>{meta}</span>
        </p>
      </div>
    </li>
  );
}
