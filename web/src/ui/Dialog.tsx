import { AlertDialog, Dialog as RadixDialog } from 'radix-ui';
import { type ReactNode, useRef, useState } from 'react';
import { Button } from './Button.tsx';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  /** One sentence under the title, read out when the dialog opens. */
  description?: ReactNode;
  children: ReactNode;
  /** Wider dialogs for forms with several columns. */
  wide?: boolean;
}

/**
 * Where focus goes back to when a dialog closes: the element focused when it opened (read while rendering the
 * opening, before the dialog takes focus). Radix returns focus only to its own Trigger, and these dialogs are
 * opened from anywhere (a button, a menu item, code).
 */
function useFocusReturn(open: boolean) {
  const opener = useRef<HTMLElement | null>(null);
  if (open && !opener.current && typeof document !== 'undefined') opener.current = document.activeElement as HTMLElement | null;
  return (event: Event) => {
    const target = opener.current;
    opener.current = null;
    if (target && target.isConnected && target !== document.body) {
      event.preventDefault();
      target.focus();
    }
  };
}

/**
 * A modal dialog (Radix): focus moves in and is trapped, Escape and the overlay close it, aria-modal is set,
 * and focus returns to what opened it. Forms inside keep their own state: closing is the caller's choice.
 */
export function Dialog({ open, onOpenChange, title, description, children, wide }: DialogProps) {
  const returnFocus = useFocusReturn(open);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content
          className={wide ? 'dialog dialog-wide' : 'dialog'}
          aria-modal="true"
          onCloseAutoFocus={returnFocus}
          {...(!description && { 'aria-describedby': undefined })}
        >
          <RadixDialog.Title className="dialog-title">{title}</RadixDialog.Title>
          {description && <RadixDialog.Description className="dialog-description">{description}</RadixDialog.Description>}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  body: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** A destructive action: the confirm button is red. */
  danger?: boolean;
  /**
   * Runs the action. While its promise is pending the confirm button shows busy and the dialog stays open;
   * it closes when the promise resolves to anything but a string; a string is shown in the dialog as the refusal.
   */
  onConfirm: () => unknown | Promise<unknown>;
}

/** An alert dialog (Radix) for irreversible actions: focus starts on Cancel, Escape cancels. */
export function ConfirmDialog({ open, onOpenChange, title, body, confirmLabel, cancelLabel = 'Cancel', danger, onConfirm }: ConfirmDialogProps) {
  const returnFocus = useFocusReturn(open);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = (next: boolean) => {
    if (pending) return;
    if (!next) setError(null);
    onOpenChange(next);
  };
  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      const outcome = await onConfirm();
      if (typeof outcome === 'string') setError(outcome);
      else onOpenChange(false);
    } catch {
      setError('Cannot reach Cairn. Nothing was changed unless the page says so; try again.');
    } finally {
      setPending(false);
    }
  };
  return (
    <AlertDialog.Root open={open} onOpenChange={change}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog" aria-modal="true" onCloseAutoFocus={returnFocus}>
          <AlertDialog.Title className="dialog-title">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="dialog-description">{body}</div>
          </AlertDialog.Description>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <AlertDialog.Cancel asChild>
              <Button disabled={pending}>{cancelLabel}</Button>
            </AlertDialog.Cancel>
            {/* Not AlertDialog.Action: that closes at once, before the action's outcome is known. */}
            <Button variant={danger ? 'danger' : 'primary'} pending={pending} onClick={confirm}>
              {confirmLabel}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

/** Confirm-before-doing as a hook: `const [dialog, confirm] = useConfirm(); confirm({ title, body, confirmLabel, danger, onConfirm })`, render `dialog`. */
export function useConfirm(): [ReactNode, (options: Omit<ConfirmDialogProps, 'open' | 'onOpenChange'>) => void] {
  const [options, setOptions] = useState<Omit<ConfirmDialogProps, 'open' | 'onOpenChange'> | null>(null);
  const [open, setOpen] = useState(false);
  const dialog = options && <ConfirmDialog {...options} open={open} onOpenChange={setOpen} />;
  return [
    dialog,
    (next) => {
      setOptions(next);
      setOpen(true);
    },
  ];
}
