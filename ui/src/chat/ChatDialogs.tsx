import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { errorFrom, invalidField, isConflict, type FormError } from '../auth/formErrors';
import { Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, RadioGroup, Spinner, SubmitButton, TextField } from '../components/Form';
import { SearchIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n } from '../i18n';
import { useDebounced } from '../lib/usePaged';
import { navigate } from '../router';
import * as api from './api';
import { HashIcon, LockIcon } from './icons';
import { channelHref } from './links';
import { PeoplePicker } from './PeoplePicker';
import { useChatStore } from './store';
import type { Channel } from './types';

/** New channel: name, public or private, topic and purpose. */
export function CreateChannelDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const store = useChatStore();
  const toast = useToast();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [topic, setTopic] = useState('');
  const [purpose, setPurpose] = useState('');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const clean = name.trim().replace(/^#/, '');
    if (!clean) {
      setNameError(t('chat.create.nameRequired'));
      return;
    }
    setBusy(true);
    setNameError(undefined);
    setError(null);
    try {
      const c = await api.createChannel(client, { name: clean, visibility, topic: topic.trim(), purpose: purpose.trim() });
      store.upsertChannel({ ...c, is_member: true });
      toast(t('chat.create.created', { name: c.name }));
      onClose();
      navigate(channelHref(c.id));
    } catch (err) {
      if (isConflict(err)) setNameError(t('chat.create.nameTaken'));
      else if (invalidField(err, ['name'])) setNameError(t('chat.create.nameInvalid'));
      else setError(errorFrom(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('chat.create.title')} description={t('chat.create.lead')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('chat.create.name')}
          hint={t('chat.create.nameHint')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={nameError}
          maxLength={80}
          placeholder={t('chat.create.namePlaceholder')}
          autoComplete="off"
        />
        <RadioGroup
          legend={t('chat.create.visibility')}
          name="visibility"
          value={visibility}
          onChange={setVisibility}
          options={[
            { value: 'public', label: t('chat.create.public'), description: t('chat.create.publicHint') },
            { value: 'private', label: t('chat.create.private'), description: t('chat.create.privateHint') },
          ]}
        />
        <TextField label={t('chat.create.topic')} hint={t('chat.create.topicHint')} value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={250} />
        <TextField label={t('chat.create.purpose')} hint={t('chat.create.purposeHint')} value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={250} />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('chat.create.submit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Browse the public channels I am not in: search, open (preview) or join. */
export function BrowseChannelsDialog({ onClose }: { onClose: () => void }) {
  const { t, tp } = useI18n();
  const { client } = useAuth();
  const store = useChatStore();
  const toast = useToast();
  const [q, setQ] = useState('');
  const query = useDebounced(q, 200);
  const [list, setList] = useState<Channel[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [joining, setJoining] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.browseChannels(client, query.trim()).then(
      (items) => {
        if (live) setList(items.filter((c) => c.kind !== 'dm' && c.is_member !== true && !store.channel(c.id)));
      },
      (err: unknown) => {
        if (live) setError(errorFrom(err));
      },
    );
    return () => {
      live = false;
    };
  }, [client, query, store]);

  const join = async (c: Channel) => {
    setJoining(c.id);
    try {
      await api.joinChannel(client, c.id);
      store.upsertChannel({ ...c, is_member: true });
      toast(t('chat.channel.joined', { name: c.name }));
      onClose();
      navigate(channelHref(c.id));
    } catch (err) {
      setError(errorFrom(err));
      setJoining(null);
    }
  };

  return (
    <Dialog title={t('chat.browse.title')} onClose={onClose} size="lg">
      <div className="browse">
        <ErrorAlert error={error} />
        <div className="field">
          <label className="visually-hidden" htmlFor="browse-q">
            {t('chat.browse.search')}
          </label>
          <div className="field__control search">
            <SearchIcon width={16} height={16} className="search__icon" />
            <input
              id="browse-q"
              className="input search__input"
              type="search"
              value={q}
              placeholder={t('chat.browse.search')}
              onChange={(e) => setQ(e.target.value)}
              data-autofocus
            />
          </div>
        </div>
        {list === null && !error ? (
          <div className="chat-pane__loading">
            <Spinner />
          </div>
        ) : list && list.length === 0 ? (
          <p className="browse__empty">{query ? t('chat.browse.noMatch') : t('chat.browse.empty')}</p>
        ) : (
          <ul className="browse__list" aria-label={t('chat.browse.listLabel')}>
            {(list ?? []).map((c) => (
              <li key={c.id} className="browse__item">
                {c.kind === 'private' ? <LockIcon width={18} height={18} /> : <HashIcon width={18} height={18} />}
                <div className="browse__text">
                  <span className="browse__name">{c.name}</span>
                  <span className="browse__meta">
                    {c.member_count !== undefined ? tp('chat.browse.members', c.member_count) : null}
                    {c.purpose || c.topic ? ` · ${c.purpose || c.topic}` : ''}
                  </span>
                </div>
                <button
                  type="button"
                  className="button button--small button--ghost"
                  onClick={() => {
                    onClose();
                    navigate(channelHref(c.id));
                  }}
                >
                  {t('chat.browse.view')}
                </button>
                <button
                  type="button"
                  className="button button--small button--primary"
                  aria-label={t('chat.browse.joinNamed', { name: c.name })}
                  aria-disabled={joining !== null || undefined}
                  onClick={() => joining === null && void join(c)}
                >
                  {joining === c.id ? <Spinner /> : null}
                  {t('chat.channel.join')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}

/** A direct message with one person or a group (up to 8 people including me). */
export function NewMessageDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const { client } = useAuth();
  const store = useChatStore();
  return (
    <Dialog title={t('chat.dm.title')} description={t('chat.dm.lead')} onClose={onClose}>
      <PeoplePicker
        label={t('chat.dm.to')}
        submitLabel={t('chat.dm.open')}
        max={7}
        onCancel={onClose}
        onSubmit={async (people) => {
          const c = await api.openDm(
            client,
            people.map((p) => p.id),
          );
          store.upsertChannel({ ...c, kind: 'dm', is_member: true });
          onClose();
          navigate(channelHref(c.id));
        }}
      />
    </Dialog>
  );
}
