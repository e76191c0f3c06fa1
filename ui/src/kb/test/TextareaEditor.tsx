import { useImperativeHandle, useRef, useState } from 'react';
import type { EditorHandle, MarkdownEditorProps } from '../editor/MarkdownEditor';
import { applyEdit, formatEdit } from '../markdown';

/**
 * Stands in for the CodeMirror editor in jsdom tests (vi.mock of
 * ../editor/MarkdownEditor): a textarea with the same props and handle.
 */
export default function TextareaEditor(props: MarkdownEditorProps) {
  const [value, setValue] = useState(props.initialValue);
  const ref = useRef<HTMLTextAreaElement>(null);
  const valueRef = useRef(value);
  const set = (v: string) => {
    valueRef.current = v;
    setValue(v);
    props.onChange(v);
  };
  useImperativeHandle(
    props.editorRef,
    (): EditorHandle => ({
      format: (f) => {
        const el = ref.current;
        const from = el?.selectionStart ?? 0;
        const to = el?.selectionEnd ?? 0;
        set(applyEdit(valueRef.current, formatEdit(valueRef.current, from, to, f, props.placeholders)));
      },
      insert: (text, pos) => {
        const at = pos ?? ref.current?.selectionStart ?? valueRef.current.length;
        set(valueRef.current.slice(0, at) + text + valueRef.current.slice(at));
        return at;
      },
      replaceText: (needle, replacement) => {
        const i = valueRef.current.indexOf(needle);
        if (i < 0) return false;
        set(valueRef.current.slice(0, i) + replacement + valueRef.current.slice(i + needle.length));
        return true;
      },
      focus: () => ref.current?.focus(),
      getValue: () => valueRef.current,
      setValue: (v) => set(v),
    }),
    [],
  );
  return (
    <textarea
      ref={ref}
      aria-label={props.ariaLabel}
      value={value}
      onChange={(e) => set(e.target.value)}
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key === 's') {
          e.preventDefault();
          props.onSave?.();
        }
      }}
    />
  );
}
