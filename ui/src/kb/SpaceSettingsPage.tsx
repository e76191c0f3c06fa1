import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Team } from '../api/types';
import { useAuth, useUser } from '../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, isConflict, type FormError } from '../auth/formErrors';
import { Avatar } from '../components/Avatar';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorAlert, Notice, SelectField, Spinner, SubmitButton, useErrorText } from '../components/Form';
import { ArrowLeftIcon, SearchIcon } from '../components/Icons';
import { Panel } from '../components/SettingsLayout';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useDebounced } from '../lib/usePaged';
import { Link, navigate } from '../router';
import type { Member, Mentionable, SpaceRole, Visibility } from './api';
import { useKbApi, useSpaces } from './hooks';
import { spacePath, useSpace } from './SpaceShell';
import { SpaceFields } from './SpacesPage';

const ROLES: SpaceRole[] = ['viewer', 'editor', 'manager'];

function DetailsForm() {
  const { t } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const { space, spaceId } = useSpace();
  const { put, reload } = useSpaces();
  const [name, setName] = useState(space?.name ?? '');
  const [description, setDescription] = useState(space?.description ?? '');
  const [icon, setIcon] = useState(space?.icon ?? '');
  const [visibility, setVisibility] = useState<Visibility>(space?.visibility ?? 'org');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);
  const loadedFor = useRef<number | null>(null);

  // Fill the form once the space is known (and again after a reload past a conflict).
  useEffect(() => {
    if (!space || loadedFor.current === space.version) return;
    loadedFor.current = space.version;
    setName(space.name);
    setDescription(space.description);
    setIcon(space.icon);
    setVisibility(space.visibility);
  }, [space]);

  if (!space) return null;
  const dirty = name !== space.name || description !== space.description || icon !== space.icon || visibility !== space.visibility;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy || !space) return;
    setError(null);
    if (!name.trim()) {
      setNameError(t('kb.space.nameRequired'));
      ref.current?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const next = await api.updateSpace(spaceId, { name: name.trim(), description: description.trim(), icon, visibility, version: space.version });
      put({ ...next, role: next.role ?? space.role });
      toast(t('kb.space.saved'));
    } catch (err) {
      if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        ref.current?.focus();
      } else if (isConflict(err)) {
        setError({ kind: 'message', key: 'errors.staleVersion' });
        loadedFor.current = null;
        void reload();
      } else setError(errorFrom(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title={t('kb.settings.details')}>
      <form className="form form--panel" onSubmit={submit} noValidate aria-busy={busy}>
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
        <div className="form__actions">
          <SubmitButton busy={busy} disabled={!dirty && !busy}>
            {t('common.saveChanges')}
          </SubmitButton>
        </div>
      </form>
    </Panel>
  );
}

type Candidate = { kind: 'user'; person: Mentionable } | { kind: 'team'; team: Team };

