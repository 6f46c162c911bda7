import { useEffect, useState } from 'react';
import { formatExact, formatRelative } from './time.ts';

export { formatExact, formatRelative };

/**
 * A relative time in a <time dateTime>, the exact time in its title and in a tooltip on hover. A plain CSS
 * tooltip rather than Radix's: a list shows dozens, and the models list must load light.
 */
export function RelativeTime({ value, by }: { value: string; by?: string | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const text = formatExact(date);
  return (
    <>
      <time dateTime={date.toISOString()} title={text} data-exact={text} className="time">
        {formatRelative(date, now)}
      </time>
      {by && <span className="muted"> by {by}</span>}
    </>
  );
}
