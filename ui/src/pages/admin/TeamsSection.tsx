import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { User } from '../../api/client';
import type { Page, Team } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { errorFrom, fieldErrorText, invalidField, isConflict, type FormError } from '../../auth/formErrors';
import { ActionMenu } from '../../components/ActionMenu';
import { Avatar } from '../../components/Avatar';
import { ConfirmDialog, Dialog, DialogActions } from '../../components/Dialog';
import { ErrorAlert, Spinner, SubmitButton, TextField, useErrorText } from '../../components/Form';
import { ArrowLeftIcon, PlusIcon, SearchIcon } from '../../components/Icons';
import { Panel, SectionHeader } from '../../components/SettingsLayout';
import { useToast } from '../../components/Toast';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { useDebounced, usePaged, withParams } from '../../lib/usePaged';
import { Link, navigate } from '../../router';

const TEAM_ERRORS = { conflict: 'admin.teams.nameTaken' } as const;

export function TeamsSection() {
  const { t, tp } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  useDocumentTitle('admin.teams.docTitle');
  const teams = usePaged<Team>('/api/v1/teams', 100);
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);

  return (
    <div className="section section--wide">
      <SectionHeader
        title={t('admin.teams.title')}
        lead={t('admin.teams.lead')}
        actions={
          <button type="button" className="button button--primary" onClick={() => setEditing('new')}>
            <PlusIcon width={16} height={16} />
            {t('admin.teams.create')}
          </button>
        }
      />
      <ErrorAlert error={teams.error} />
      {!teams.items && teams.loading ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {teams.items && teams.items.length === 0 ? (
        <Panel>
          <p className="empty">{t('admin.teams.none')}</p>
        </Panel>
      ) : null}
      {teams.items && teams.items.length > 0 ? (
        <Panel>
          <ul className="list" aria-label={t('admin.teams.title')}>
            {teams.items.map((team) => (
              <li key={team.id} className="list__item">
                <span className="team-mark" aria-hidden="true">
                  {Array.from(team.name.trim())[0]?.toLocaleUpperCase() ?? '#'}
                </span>
                <div className="list__main">
                  <p className="list__title">
                    <Link to={`/admin/teams/${encodeURIComponent(team.id)}`}>{team.name}</Link>
                  </p>
                  <p className="list__meta">
                    <span>{tp('admin.teams.members', team.member_count)}</span>
                    {team.description ? <span className="truncate">{team.description}</span> : null}
                  </p>
                </div>
                <ActionMenu
                  label={t('admin.teams.actionsFor', { name: team.name })}
                  actions={[
                    { label: t('admin.teams.manageMembers'), onSelect: () => navigate(`/admin/teams/${encodeURIComponent(team.id)}`) },
                    { label: t('admin.teams.edit'), onSelect: () => setEditing(team) },
                    { label: t('admin.teams.delete'), onSelect: () => setDeleting(team), danger: true },
                  ]}
                />
              </li>
            ))}
          </ul>
          {teams.hasMore ? (
            <div className="panel__more">
              <button type="button" className="button" onClick={teams.loadMore}>
                {t('common.loadMore')}
              </button>
            </div>
          ) : null}
        </Panel>
      ) : null}
      {editing ? (
        <TeamDialog
          team={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(team, created) => {
            toast(created ? t('admin.teams.created', { name: team.name }) : t('admin.teams.saved'));
            teams.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          danger
          title={t('admin.teams.deleteTitle', { name: deleting.name })}
          body={t('admin.teams.deleteBody')}
          confirmLabel={t('admin.teams.delete')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await client.request(`/api/v1/teams/${encodeURIComponent(deleting.id)}`, { method: 'DELETE' });
            toast(t('admin.teams.deleted', { name: deleting.name }));
            teams.reload();
          }}
        />
      ) : null}
    </div>
  );
}

/** Create a team, or rename / re-describe one (with its version: a stale edit gets a clear message). */
function TeamDialog({
  team,
  onClose,
  onSaved,
}: {
  team: Team | null;
  onClose: () => void;
  onSaved: (team: Team, created: boolean) => void;
}) {
  const { t } = useI18n();
  const { client } = useAuth();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const [busy, setBusy] = useState(false);
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const ref = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setError(null);
    if (!name.trim()) {
      setNameError(t('admin.teams.nameRequired'));
      ref.current?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const body = { name: name.trim(), description: description.trim() };
      const saved = team
        ? await client.request<Team>(`/api/v1/teams/${encodeURIComponent(team.id)}`, {
            method: 'PATCH',
            body: { ...body, version: team.version },
          })
        : await client.request<Team>('/api/v1/teams', { method: 'POST', body });
      onSaved(saved, !team);
      onClose();
    } catch (err) {
      setBusy(false);
      if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        ref.current?.focus();
      } else if (isConflict(err) && team && (err as { details: Record<string, unknown> }).details.current_version !== undefined) {
        setError({ kind: 'message', key: 'errors.staleVersion' });
      } else {
        setError(errorFrom(err, TEAM_ERRORS));
      }
    }
  }

  return (
    <Dialog title={team ? t('admin.teams.editTitle') : t('admin.teams.createTitle')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('admin.teams.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError}
          inputRef={ref}
          autoComplete="off"
          data-autofocus
        />
        <TextField
          label={t('admin.teams.description')}
          hint={t('common.optional')}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          autoComplete="off"
        />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{team ? t('common.save') : t('admin.teams.createSubmit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** /admin/teams/:id: a team's members, with a people picker to add more. */
export function TeamDetailSection({ id }: { id: string }) {
  const { t, tp } = useI18n();
  const { client } = useAuth();
  const toast = useToast();
  const errorText = useErrorText();
  useDocumentTitle('admin.teams.docTitle');
  const [team, setTeam] = useState<Team | null>(null);
  const [members, setMembers] = useState<User[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState<User | null>(null);

  const base = `/api/v1/teams/${encodeURIComponent(id)}`;
  const load = useCallback(async () => {
    setError(null);
    try {
      const [tm, ms] = await Promise.all([
        client.request<Team>(base),
        client.request<Page<User> | User[]>(`${base}/members?limit=500`),
      ]);
      setTeam(tm);
      setMembers(Array.isArray(ms) ? ms : ms.items);
    } catch (err) {
      setError(errorFrom(err));
    }
  }, [client, base]);

  useEffect(() => {
    void load();
  }, [load]);

  async function add(u: User) {
    try {
      await client.request(`${base}/members`, { method: 'POST', body: { user_id: u.id } });
      toast(t('admin.teams.added', { name: u.name }));
      void load();
    } catch (err) {
      toast(errorText(errorFrom(err)), 'error');
    }
  }

  return (
    <div className="section section--wide">
      <Link to="/admin/teams" className="back-link">
        <ArrowLeftIcon width={16} height={16} />
        {t('admin.teams.back')}
      </Link>
      <SectionHeader
        title={team?.name ?? t('admin.teams.title')}
        lead={team ? team.description || tp('admin.teams.members', team.member_count) : undefined}
        actions={
          team ? (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              {t('admin.teams.edit')}
            </button>
          ) : null
        }
      />
      <ErrorAlert error={error} />
      {!team && !error ? (
        <div className="pending" role="status" aria-label={t('common.loading')}>
          <Spinner />
        </div>
      ) : null}
      {team && members ? (
        <>
          <Panel title={t('admin.teams.addTitle')}>
            <UserPicker exclude={new Set(members.map((m) => m.id))} onPick={(u) => void add(u)} />
          </Panel>
          <Panel title={tp('admin.teams.members', members.length)}>
            {members.length === 0 ? (
              <p className="empty empty--inline">{t('admin.teams.noMembers')}</p>
            ) : (
              <ul className="list" aria-label={t('admin.teams.membersLabel')}>
                {members.map((m) => (
                  <li key={m.id} className="list__item">
                    <Avatar name={m.name} url={m.avatar_url} />
                    <div className="list__main">
                      <p className="list__title">{m.name}</p>
                      <p className="list__meta">
                        <span>{m.email}</span>
                      </p>
                    </div>
                    <button
                      type="button"
                      className="button button--small"
                      aria-label={t('admin.teams.removeNamed', { name: m.name })}
                      onClick={() => setRemoving(m)}
                    >
                      {t('admin.teams.remove')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        </>
      ) : null}
      {editing && team ? (
        <TeamDialog
          team={team}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setTeam(saved);
            toast(t('admin.teams.saved'));
          }}
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={t('admin.teams.removeTitle', { name: removing.name })}
          body={t('admin.teams.removeBody', { team: team?.name ?? '' })}
          confirmLabel={t('admin.teams.remove')}
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await client.request(`${base}/members/${encodeURIComponent(removing.id)}`, { method: 'DELETE' });
            toast(t('admin.teams.removed', { name: removing.name }));
            void load();
          }}
        />
      ) : null}
    </div>
  );
}

/** Search people by name or email and pick one (a combobox-like list of buttons). */
export function UserPicker({ exclude, onPick }: { exclude: Set<string>; onPick: (u: User) => void }) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const debounced = useDebounced(query.trim());
  const results = usePaged<User>(debounced ? withParams('/api/v1/users', { query: debounced, status: 'active' }) : null, 8);
  const shown = (debounced ? results.items ?? [] : []).filter((u) => !exclude.has(u.id) && !u.deleted);
  return (
    <div className="picker">
      <div className="field">
        <label className="visually-hidden" htmlFor="picker-search">
          {t('admin.teams.searchPeople')}
        </label>
        <div className="field__control search">
          <SearchIcon width={16} height={16} className="search__icon" />
          <input
            id="picker-search"
            className="input search__input"
            type="search"
            autoComplete="off"
            placeholder={t('admin.teams.searchPeople')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
      </div>
      {debounced ? (
        <ul className="picker__results" aria-live="polite" aria-label={t('admin.teams.results')}>
          {shown.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                className="picker__item"
                onClick={() => {
                  onPick(u);
                  setQuery('');
                }}
              >
                <Avatar name={u.name} url={u.avatar_url} />
                <span className="person__text">
                  <span className="person__name">{u.name}</span>
                  <span className="person__sub">{u.email}</span>
                </span>
                <span className="picker__add">{t('admin.teams.add')}</span>
              </button>
            </li>
          ))}
          {results.items && shown.length === 0 ? <li className="picker__none">{t('admin.teams.noResults')}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