/** Search people (and, for administrators, teams) to add. */
function MemberPicker({ exclude, onPick }: { exclude: Set<string>; onPick: (c: Candidate, role: SpaceRole) => Promise<void> }) {
  const { t } = useI18n();
  const api = useKbApi();
  const { client } = useAuth();
  const me = useUser();
  const [query, setQuery] = useState('');
  const [role, setRole] = useState<SpaceRole>('editor');
  const q = useDebounced(query.trim(), 200);
  const [people, setPeople] = useState<Mentionable[]>([]);
  const [teams, setTeams] = useState<Team[] | null>(null);
  const admin = me.role === 'owner' || me.role === 'admin';

  useEffect(() => {
    if (!admin) return;
    client.request<{ items: Team[] }>('/api/v1/teams').then(
      (r) => setTeams(r.items ?? []),
      () => setTeams([]),
    );
  }, [client, admin]);

  useEffect(() => {
    if (!q) {
      setPeople([]);
      return;
    }
    let live = true;
    api.mentionable(q).then(
      (list) => live && setPeople(list),
      () => live && setPeople([]),
    );
    return () => {
      live = false;
    };
  }, [api, q]);

  const lower = q.toLocaleLowerCase();
  const teamHits = q ? (teams ?? []).filter((x) => x.name.toLocaleLowerCase().includes(lower) && !exclude.has(x.id)).slice(0, 5) : [];
  const personHits = people.filter((p) => !exclude.has(p.id));

  return (
    <div className="picker kb-member-picker">
      <div className="kb-member-picker__row">
        <div className="field kb-member-picker__search">
          <label className="visually-hidden" htmlFor="kb-member-search">
            {admin ? t('kb.members.searchWithTeams') : t('kb.members.search')}
          </label>
          <div className="field__control search">
            <SearchIcon width={16} height={16} className="search__icon" />
            <input
              id="kb-member-search"
              className="input search__input"
              type="search"
              autoComplete="off"
              placeholder={admin ? t('kb.members.searchWithTeams') : t('kb.members.search')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
        </div>
        <SelectField label={t('kb.members.roleForNew')} hideLabel value={role} onChange={(e) => setRole(e.target.value as SpaceRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`kb.role.${r}`)}
            </option>
          ))}
        </SelectField>
      </div>
      {q ? (
        <ul className="picker__results" aria-live="polite" aria-label={t('kb.members.results')}>
          {teamHits.map((x) => (
            <li key={`team-${x.id}`}>
              <button
                type="button"
                className="picker__item"
                onClick={() => {
                  void onPick({ kind: 'team', team: x }, role);
                  setQuery('');
                }}
              >
                <span className="team-mark" aria-hidden="true">
                  {Array.from(x.name.trim())[0]?.toLocaleUpperCase() ?? '#'}
                </span>
                <span className="person__text">
                  <span className="person__name">{x.name}</span>
                  <span className="person__sub">{t('kb.members.team')}</span>
                </span>
                <span className="picker__add">{t('kb.members.addAs', { role: t(`kb.role.${role}`) })}</span>
              </button>
            </li>
          ))}
          {personHits.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="picker__item"
                onClick={() => {
                  void onPick({ kind: 'user', person: p }, role);
                  setQuery('');
                }}
              >
                <Avatar name={p.name} url={p.avatar_url} />
                <span className="person__text">
                  <span className="person__name">{p.name}</span>
                  <span className="person__sub">{p.email ?? `@${p.handle}`}</span>
                </span>
                <span className="picker__add">{t('kb.members.addAs', { role: t(`kb.role.${role}`) })}</span>
              </button>
            </li>
          ))}
          {teamHits.length === 0 && personHits.length === 0 ? <li className="picker__none">{t('kb.members.noResults')}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}

function MembersPanel() {
  const { t } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const errorText = useErrorText();
  const { spaceId, space } = useSpace();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);

  const load = useCallback(async () => {
    try {
      setMembers(await api.members(spaceId));
      setError(null);
    } catch (err) {
      setError(errorFrom(err));
    }
  }, [api, spaceId]);

  useEffect(() => {
    void load();
  }, [load]);

  const add = async (c: Candidate, role: SpaceRole) => {
    const name = c.kind === 'user' ? c.person.name : c.team.name;
    try {
      await api.addMember(spaceId, c.kind === 'user' ? { user_id: c.person.id } : { team_id: c.team.id }, role);
      toast(t('kb.members.added', { name, role: t(`kb.role.${role}`) }));
      void load();
    } catch (err) {
      toast(errorText(errorFrom(err)), 'error');
    }
  };

  const changeRole = async (m: Member, role: SpaceRole) => {
    try {
      await api.addMember(spaceId, m.kind === 'user' ? { user_id: m.id } : { team_id: m.id }, role);
      setMembers((list) => list?.map((x) => (x.kind === m.kind && x.id === m.id ? { ...x, role } : x)) ?? list);
      toast(t('kb.members.roleChanged', { name: m.name, role: t(`kb.role.${role}`) }));
    } catch (err) {
      toast(errorText(errorFrom(err, { last_manager: 'kb.members.lastManager' })), 'error');
      void load();
    }
  };

  return (
    <Panel
      title={t('kb.members.title')}
      description={space?.visibility === 'members' ? t('kb.members.leadMembers') : t('kb.members.leadOrg')}
    >
      <div className="stack">
        <MemberPicker exclude={new Set((members ?? []).map((m) => m.id))} onPick={add} />
        <ErrorAlert error={error} />
        {members === null && !error ? (
          <div className="pending" role="status" aria-label={t('common.loading')}>
            <Spinner />
          </div>
        ) : null}
        {members && members.length === 0 ? <p className="empty empty--inline">{t('kb.members.none')}</p> : null}
        {members && members.length > 0 ? (
          <ul className="list kb-members" aria-label={t('kb.members.title')}>
            {members.map((m) => (
              <li key={`${m.kind}-${m.id}`} className="list__item">
                {m.kind === 'team' ? (
                  <span className="team-mark" aria-hidden="true">
                    {Array.from(m.name.trim())[0]?.toLocaleUpperCase() ?? '#'}
                  </span>
                ) : (
                  <Avatar name={m.name} url={m.avatar_url} />
                )}
                <div className="list__main">
                  <p className="list__title">{m.name || m.id}</p>
                  <p className="list__meta">{m.kind === 'team' ? t('kb.members.team') : (m.sub ?? t('kb.members.person'))}</p>
                </div>
                <SelectField
                  label={t('kb.members.roleOf', { name: m.name })}
                  hideLabel
                  value={m.role}
                  onChange={(e) => void changeRole(m, e.target.value as SpaceRole)}
                  className="kb-members__role"
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`kb.role.${r}`)}
                    </option>
                  ))}
                </SelectField>
                <button type="button" className="button button--small" onClick={() => setRemoving(m)} aria-label={t('kb.members.removeNamed', { name: m.name })}>
                  {t('kb.members.remove')}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {removing ? (
        <ConfirmDialog
          title={t('kb.members.removeTitle', { name: removing.name })}
          body={t('kb.members.removeBody')}
          confirmLabel={t('kb.members.remove')}
          known={{ last_manager: 'kb.members.lastManager' }}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeMember(spaceId, removing);
            toast(t('kb.members.removed', { name: removing.name }));
            void load();
          }}
        />
      ) : null}
    </Panel>
  );
}

