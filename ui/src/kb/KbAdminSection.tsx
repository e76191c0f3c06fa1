import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { errorFrom, fieldErrorText, invalidField, isConflict, type FormError } from '../auth/formErrors';
import { ConfirmDialog, Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, Notice, SelectField, Spinner, SubmitButton, Switch, TextField } from '../components/Form';
import { PlusIcon } from '../components/Icons';
import { Panel, SectionHeader } from '../components/SettingsLayout';
import { useToast } from '../components/Toast';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { useI18n } from '../i18n';
import type { Category, KbSettings } from './api';
import { orderCategories } from './CategoriesPage';
import { useKbApi, useLoad } from './hooks';
import { MoreButton } from './PopupMenu';

function SharingPanel() {
  const { t } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const [settings, setSettings] = useState<KbSettings | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmOff, setConfirmOff] = useState(false);

  const load = useCallback(async () => {
    try {
      setSettings(await api.settings());
      setError(null);
    } catch (err) {
      setError(errorFrom(err));
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const save = async (on: boolean) => {
    if (!settings) return;
    setBusy(true);
    setError(null);
    try {
      const next = await api.updateSettings({ public_sharing: on, version: settings.version });
      setSettings(next);
      toast(on ? t('kb.admin.sharingOn') : t('kb.admin.sharingOff'));
    } catch (err) {
      if (isConflict(err)) {
        setError({ kind: 'message', key: 'errors.staleVersion' });
        void load();
      } else setError(errorFrom(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel title={t('kb.admin.sharingTitle')} description={t('kb.admin.sharingLead')}>
      <div className="stack">
        <ErrorAlert error={error} />
        {!settings && !error ? (
          <div className="pending" role="status" aria-label={t('common.loading')}>
            <Spinner />
          </div>
        ) : null}
        {settings ? (
          <Switch
            label={t('kb.admin.sharing')}
            description={t('kb.admin.sharingHint')}
            checked={settings.public_sharing}
            disabled={busy}
            onChange={(e) => {
              if (e.target.checked) void save(true);
              else setConfirmOff(true);
            }}
          />
        ) : null}
        {settings && !settings.public_sharing ? <Notice tone="warning">{t('kb.admin.sharingOffNotice')}</Notice> : null}
      </div>
      {confirmOff ? (
        <ConfirmDialog
          danger
          title={t('kb.admin.sharingOffTitle')}
          body={t('kb.admin.sharingOffBody')}
          confirmLabel={t('kb.admin.sharingOffConfirm')}
          onClose={() => setConfirmOff(false)}
          onConfirm={() => save(false)}
        />
      ) : null}
    </Panel>
  );
}

function CategoryDialog({
  category,
  parentId,
  all,
  onClose,
  onSaved,
}: {
  category: Category | null;
  parentId: string | null;
  all: Category[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t, lang } = useI18n();
  const api = useKbApi();
  const [name, setName] = useState(category?.name ?? '');
  const [parent, setParent] = useState(category ? (category.parent_id ?? '') : (parentId ?? ''));
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLInputElement>(null);

  // A category cannot move under itself or its own sub-categories.
  const below = new Set<string>();
  if (category) {
    const walk = (id: string) => {
      below.add(id);
      all.filter((c) => c.parent_id === id).forEach((c) => walk(c.id));
    };
    walk(category.id);
  }
  const choices = orderCategories(all, lang).filter((n) => !below.has(n.cat.id));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setNameError(t('kb.categories.nameRequired'));
      ref.current?.focus();
      return;
    }
    setNameError(undefined);
    setError(null);
    setBusy(true);
    try {
      const input = { name: name.trim(), parent_id: parent || null };
      if (category) await api.updateCategory(category.id, { ...input, version: category.version });
      else await api.createCategory(input);
      onSaved();
      onClose();
    } catch (err) {
      setBusy(false);
      if (invalidField(err, ['name'] as const)) {
        setNameError(fieldErrorText(err, t));
        ref.current?.focus();
      } else setError(errorFrom(err, { conflict: 'kb.categories.conflict' }));
    }
  }

  return (
    <Dialog title={category ? t('kb.categories.editTitle') : t('kb.categories.createTitle')} onClose={onClose}>
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField label={t('kb.categories.name')} value={name} onChange={(e) => setName(e.target.value)} error={nameError} inputRef={ref} maxLength={100} autoComplete="off" data-autofocus />
        <SelectField label={t('kb.categories.parent')} value={parent} onChange={(e) => setParent(e.target.value)}>
          <option value="">{t('kb.categories.topLevel')}</option>
          {choices.map(({ cat, depth }) => (
            <option key={cat.id} value={cat.id}>
              {'\u00a0\u00a0\u00a0'.repeat(depth)}
              {cat.name}
            </option>
          ))}
        </SelectField>
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{category ? t('common.save') : t('kb.categories.createSubmit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function CategoriesPanel() {
  const { t, tp, lang } = useI18n();
  const api = useKbApi();
  const toast = useToast();
  const cats = useLoad<Category[]>('admin-categories', () => api.categories());
  const [editing, setEditing] = useState<{ category: Category | null; parentId: string | null } | null>(null);
  const [deleting, setDeleting] = useState<Category | null>(null);
  const all = cats.data ?? [];
  const ordered = orderCategories(all, lang);

  return (
    <Panel title={t('kb.admin.categoriesTitle')} description={t('kb.admin.categoriesLead')}>
      <div className="stack">
        <div>
          <button type="button" className="button" onClick={() => setEditing({ category: null, parentId: null })}>
            <PlusIcon width={16} height={16} />
            {t('kb.categories.create')}
          </button>
        </div>
        <ErrorAlert error={cats.error} />
        {cats.data && ordered.length === 0 ? <p className="empty empty--inline">{t('kb.categories.none')}</p> : null}
        {ordered.length > 0 ? (
          <ul className="kb-cat-admin" aria-label={t('kb.admin.categoriesTitle')}>
            {ordered.map(({ cat, depth }) => (
              <li key={cat.id} className="kb-cat-admin__item" style={{ paddingLeft: `${depth * 20 + 8}px` }}>
                <span className="kb-cat-admin__name">{cat.name}</span>
                <span className="kb-count">{tp('kb.spaces.docs', cat.count)}</span>
                <MoreButton
                  label={t('kb.categories.actionsFor', { name: cat.name })}
                  actions={[
                    { label: t('kb.categories.addChild'), onSelect: () => setEditing({ category: null, parentId: cat.id }) },
                    { label: t('kb.categories.edit'), onSelect: () => setEditing({ category: cat, parentId: cat.parent_id }) },
                    { label: t('kb.categories.delete'), onSelect: () => setDeleting(cat), danger: true },
                  ]}
                >
                  <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                    <circle cx="4.75" cy="10" r="1.3" fill="currentColor" />
                    <circle cx="10" cy="10" r="1.3" fill="currentColor" />
                    <circle cx="15.25" cy="10" r="1.3" fill="currentColor" />
                  </svg>
                </MoreButton>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {editing ? (
        <CategoryDialog
          category={editing.category}
          parentId={editing.parentId}
          all={all}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast(editing.category ? t('kb.categories.saved') : t('kb.categories.created'));
            cats.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          danger
          title={t('kb.categories.deleteTitle', { name: deleting.name })}
          body={t('kb.categories.deleteBody')}
          confirmLabel={t('kb.categories.delete')}
          known={{ conflict: 'kb.categories.hasChildren' }}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteCategory(deleting.id);
            toast(t('kb.categories.deleted', { name: deleting.name }));
            cats.reload();
          }}
        />
      ) : null}
    </Panel>
  );
}

/** Administration › Knowledge base: public sharing on/off, and the category taxonomy. */
export function KbAdminSection() {
  const { t } = useI18n();
  useDocumentTitle('kb.admin.docTitle');
  return (
    <div className="section">
      <SectionHeader title={t('kb.admin.title')} lead={t('kb.admin.lead')} />
      <SharingPanel />
      <CategoriesPanel />
    </div>
  );
}
