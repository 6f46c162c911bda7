import { useCallback, useEffect, useState } from 'react';

/**
 * A polite live region for news from elsewhere ("alice published version 3"): read out by screen readers,
 * shown as a small notice that fades after a while. `useLiveStatus()` → [node, announce(text)].
 */
export function useLiveStatus(): [React.ReactNode, (text: string) => void] {
  const [message, setMessage] = useState<{ text: string; at: number } | null>(null);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), 15_000);
    return () => clearTimeout(timer);
  }, [message]);
  const announce = useCallback((text: string) => setMessage({ text, at: Date.now() }), []);
  const node = (
    <div role="status" aria-live="polite" className={message ? 'live-status live-status-shown' : 'live-status'}>
      {message?.text}
    </div>
  );
  return [node, announce];
}