/** /kb/s/:space/settings: details, members and roles, export/import, archive (managers). */
export function SpaceSettingsPage() {
  const { t } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const ctx = useSpace();
  const { reload, put } = useSpaces();
  const [archiving, setArchiving] = useState(false);
  const { space, spaceId } = ctx;

  useEffect(() => {
    document.title = t('app.titleFormat', { page: t('kb.settings.docTitle', { space: space?.name ?? '' }) });
  }, [space, t]);

  if (!space) {
    return (
      <div className="pending" role="status" aria-label={t('common.loading')}>
        <Spinner />
      </div>
    );
  }
  if (!ctx.canManage) {
    return (
      <div className="kb-settings">
        <h1 className="page__title" tabIndex={-1}>
          {t('kb.space.settings')}
        </h1>
        <Notice tone="warning">{t('kb.settings.managersOnly')}</Notice>
      </div>
    );
  }
  const archived = !!space.archived_at;
  return (
    <div className="kb-settings section">
      <Link to={spacePath(spaceId)} className="back-link">
        <ArrowLeftIcon width={16} height={16} />
        {t('kb.backToSpace')}
      </Link>
      <div className="section-header">
        <div className="section-header__text">
          <h1 className="page__title page__title--section" tabIndex={-1}>
            {t('kb.settings.title', { space: space.name })}
          </h1>
          <p className="page__lead">{t('kb.settings.lead')}</p>
        </div>
      </div>
      <DetailsForm />
      <MembersPanel />
      <Panel title={t('kb.settings.exportTitle')} description={t('kb.settings.exportLead')}>
        <div className="row">
          <button type="button" className="button" onClick={ctx.exportSpace}>
            {t('kb.space.exportZip')}
          </button>
          {ctx.canEdit ? (
            <button type="button" className="button" onClick={() => ctx.importInto(null)}>
              {t('kb.actions.import')}
            </button>
          ) : null}
        </div>
      </Panel>
      <Panel title={archived ? t('kb.settings.restoreTitle') : t('kb.settings.archiveTitle')} description={archived ? t('kb.settings.restoreLead') : t('kb.settings.archiveLead')} danger={!archived}>
        <button type="button" className={archived ? 'button' : 'button button--danger-outline'} onClick={() => setArchiving(true)}>
          {archived ? t('kb.settings.restore') : t('kb.settings.archive')}
        </button>
      </Panel>
      {archiving ? (
        <ConfirmDialog
          danger={!archived}
          title={archived ? t('kb.settings.restoreConfirm', { space: space.name }) : t('kb.settings.archiveConfirm', { space: space.name })}
          body={archived ? t('kb.settings.restoreLead') : t('kb.settings.archiveBody')}
          confirmLabel={archived ? t('kb.settings.restore') : t('kb.settings.archive')}
          onClose={() => setArchiving(false)}
          onConfirm={async () => {
            try {
              if (archived) await api.restoreSpace(spaceId);
              else await api.archiveSpace(spaceId);
            } catch (err) {
              if (err instanceof ApiError && err.status === 409) void reload();
              throw err;
            }
            const fresh = await api.space(spaceId).catch(() => null);
            if (fresh) put({ ...fresh, role: fresh.role ?? space.role });
            await reload();
            toast(archived ? t('kb.settings.restored', { space: space.name }) : t('kb.settings.archived', { space: space.name }));
            if (!archived) navigate('/kb');
          }}
        />
      ) : null}
    </div>
  );
}
