// The CodeMirror 6 markdown editor. This module (and CodeMirror with it) is
// loaded on demand with a dynamic import, so the main bundle stays small.

import { autocompletion, completionKeymap, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdown, markdownLanguage } from '@codemirror/lang-markdown';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorSelection, EditorState, type Extension } from '@codemirror/state';
import { drawSelection, dropCursor, EditorView, keymap, placeholder as placeholderExt, type KeyBinding } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { formatEdit, type Edit, type Format, type Placeholders } from '../markdown';

export interface EditorHandle {
  format: (f: Format) => void;
  /** Inserts text at the selection (or at `pos`) and returns where it starts. */
  insert: (text: string, pos?: number) => number;
  /** Replaces the first occurrence of `search` (e.g. an upload placeholder); false when it is gone. */
  replaceText: (search: string, replacement: string) => boolean;
  focus: () => void;
  getValue: () => string;
  setValue: (text: string) => void;
}

export interface TitleOption {
  id: string;
  title: string;
  detail?: string;
}

export interface PersonOption {
  id: string;
  name: string;
  handle: string;
  detail?: string;
}

export interface MarkdownEditorProps {
  initialValue: string;
  onChange: (value: string) => void;
  onFiles?: (files: File[], pos: number) => void;
  onSave?: () => void;
  searchTitles?: (q: string) => Promise<TitleOption[]>;
  searchPeople?: (q: string) => Promise<PersonOption[]>;
  ariaLabel: string;
  ariaDescribedBy?: string;
  placeholder?: string;
  placeholders: Placeholders;
  editorRef?: Ref<EditorHandle>;
  /** Minimal: no completion, no shortcuts beyond formatting (templates, merge). */
  minimal?: boolean;
}

const highlight = HighlightStyle.define([
  { tag: tags.heading1, fontSize: '1.45em', fontWeight: '700' },
  { tag: tags.heading2, fontSize: '1.25em', fontWeight: '700' },
  { tag: tags.heading3, fontSize: '1.1em', fontWeight: '650' },
  { tag: [tags.heading4, tags.heading5, tags.heading6], fontWeight: '650' },
  { tag: tags.strong, fontWeight: '700' },
  { tag: tags.emphasis, fontStyle: 'italic' },
  { tag: tags.strikethrough, textDecoration: 'line-through' },
  { tag: [tags.link, tags.url], color: 'var(--accent-text)' },
  { tag: tags.monospace, fontFamily: 'var(--font-mono)', fontSize: '0.92em' },
  { tag: tags.quote, color: 'var(--text-muted)' },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: 'var(--text-subtle)' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '15px', color: 'var(--text)', backgroundColor: 'transparent' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-sans)', lineHeight: '1.7', overflow: 'auto' },
  '.cm-content': { padding: '16px 4px 48px', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 12px' },
  '.cm-placeholder': { color: 'var(--text-subtle)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 25%, transparent) !important',
  },
  '.cm-tooltip': {
    border: '1px solid var(--border)',
    borderRadius: 'var(--radius)',
    background: 'var(--surface-raised)',
    boxShadow: 'var(--shadow-lg)',
    overflow: 'hidden',
  },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--font-sans)', maxHeight: '16em' },
  '.cm-tooltip-autocomplete > ul > li': { padding: '6px 10px', lineHeight: '1.4' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { background: 'var(--accent-soft)', color: 'var(--text)' },
  '.cm-completionDetail': { marginLeft: '10px', color: 'var(--text-muted)', fontStyle: 'normal' },
  '.cm-panels': { background: 'var(--bg-subtle)', color: 'var(--text)', borderColor: 'var(--border)' },
  '.cm-searchMatch': { backgroundColor: 'color-mix(in srgb, var(--warning) 30%, transparent)' },
});

function apply(view: EditorView, edit: Edit) {
  view.dispatch({
    changes: { from: edit.from, to: edit.to, insert: edit.insert },
    selection: EditorSelection.single(edit.anchor, edit.head),
    scrollIntoView: true,
    userEvent: 'input.format',
  });
}

function formatCommand(f: Format, ph: () => Placeholders) {
  return (view: EditorView) => {
    const { from, to } = view.state.selection.main;
    apply(view, formatEdit(view.state.doc.toString(), from, to, f, ph()));
    return true;
  };
}

