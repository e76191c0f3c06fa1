import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { useUser } from '../auth/AuthContext';
import { errorFrom, type FormError } from '../auth/formErrors';
import { Dialog, DialogActions } from '../components/Dialog';
import { ErrorAlert, Notice, SelectField, Spinner, SubmitButton, TextField, useErrorText } from '../components/Form';
import { ArrowLeftIcon } from '../components/Icons';
import { useToast } from '../components/Toast';
import { useI18n, type MessageKey } from '../i18n';
import { useFormat } from '../lib/format';
import { Link, navigate } from '../router';
import {
  attachmentContentPath,
  isImageType,
  isMissingEndpoint,
  type Category,
  type DocStatus,
  type Draft,
  type Heading,
  type KbDocument,
} from './api';
import { DraftAutosave, localDraftKey, readLocalDraft, clearLocalDraft, type SaveState } from './draft';
import { useKbApi } from './hooks';
import {
  BoldIcon,
  CodeBlockIcon,
  CodeIcon,
  HeadingIcon,
  ItalicIcon,
  LinkIcon,
  ListIcon,
  OrderedListIcon,
  PaperclipIcon,
  QuoteIcon,
  StrikeIcon,
  TableIcon,
  TaskIcon,
} from './icons';
import { LazyMarkdownEditor, usePlaceholders, type EditorHandle } from './LazyEditor';
import { attachmentMarkdown, type Format } from './markdown';
import { MergeView, type ServerVersion, type TextVersion } from './MergeView';
import { RenderedHtml } from './RenderedHtml';
import { docPath, useSpace } from './SpaceShell';
import { useKbEvents } from './realtime';
import { TagInput } from './TagInput';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const MOD = isMac ? '⌘' : 'Ctrl+';

interface Tool {
  format: Format;
  label: MessageKey;
  Icon: (p: { width: number; height: number }) => ReactNode;
  keys?: string;
}

const TOOLS: Tool[][] = [
  [
    { format: 'bold', label: 'kb.editor.bold', Icon: BoldIcon, keys: `${MOD}B` },
    { format: 'italic', label: 'kb.editor.italic', Icon: ItalicIcon, keys: `${MOD}I` },
    { format: 'strike', label: 'kb.editor.strike', Icon: StrikeIcon, keys: `${MOD}${isMac ? '⇧' : 'Shift+'}X` },
    { format: 'h2', label: 'kb.editor.heading2', Icon: HeadingIcon, keys: `${MOD}${isMac ? '⌥' : 'Alt+'}2` },
  ],
  [
    { format: 'bullet', label: 'kb.editor.bullet', Icon: ListIcon, keys: `${MOD}${isMac ? '⇧' : 'Shift+'}8` },
    { format: 'ordered', label: 'kb.editor.ordered', Icon: OrderedListIcon, keys: `${MOD}${isMac ? '⇧' : 'Shift+'}7` },
    { format: 'task', label: 'kb.editor.task', Icon: TaskIcon, keys: `${MOD}${isMac ? '⇧' : 'Shift+'}9` },
    { format: 'quote', label: 'kb.editor.quote', Icon: QuoteIcon },
  ],
  [
    { format: 'link', label: 'kb.editor.link', Icon: LinkIcon, keys: `${MOD}K` },
    { format: 'code', label: 'kb.editor.code', Icon: CodeIcon, keys: `${MOD}E` },
    { format: 'codeblock', label: 'kb.editor.codeblock', Icon: CodeBlockIcon },
    { format: 'table', label: 'kb.editor.table', Icon: TableIcon },
  ],
];

type PreviewMode = 'write' | 'split' | 'preview';

/** Whether the server renders previews (POST /documents/preview): null until the first answer. */
let previewSupport: boolean | null = null;

