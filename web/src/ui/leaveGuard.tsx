import { useEffect, useRef } from 'react';
import { useBlocker } from 'react-router';
import { ConfirmDialog } from './Dialog.tsx';

/**
 * While `active` (a form with unsaved edits, an upload running), leaving asks first: closing or reloading the
 * tab through the browser's own prompt, a link or Back inside the dashboard through a dialog. Render the
 * returned node. `what` finishes "Leave and lose …?" ("your edits", "the upload in progress").
 */
export function useLeaveGuard(active: boolean, what = 'your unsaved changes'): React.ReactNode {
  useEffect(() => {
    if (!active) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = '';
    };
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [active]);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => active && (currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search));
  // Closing the dialog after "Leave" must not also cancel the navigation it let through.
  const leaving = useRef(false);
  if (blocker.state === 'unblocked') leaving.current = false;
  return (
    <ConfirmDialog
      open={blocker.state === 'blocked'}
      onOpenChange={(open) => {
        if (!open && !leaving.current && blocker.state === 'blocked') blocker.reset();
      }}
      title="Leave this page?"
      body={`Leave and lose ${what}?`}
      confirmLabel="Leave"
      cancelLabel="Stay"
      danger
      onConfirm={() => {
        if (blocker.state !== 'blocked') return;
        leaving.current = true;
        blocker.proceed();
      }}
    />
  );
}
