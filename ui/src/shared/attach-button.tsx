import { useRef } from 'preact/hooks';
import type { FileLimits } from './upload.js';

/** A paperclip that opens the file picker for the types the server takes; the chosen file goes to `onFile`. */
export function AttachButton({ limits, disabled, onFile, class: cls }: { limits: FileLimits; disabled: boolean; onFile: (file: File) => void; class?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class={cls ?? 'attach'} aria-label="Attach a file" title="Attach a picture or a PDF" disabled={disabled} onClick={() => input.current?.click()}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z" /></svg>
      </button>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="attach-input"
        accept={limits.types.join(',')}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          // Cleared, so choosing the same file again is a new choice.
          e.currentTarget.value = '';
          if (file) onFile(file);
        }}
      />
    </>
  );
}
