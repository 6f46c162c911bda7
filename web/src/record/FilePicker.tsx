import { useRef } from 'react';
import { Button, type ButtonVariant } from '../ui/index.ts';

/**
 * A file picker that looks like the other buttons: the real <input type=file> stays in the page (labelled, so
 * tests and assistive tools find it) but visually hidden; the button opens it.
 */
export function FilePicker({ label, buttonText, onFile, disabled, variant = 'secondary' }: { label: string; buttonText: string; onFile: (file: File) => void; disabled?: boolean; variant?: ButtonVariant }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        aria-label={label}
        tabIndex={-1}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared so that choosing the same file again fires change again.
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
      <Button size="sm" variant={variant} disabled={disabled} onClick={() => input.current?.click()}>
        {buttonText}
      </Button>
    </>
  );
}