/** A toolbar (WAI-ARIA toolbar: one tab stop, arrow keys move between buttons). */
function Toolbar({ onFormat, onAttach }: { onFormat: (f: Format) => void; onAttach: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const [focus, setFocus] = useState(0);
  const buttons = () => Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
  const move = (to: number) => {
    const list = buttons();
    const i = (to + list.length) % list.length;
    setFocus(i);
    list[i]?.focus();
  };
  let index = -1;
  const tab = () => {
    index += 1;
    return index === focus ? 0 : -1;
  };
  return (
    <div
      ref={ref}
      role="toolbar"
      aria-label={t('kb.editor.toolbar')}
      className="kb-toolbar"
      onKeyDown={(e) => {
        const list = buttons();
        const i = list.indexOf(document.activeElement as HTMLButtonElement);
        if (e.key === 'ArrowRight') {
          e.preventDefault();
          move(i + 1);
        } else if (e.key === 'ArrowLeft') {
          e.preventDefault();
          move(i - 1);
        } else if (e.key === 'Home') {
          e.preventDefault();
          move(0);
        } else if (e.key === 'End') {
          e.preventDefault();
          move(list.length - 1);
        }
      }}
    >
      {TOOLS.map((group, g) => (
        <div key={g} className="kb-toolbar__group" role="group">
          {group.map((tool) => {
            const label = t(tool.label);
            return (
              <button
                key={tool.format}
                type="button"
                className="kb-toolbar__button"
                tabIndex={tab()}
                aria-label={tool.keys ? `${label} (${tool.keys})` : label}
                title={tool.keys ? `${label} (${tool.keys})` : label}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => onFormat(tool.format)}
              >
                <tool.Icon width={18} height={18} />
              </button>
            );
          })}
        </div>
      ))}
      <div className="kb-toolbar__group" role="group">
        <button
          type="button"
          className="kb-toolbar__button kb-toolbar__button--text"
          tabIndex={tab()}
          onMouseDown={(e) => e.preventDefault()}
          onClick={onAttach}
          aria-label={t('kb.editor.attach')}
          title={t('kb.editor.attach')}
        >
          <PaperclipIcon width={18} height={18} />
          <span className="hide-narrow">{t('kb.editor.attach')}</span>
        </button>
      </div>
    </div>
  );
}

const SAVE_TEXT: Record<SaveState, MessageKey> = {
  idle: 'kb.editor.saveIdle',
  pending: 'kb.editor.savePending',
  saving: 'kb.editor.saving',
  saved: 'kb.editor.saved',
  error: 'kb.editor.saveError',
};

