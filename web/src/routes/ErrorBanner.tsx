import type { CombinedError } from 'urql';
import { Button } from '../ui/Button.tsx';

/** What a failed request says to the user: the server's message, or that Cairn cannot be reached; never a stack or SQL. */
export function errorText(error: CombinedError): string {
  if (error.networkError || error.response?.status === 502 || error.response?.status === 503) return 'Cannot reach Cairn.';
  return error.graphQLErrors[0]?.message ?? 'Something went wrong.';
}

/**
 * A banner for a failed load, with Retry. `stale`: data from before is still shown below (offline keeps the last
 * data), so the banner says so instead of replacing it.
 */
export function ErrorBanner({ error, stale, onRetry, retrying }: { error: CombinedError | undefined; stale: boolean; onRetry: () => void; retrying?: boolean }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span>
        <strong>{errorText(error)}</strong> {stale ? 'Showing what was loaded before.' : ''}
      </span>
      <Button size="sm" onClick={onRetry} pending={retrying}>
        Retry
      </Button>
    </div>
  );
}
