import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { User } from '../../api/client';
import { useAuth, useUser } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, isConflict, type FormError } from '../../auth/formErrors';
import { Avatar } from '../../components/Avatar';
import { ErrorAlert, Notice, SelectField, SubmitButton, TextField } from '../../components/Form';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { detectLanguage, getLanguage, setLanguage, translate, useI18n, type Lang } from '../../i18n';
import { timeZones, useFormat } from '../../lib/format';
import { Link } from '../../router';

const MAX_AVATAR_BYTES = 5 * 1024 * 1024;
const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** Applies a saved language preference to the UI ('' = follow the browser). */
export function applyLanguagePreference(language: string) {
  if (language === 'en' || language === 'ko') setLanguage(language);
  else setLanguage(detectLanguage(typeof navigator === 'undefined' ? [] : navigator.languages) as Lang);
}

export function ProfileSection() {
  const { t } = useI18n();
  const { client } = useAuth();
  const user = useUser();
  const toast = useToast();
  const fmt = useFormat();
  useDocumentTitle('account.profile.docTitle');

  const [base, setBase] = useState<User>(user);
  const [name, setName] = useState(user.name);
  const [language, setLang] = useState(user.language ?? '');
  const [timezone, setTimezone] = useState(user.timezone ?? '');
  const [busy, setBusy] = useState(false);
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [conflict, setConflict] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const zones = useMemo(() => timeZones(), []);
  const browserZone = useMemo(() => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      return '';
    }
  }, []);

  // Fetch the latest on open (another device may have changed it); the
  // effect below adopts it.
  useEffect(() => {
    client.me().catch(() => undefined);
  }, [client]);

  // When the account changes under the form (the latest from the server, a
  // new picture, a new email: each bumps the version), take the new version
  // and the fields the user has not edited.
  const baseRef = useRef(base);
  baseRef.current = base;
  useEffect(() => {
    const prev = baseRef.current;
    if (user.id !== prev.id || user.version <= prev.version) return;
    setName((n) => (n === prev.name ? user.name : n));
    setLang((l) => (l === (prev.language ?? '') ? (user.language ?? '') : l));
    setTimezone((z) => (z === (prev.timezone ?? '') ? (user.timezone ?? '') : z));
    setBase(user);
  }, [user]);

  const dirty = name !== base.name || language !== (base.language ?? '') || timezone !== (base.timezone ?? '');

  async function save(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setConflict(false);
    if (!name.trim()) {
      setNameError(t('validation.nameRequired'));
      nameRef.current?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const u = await client.request<User>('/api/v1/me', {
        method: 'PATCH',
        body: { name: name.trim(), language, timezone, version: base.version },
      });
      client.updateUser(u);
      setBase(u);
      setName(u.name);
      applyLanguagePreference(u.language);
      // In the language just chosen (this render's t is the old one).
      toast(translate(getLanguage(), 'account.profile.saved'));
    } catch (err) {
      if (isConflict(err)) {
        // Someone (another tab or device) saved first: load theirs, let the user redo.
        setConflict(true);
        try {
          const latest = await client.me();
          setBase(latest);
          setName(latest.name);
          setLang(latest.language ?? '');
          setTimezone(latest.timezone ?? '');
        } catch {
          // keep what we have
        }
      } else if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        nameRef.current?.focus();
      } else {
        setError(errorFrom(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="section">
      <SectionHeader title={t('account.profile.title')} lead={t('account.profile.lead')} />
      <AvatarPanel user={user} />
      <Panel title={t('account.profile.detailsTitle')}>
        <form className="form form--panel" onSubmit={save} noValidate aria-busy={busy}>
          {conflict ? <Notice tone="warning">{t('account.profile.conflict')}</Notice> : null}
          <ErrorAlert error={error} />
          <TextField
            label={t('setup.name')}
            name="name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={nameError}
            inputRef={nameRef}
          />
          <div className="field">
            <span className="field__label">{t('profile.email')}</span>
            <p className="field__static">
              <span>{user.email}</span> <Link to="/account/email">{t('account.profile.changeEmail')}</Link>
            </p>
          </div>
          <div className="form__grid">
            <SelectField label={t('language.label')} value={language} onChange={(e) => setLang(e.target.value)}>
              <option value="">{t('account.profile.languageBrowser')}</option>
              <option value="en" lang="en">
                {t('language.en')}
              </option>
              <option value="ko" lang="ko">
                {t('language.ko')}
              </option>
            </SelectField>
            <SelectField label={t('account.profile.timezone')} value={timezone} onChange={(e) => setTimezone(e.target.value)}>
              <option value="">
                {browserZone ? t('account.profile.timezoneBrowserNamed', { zone: browserZone }) : t('account.profile.timezoneBrowser')}
              </option>
              {timezone && !zones.includes(timezone) ? <option value={timezone}>{timezone}</option> : null}
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, ' ')}
                </option>
              ))}
            </SelectField>
          </div>
          <dl className="meta">
            <div>
              <dt>{t('profile.role')}</dt>
              <dd>
                <span className={`badge badge--${user.role}`}>{t(`role.${user.role}`)}</span>
              </dd>
            </div>
            <div>
              <dt>{t('profile.memberSince')}</dt>
              <dd>
                <time dateTime={user.created_at}>{fmt.date(user.created_at)}</time>
              </dd>
            </div>
          </dl>
          <div className="form__actions">
            <SubmitButton busy={busy} disabled={!dirty && !busy}>
              {t('common.save')}
            </SubmitButton>
          </div>
        </form>
      </Panel>
    </div>
  );
}

