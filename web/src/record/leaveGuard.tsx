import { type RefObject, useEffect } from 'react';
import { useBlocker } from 'react-router';
import { ConfirmDialog } from '../ui/index.ts';

/**
 * Render while there is work to lose: the browser's own prompt guards closing or reloading the tab
 * (beforeunload), a dialog guards in-app links (the router's blocker). Rendered only while needed, since a
 * router takes one blocker at a time. Set `released.current` just before navigating away on purpose (after
 * a save): a re-render would come too late for that navigation.
 */
export function LeaveGuard({ what, released }: { what: string; released?: RefObject<boolean> }) {
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (released?.current) return;
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = '';
    };
    addEventListener('beforeunload', warn);
    return () => removeEventListener('beforeunload', warn);
  }, [released]);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => !released?.current && currentLocation.pathname !== nextLocation.pathname);
  return (
    <ConfirmDialog
      open={blocker.state === 'blocked'}
      onOpenChange={(open) => !open && blocker.state === 'blocked' && blocker.reset()}
      title="Leave this page?"
      body={`${what} If you leave now, it is lost.`}
      confirmLabel="Leave"
      cancelLabel="Stay"
      danger
      onConfirm={() => blocker.state === 'blocked' && blocker.proceed()}
    />
  );
}