export default function MarkdownEditor(props: MarkdownEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Callbacks change every render; the editor reads the latest through a ref.
  const latest = useRef(props);
  latest.current = props;

  useImperativeHandle(
    props.editorRef,
    (): EditorHandle => ({
      format: (f) => {
        const v = view.current;
        if (!v) return;
        formatCommand(f, () => latest.current.placeholders)(v);
        v.focus();
      },
      insert: (text, pos) => {
        const v = view.current;
        if (!v) return 0;
        const at = pos ?? v.state.selection.main.from;
        const to = pos === undefined ? v.state.selection.main.to : pos;
        v.dispatch({ changes: { from: at, to, insert: text }, selection: EditorSelection.cursor(at + text.length), scrollIntoView: true });
        return at;
      },
      replaceText: (needle, replacement) => {
        const v = view.current;
        if (!v) return false;
        const i = v.state.doc.toString().indexOf(needle);
        if (i < 0) return false;
        v.dispatch({ changes: { from: i, to: i + needle.length, insert: replacement } });
        return true;
      },
      focus: () => view.current?.focus(),
      getValue: () => view.current?.state.doc.toString() ?? '',
      setValue: (text) => {
        const v = view.current;
        if (!v) return;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
      },
    }),
    [],
  );

  useEffect(() => {
    if (!host.current) return;
    const p = latest.current;
    const ph = () => latest.current.placeholders;
    const bindings: KeyBinding[] = [
      { key: 'Mod-b', run: formatCommand('bold', ph) },
      { key: 'Mod-i', run: formatCommand('italic', ph) },
      { key: 'Mod-k', run: formatCommand('link', ph) },
      { key: 'Mod-e', run: formatCommand('code', ph) },
      { key: 'Mod-Shift-x', run: formatCommand('strike', ph) },
      { key: 'Mod-Alt-1', run: formatCommand('h1', ph) },
      { key: 'Mod-Alt-2', run: formatCommand('h2', ph) },
      { key: 'Mod-Alt-3', run: formatCommand('h3', ph) },
      { key: 'Mod-Shift-7', run: formatCommand('ordered', ph) },
      { key: 'Mod-Shift-8', run: formatCommand('bullet', ph) },
      { key: 'Mod-Shift-9', run: formatCommand('task', ph) },
      { key: 'Mod-Shift-.', run: formatCommand('quote', ph) },
      {
        key: 'Mod-s',
        preventDefault: true,
        run: () => {
          latest.current.onSave?.();
          return true;
        },
      },
    ];

    const titleSource = async (ctx: CompletionContext): Promise<CompletionResult | null> => {
      const m = ctx.matchBefore(/\[\[[^\]\n[]*$/);
      const search = latest.current.searchTitles;
      if (!m || !search) return null;
      const q = m.text.slice(2);
      let list: TitleOption[] = [];
      try {
        list = await search(q);
      } catch {
        return null;
      }
      if (ctx.aborted) return null;
      const after = ctx.state.sliceDoc(ctx.pos, ctx.pos + 2);
      return {
        from: m.from + 2,
        filter: false,
        options: list.map(
          (o): Completion => ({
            label: o.title,
            detail: o.detail,
            type: 'text',
            apply: (v, _c, from, to) => {
              const insert = after === ']]' ? o.title : `${o.title}]]`;
              v.dispatch({
                changes: { from, to, insert },
                selection: EditorSelection.cursor(from + insert.length + (after === ']]' ? 2 : 0)),
              });
            },
          }),
        ),
      };
    };

    const peopleSource = async (ctx: CompletionContext): Promise<CompletionResult | null> => {
      const m = ctx.matchBefore(/(?:^|[\s(])@[\p{L}\p{N}_.-]*$/u);
      const search = latest.current.searchPeople;
      if (!m || !search) return null;
      const at = m.text.indexOf('@');
      const q = m.text.slice(at + 1);
      let list: PersonOption[] = [];
      try {
        list = await search(q);
      } catch {
        return null;
      }
      if (ctx.aborted) return null;
      return {
        from: m.from + at,
        filter: false,
        options: list.map((o): Completion => ({ label: `@${o.handle}`, detail: o.name === o.handle ? o.detail : o.name, type: 'variable', apply: `@${o.handle} ` })),
      };
    };

    const extensions: Extension[] = [
      history(),
      drawSelection(),
      dropCursor(),
      EditorView.lineWrapping,
      markdown({ base: markdownLanguage }),
      syntaxHighlighting(highlight),
      search({ top: true }),
      highlightSelectionMatches(),
      theme,
      keymap.of([...bindings, ...completionKeymap, ...searchKeymap, ...historyKeymap, ...defaultKeymap]),
      EditorView.contentAttributes.of({
        'aria-label': p.ariaLabel,
        'aria-multiline': 'true',
        ...(p.ariaDescribedBy ? { 'aria-describedby': p.ariaDescribedBy } : {}),
        spellcheck: 'true',
        autocapitalize: 'sentences',
      }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) latest.current.onChange(u.state.doc.toString());
      }),
      EditorView.domEventHandlers({
        paste: (e, v) => {
          const files = Array.from(e.clipboardData?.files ?? []);
          if (files.length === 0 || !latest.current.onFiles) return false;
          e.preventDefault();
          latest.current.onFiles(files, v.state.selection.main.head);
          return true;
        },
        drop: (e, v) => {
          const files = Array.from(e.dataTransfer?.files ?? []);
          if (files.length === 0 || !latest.current.onFiles) return false;
          e.preventDefault();
          const pos = v.posAtCoords({ x: e.clientX, y: e.clientY }) ?? v.state.selection.main.head;
          latest.current.onFiles(files, pos);
          return true;
        },
      }),
    ];
    if (p.placeholder) extensions.push(placeholderExt(p.placeholder));
    if (!p.minimal) extensions.push(autocompletion({ override: [titleSource, peopleSource], activateOnTyping: true, icons: false }));

    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({ doc: p.initialValue, extensions }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; later prop changes are read through `latest`.
  }, []);

  return <div ref={host} className="md-editor" data-testid="markdown-editor" />;
}