function PublishDialog({
  busy,
  error,
  status,
  onClose,
  onPublish,
}: {
  busy: boolean;
  error: FormError | null;
  status: DocStatus;
  onClose: () => void;
  onPublish: (message: string) => void;
}) {
  const { t } = useI18n();
  const [message, setMessage] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onPublish(message.trim());
  };
  return (
    <Dialog title={t('kb.publish.title')} description={status === 'draft' ? t('kb.publish.leadDraft') : t('kb.publish.lead')} onClose={onClose} size="sm">
      <form className="form form--dialog" onSubmit={submit} noValidate aria-busy={busy}>
        <ErrorAlert error={error} />
        <TextField
          label={t('kb.publish.message')}
          hint={t('kb.publish.messageHint')}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          maxLength={500}
          autoComplete="off"
          data-autofocus
        />
        <DialogActions>
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy}>{t('kb.publish.submit')}</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Categories as indented options ("Engineering › Backend"). */
function categoryOptions(list: Category[]): { id: string; label: string }[] {
  const byParent = new Map<string | null, Category[]>();
  for (const c of list) {
    const k = c.parent_id && list.some((x) => x.id === c.parent_id) ? c.parent_id : null;
    byParent.set(k, [...(byParent.get(k) ?? []), c]);
  }
  const out: { id: string; label: string }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const c of byParent.get(parent) ?? []) {
      out.push({ id: c.id, label: `${'\u00a0\u00a0\u00a0'.repeat(depth)}${c.name}` });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

interface Loaded {
  doc: KbDocument;
  categories: Category[];
  /** What the editor starts with (published text, the server draft or a newer local copy). */
  start: { title: string; body: string; tags: string[]; category_id: string | null; status: DocStatus; base: number };
  restored: { at: string | null; stale: boolean } | null;
}

interface Conflict {
  mine: TextVersion;
  theirs: ServerVersion;
  base: TextVersion | null;
}

/** /kb/doc/:id/edit: the markdown editor with autosaved draft, preview, attachments and publishing. */
export function DocumentEditor({ id }: { id: string }) {
  const { t } = useI18n();
  const me = useUser();
  const api = useKbApi();
  const toast = useToast();
  const errorText = useErrorText();
  const fmt = useFormat();
  const ctx = useSpace();
  const placeholders = usePlaceholders();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<FormError | null>(null);

  useEffect(() => {
    let live = true;
    const local = readLocalDraft(localDraftKey(id, me.id));
    Promise.all([api.document(id), api.categories().catch(() => [] as Category[])]).then(
      async ([doc, categories]) => {
        // Only ask for a draft the server says exists (a 404 is otherwise the normal answer).
        const draft = doc.has_draft || doc.access === null ? await api.draft(id).catch(() => null) : null;
        if (!live) return;
        let start: Loaded['start'] = {
          title: doc.title,
          body: doc.body,
          tags: doc.tags,
          category_id: doc.category?.id ?? null,
          status: doc.status,
          base: doc.version,
        };
        let restored: Loaded['restored'] = null;
        const pick = (d: Draft, at: string | null) => {
          start = {
            ...start,
            title: d.title,
            body: d.body,
            tags: d.tags ?? start.tags,
            category_id: d.category_id !== undefined ? d.category_id : start.category_id,
            base: d.base_version ?? start.base,
          };
          restored = { at, stale: (d.base_version ?? doc.version) < doc.version };
        };
        if (draft && (draft.body !== doc.body || draft.title !== doc.title)) pick(draft, draft.updated_at ?? null);
        // A local copy newer than the server's draft: a save that never arrived.
        const serverAt = draft?.updated_at ? Date.parse(draft.updated_at) : 0;
        if (local && local.saved_locally_at > serverAt && (local.body !== start.body || local.title !== start.title)) {
          pick(local, new Date(local.saved_locally_at).toISOString());
        } else if (local) clearLocalDraft(localDraftKey(id, me.id));
        setLoaded({ doc, categories, start, restored });
      },
      (err: unknown) => live && setLoadError(errorFrom(err)),
    );
    return () => {
      live = false;
    };
  }, [api, id, me.id]);

  useEffect(() => {
    document.title = t('app.titleFormat', { page: t('kb.editor.docTitle', { title: loaded?.doc.title || t('kb.doc.untitled') }) });
  }, [loaded, t]);

  if (loadError) {
    return (
      <div className="kb-editor">
        <h1 className="page__title" tabIndex={-1}>
          {t('kb.editor.heading')}
        </h1>
        <ErrorAlert error={loadError} />
      </div>
    );
  }
  if (!loaded) {
    return (
      <div className="pending" role="status" aria-label={t('common.loading')}>
        <Spinner />
      </div>
    );
  }
  if (loaded.doc.access && !loaded.doc.access.edit) {
    return (
      <div className="kb-editor">
        <h1 className="page__title" tabIndex={-1}>
          {t('kb.editor.heading')}
        </h1>
        <Notice tone="warning">{t('kb.editor.readOnly')}</Notice>
        <Link to={docPath(id)} className="button">
          {t('kb.editor.backToDoc')}
        </Link>
      </div>
    );
  }
  return (
    <EditorForm
      key={loaded.doc.id}
      loaded={loaded}
      api={api}
      userId={me.id}
      placeholders={placeholders}
      onToast={toast}
      errorText={errorText}
      relative={fmt.relative}
      spaceId={ctx.spaceId}
      onPublished={(doc) => ctx.patchDoc({ id: doc.id, title: doc.title, status: doc.status })}
    />
  );
}

function EditorForm({
  loaded,
  api,
  userId,
  placeholders,
  onToast,
  errorText,
  relative,
  spaceId,
  onPublished,
}: {
  loaded: Loaded;
  api: ReturnType<typeof useKbApi>;
  userId: string;
  placeholders: ReturnType<typeof usePlaceholders>;
  onToast: ReturnType<typeof useToast>;
  errorText: ReturnType<typeof useErrorText>;
  relative: (iso: string | null | undefined) => string;
  spaceId: string;
  onPublished: (doc: KbDocument) => void;
}) {
  const { t } = useI18n();
  const { doc, start } = loaded;
  const [title, setTitle] = useState(start.title);
  const [body, setBody] = useState(start.body);
  const [tags, setTags] = useState<string[]>(start.tags);
  const [categoryId, setCategoryId] = useState<string | null>(start.category_id);
  const [status, setStatus] = useState<DocStatus>(
    // A new, empty document is written to be published; an existing draft stays a draft until the author says otherwise.
    start.status === 'draft' && doc.body === '' ? 'published' : start.status,
  );
  const [base, setBase] = useState(start.base);
  const [restored, setRestored] = useState(loaded.restored);
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [publishing, setPublishing] = useState(false);
  const [publishBusy, setPublishBusy] = useState(false);
  const [publishError, setPublishError] = useState<FormError | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [mode, setMode] = useState<PreviewMode>(() => (typeof window !== 'undefined' && window.matchMedia?.('(min-width: 1280px)').matches ? 'split' : 'write'));
  const [preview, setPreview] = useState<{ html: string; toc: Heading[] } | null>(null);
  const [previewState, setPreviewState] = useState<'idle' | 'loading' | 'unavailable'>(previewSupport === false ? 'unavailable' : 'idle');
  const [newer, setNewer] = useState<number | null>(null);
  const editor = useRef<EditorHandle>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const uploads = useRef(0);
  const [uploading, setUploading] = useState(0);
  const changed = useRef(false);
  const latest = useRef({ title, body, tags, categoryId, base });
  latest.current = { title, body, tags, categoryId, base };
  const options = useMemo(() => categoryOptions(loaded.categories), [loaded.categories]);

  const autosave = useMemo(
    () =>
      new DraftAutosave({
        save: (d) => api.saveDraft(doc.id, d),
        delay: 800,
        localKey: localDraftKey(doc.id, userId),
        onState: (s) => setSaveState(s),
      }),
    [api, doc.id, userId],
  );

  // Every change after the first render is autosaved.
  useEffect(() => {
    if (!changed.current) return;
    autosave.update({ title, body, tags, category_id: categoryId, base_version: base });
  }, [title, body, tags, categoryId, base, autosave]);

  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    changed.current = true;
    set(v);
  };

  // Leaving: send what is pending. Closing the tab with unsaved text asks first.
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!autosave.dirty) return;
      void autosave.flush();
      e.preventDefault();
    };
    const onHide = () => {
      if (document.visibilityState === 'hidden') void autosave.flush();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('visibilitychange', onHide);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('visibilitychange', onHide);
      void autosave.flush().finally(() => autosave.dispose());
    };
  }, [autosave]);

  // Live preview, rendered by the server when it offers POST /documents/preview.
  // Without it (answered once per tab), the editor is write-only and the
  // rendered page appears on publishing.
  useEffect(() => {
    if (previewState === 'unavailable' || (mode === 'write' && previewSupport !== null)) return;
    const timer = setTimeout(
      () => {
        setPreviewState('loading');
        api.preview(body, doc.id).then(
          (p) => {
            previewSupport = true;
            setPreview(p);
            setPreviewState('idle');
          },
          (err: unknown) => {
            if (isMissingEndpoint(err)) {
              previewSupport = false;
              setPreviewState('unavailable');
            } else setPreviewState('idle');
          },
        );
      },
      previewSupport === null ? 0 : 400,
    );
    return () => clearTimeout(timer);
  }, [body, mode, api, doc.id, previewState === 'unavailable']);

  // Someone else published while this user edits: say so now, not only at publish time.
  useKbEvents(
    useCallback(
      (e) => {
        if (e.documentId === doc.id && e.type === 'document.updated' && e.version !== null && e.version > latest.current.base) setNewer(e.version);
      },
      [doc.id],
    ),
  );

  const upload = useCallback(
    (files: File[], pos?: number) => {
      for (const file of files) {
        uploads.current += 1;
        const n = uploads.current;
        const token = `![${t('kb.editor.uploading', { name: file.name.replace(/[[\]]/g, '') })}](uploading-${n})`;
        const at = editor.current?.insert(`${token}\n`, pos) ?? 0;
        pos = at + token.length + 1;
        setUploading((u) => u + 1);
        api
          .upload(doc.id, file, file.name)
          .then(
            (a) => {
              const md = attachmentMarkdown(a.name || file.name, attachmentContentPath(a.id), isImageType(a.content_type || file.type));
              if (!editor.current?.replaceText(token, md)) editor.current?.insert(`${md}\n`);
              onToast(t('kb.editor.uploaded', { name: a.name || file.name }));
            },
            (err: unknown) => {
              editor.current?.replaceText(`${token}\n`, '');
              editor.current?.replaceText(token, '');
              const e = errorFrom(err, {
                'status:413': 'kb.editor.uploadTooLarge',
                too_large: 'kb.editor.uploadTooLarge',
                'status:415': 'kb.editor.uploadType',
                unsupported_type: 'kb.editor.uploadType',
              });
              onToast(`${t('kb.editor.uploadFailed', { name: file.name })} ${errorText(e)}`, 'error');
            },
          )
          .finally(() => setUploading((u) => u - 1));
      }
    },
    [api, doc.id, onToast, errorText, t],
  );

  const publish = async (text: TextVersion, version: number, message: string) => {
    setPublishBusy(true);
    setPublishError(null);
    // Save what is pending, then hold autosaves until the publish answers.
    await autosave.flush();
    autosave.suspend();
    try {
      const next = await api.publish(doc.id, {
        title: text.title.trim() || t('kb.doc.untitled'),
        body: text.body,
        tags: latest.current.tags,
        category_id: latest.current.categoryId,
        status,
        version,
        message,
      });
      // Publishing cleared the server's draft; forget the local state too.
      autosave.reset();
      onPublished(next);
      onToast(t('kb.publish.done', { n: next.version }));
      navigate(docPath(doc.id));
    } catch (err) {
      setPublishBusy(false);
      autosave.resume();
      if (err instanceof ApiError && err.status === 409 && err.details.current_version !== undefined) {
        setPublishing(false);
        await openConflict(err, text);
      } else {
        setPublishError(
          errorFrom(err, {
            archived: 'kb.editor.archived',
            'status:403': 'kb.editor.forbidden',
          }),
        );
      }
    }
  };

  /** Builds the merge view from a 409: the server's current text, and the base version for a three-way merge. */
  const openConflict = async (err: ApiError, mine: TextVersion) => {
    const current = (err.details.current ?? {}) as Record<string, unknown>;
    let theirs: ServerVersion = {
      title: typeof current.title === 'string' ? current.title : '',
      body: typeof current.body === 'string' ? current.body : '',
      version: Number(err.details.current_version),
      updatedAt: typeof current.updated_at === 'string' ? current.updated_at : undefined,
    };
    if (typeof current.body !== 'string') {
      const fresh = await api.document(doc.id).catch(() => null);
      if (fresh) theirs = { title: fresh.title, body: fresh.body, version: fresh.version, updatedAt: fresh.updated_at, updatedBy: fresh.updated_by?.name };
    }
    let baseText: TextVersion | null = null;
    if (base > 0) {
      const v = await api.version(doc.id, base).catch(() => null);
      if (v) baseText = { title: v.title, body: v.body };
    }
    setConflict({ mine, theirs, base: baseText });
  };

  const discardDraft = async () => {
    try {
      autosave.reset();
      await api.discardDraft(doc.id);
    } catch {
      /* nothing to discard */
    }
    clearLocalDraft(localDraftKey(doc.id, userId));
    changed.current = false;
    setTitle(doc.title);
    setBody(doc.body);
    setTags(doc.tags);
    setCategoryId(doc.category?.id ?? null);
    setBase(doc.version);
    editor.current?.setValue(doc.body);
    setRestored(null);
    onToast(t('kb.editor.draftDiscarded'));
  };

  const done = async () => {
    await autosave.flush();
    navigate(docPath(doc.id));
  };

  if (conflict) {
    return (
      <div className="kb-editor kb-editor--merge">
        <div className="kb-editor__bar">
          <h1 className="visually-hidden">{t('kb.editor.heading')}</h1>
          <span className="kb-editor__crumb truncate">{title || t('kb.doc.untitled')}</span>
        </div>
        <MergeView
          mine={conflict.mine}
          theirs={conflict.theirs}
          base={conflict.base}
          busy={publishBusy}
          error={publishError}
          onCancel={(merged) => {
            changed.current = true;
            setTitle(merged.title);
            setBody(merged.body);
            setBase(conflict.theirs.version);
            setRestored(null);
            setConflict(null);
            setPublishError(null);
          }}
          onPublish={(merged, message) => {
            changed.current = true;
            setTitle(merged.title);
            setBody(merged.body);
            setBase(conflict.theirs.version);
            void publish(merged, conflict.theirs.version, message);
          }}
        />
      </div>
    );
  }

  const canPreview = previewState !== 'unavailable';
  const showWrite = !canPreview || mode !== 'preview';
  const showPreview = canPreview && mode !== 'write';

  return (
    <div className={`kb-editor${showPreview && showWrite ? ' kb-editor--split' : ''}`}>
      <div className="kb-editor__bar">
        <button type="button" className="button button--small button--ghost" onClick={() => void done()} aria-label={t('kb.editor.done')}>
          <ArrowLeftIcon width={16} height={16} />
          <span className="hide-narrow">{t('kb.editor.done')}</span>
        </button>
        <span className={`kb-save kb-save--${saveState}`} role="status" aria-live="polite">
          <span className="kb-save__text">{uploading > 0 ? t('kb.editor.uploadingCount', { count: uploading }) : t(SAVE_TEXT[saveState])}</span>
        </span>
        <span className="kb-editor__spacer" />
        {canPreview ? (
          <div className="segmented kb-segmented" role="group" aria-label={t('kb.editor.view')}>
            {(['write', 'split', 'preview'] as const).map((m) => (
              <button key={m} type="button" className={`segmented__item${m === 'split' ? ' hide-narrow' : ''}`} aria-pressed={mode === m} onClick={() => setMode(m)}>
                {t(`kb.editor.mode.${m}`)}
              </button>
            ))}
          </div>
        ) : null}
        <button type="button" className="button button--primary button--small" onClick={() => setPublishing(true)} aria-keyshortcuts={isMac ? 'Meta+S' : 'Control+S'}>
          {t('kb.publish.button')}
        </button>
      </div>

      <h1 className="visually-hidden" tabIndex={-1}>
        {t('kb.editor.docTitle', { title: title || t('kb.doc.untitled') })}
      </h1>

      {restored ? (
        <Notice tone={restored.stale ? 'warning' : 'info'}>
          {restored.stale ? t('kb.editor.restoredStale') : t('kb.editor.restored', { when: restored.at ? relative(restored.at) : '' })}{' '}
          <button type="button" className="link-button" onClick={() => void discardDraft()}>
            {t('kb.editor.discardDraft')}
          </button>
        </Notice>
      ) : null}

      <input
        className="kb-editor__title"
        aria-label={t('kb.editor.title')}
        placeholder={t('kb.doc.untitled')}
        value={title}
        maxLength={255}
        onChange={(e) => edit(setTitle)(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            editor.current?.focus();
          }
        }}
      />

      <details className="kb-editor__meta" open={tags.length > 0 || categoryId !== null || undefined}>
        <summary>{t('kb.editor.details')}</summary>
        <div className="kb-editor__meta-grid">
          <TagInput label={t('kb.editor.tags')} value={tags} onChange={edit(setTags)} suggest={(p) => api.tags(p)} />
          <SelectField label={t('kb.editor.category')} value={categoryId ?? ''} onChange={(e) => edit(setCategoryId)(e.target.value || null)}>
            <option value="">{t('kb.editor.noCategory')}</option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </SelectField>
          <SelectField label={t('kb.editor.status')} value={status} onChange={(e) => setStatus(e.target.value as DocStatus)}>
            <option value="published">{t('kb.status.published')}</option>
            <option value="draft">{t('kb.status.draftLong')}</option>
          </SelectField>
        </div>
      </details>

      <Toolbar onFormat={(f) => editor.current?.format(f)} onAttach={() => fileInput.current?.click()} />
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        aria-hidden="true"
        tabIndex={-1}
        data-testid="kb-attach-input"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length > 0) {
            changed.current = true;
            upload(files);
          }
        }}
      />

      {newer !== null ? <Notice tone="warning">{t('kb.editor.newerVersion', { n: newer })}</Notice> : null}

      <div className={`kb-editor__panes kb-editor__panes--${canPreview ? mode : 'write'}`}>
        <div className="kb-editor__write" hidden={!showWrite}>
          <LazyMarkdownEditor
            editorRef={editor}
            initialValue={start.body}
            onChange={(v) => {
              changed.current = true;
              setBody(v);
            }}
            onFiles={(files, pos) => {
              changed.current = true;
              upload(files, pos);
            }}
            onSave={() => setPublishing(true)}
            searchTitles={async (q) =>
              (await api.searchTitles(q, spaceId)).filter((d) => d.id !== doc.id).map((d) => ({ id: d.id, title: d.title, detail: d.space_id !== spaceId ? d.space_name : undefined }))
            }
            searchPeople={async (q) => (await api.mentionable(q)).map((p) => ({ id: p.id, name: p.name, handle: p.handle, detail: p.email }))}
            ariaLabel={t('kb.editor.body')}
            ariaDescribedBy="kb-editor-help"
            placeholder={t('kb.editor.placeholder')}
            placeholders={placeholders}
          />
          <p id="kb-editor-help" className="kb-editor__help">
            {t('kb.editor.help')}
          </p>
        </div>
        {showPreview ? (
          <div className="kb-editor__preview" role="region" aria-label={t('kb.editor.preview')}>
            {preview ? (
              <RenderedHtml html={preview.html} />
            ) : (
              <div className="pending" role="status" aria-label={t('common.loading')}>
                <Spinner />
              </div>
            )}
          </div>
        ) : null}
      </div>

      {publishing ? (
        <PublishDialog
          busy={publishBusy}
          error={publishError}
          status={status}
          onClose={() => {
            setPublishing(false);
            setPublishError(null);
          }}
          onPublish={(message) => void publish({ title, body }, base, message)}
        />
      ) : null}
    </div>
  );
}