function AvatarPanel({ user }: { user: User }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const fileRef = useRef<HTMLInputElement>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState<'upload' | 'remove' | null>(null);
  const [error, setError] = useState<FormError | null>(null);

  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setError(null);
    if (file.type && !AVATAR_TYPES.includes(file.type)) {
      setError({ kind: 'message', key: 'account.avatar.badType' });
      return;
    }
    if (file.size > MAX_AVATAR_BYTES) {
      setError({ kind: 'message', key: 'account.avatar.tooLarge' });
      return;
    }
    setPreview(URL.createObjectURL(file));
    setBusy('upload');
    try {
      const form = new FormData();
      form.append('file', file);
      const u = await client.request<User>('/api/v1/me/avatar', { method: 'PUT', body: form });
      client.updateUser(u);
      toast(t('account.avatar.saved'));
    } catch (err) {
      setError(errorFrom(err, { too_large: 'account.avatar.tooLarge', unsupported_type: 'account.avatar.badType', 'status:413': 'account.avatar.tooLarge', 'status:415': 'account.avatar.badType' }));
    } finally {
      setPreview(null);
      setBusy(null);
    }
  }

  async function remove() {
    setError(null);
    setBusy('remove');
    try {
      const u = await client.request<User>('/api/v1/me/avatar', { method: 'DELETE' });
      client.updateUser(u);
      toast(t('account.avatar.removed'));
    } catch (err) {
      setError(errorFrom(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Panel title={t('account.avatar.title')}>
      <div className="avatar-edit">
        <Avatar name={user.name} url={preview ?? user.avatar_url} size="xl" />
        <div className="avatar-edit__body">
          <p className="muted">{t('account.avatar.hint')}</p>
          <ErrorAlert error={error} />
          <div className="row">
            <input
              ref={fileRef}
              type="file"
              accept={AVATAR_TYPES.join(',')}
              className="visually-hidden"
              tabIndex={-1}
              aria-hidden="true"
              onChange={(e) => void onFile(e)}
            />
            <button
              type="button"
              className="button button--small"
              aria-disabled={busy !== null || undefined}
              onClick={() => busy === null && fileRef.current?.click()}
            >
              {busy === 'upload' ? t('account.avatar.uploading') : user.avatar_url ? t('account.avatar.change') : t('account.avatar.upload')}
            </button>
            {user.avatar_url ? (
              <button
                type="button"
                className="button button--small button--ghost"
                aria-disabled={busy !== null || undefined}
                onClick={() => busy === null && void remove()}
              >
                {t('account.avatar.remove')}
              </button>
            ) : null}
          </div>
        </div>
      </div>
    </Panel>
  );
}
