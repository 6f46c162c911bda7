// How far an upload has got, in the words the progress line and its live region use.
import { bytes } from '../bytes.ts';

export interface Progress {
  loaded: number;
  total: number;
  /** Milliseconds since the upload started. */
  elapsedMs: number;
}

export interface ProgressText {
  percent: number;
  /** "12.0 MiB of 200.0 MiB" */
  amount: string;
  /** "4.0 MiB/s", or null before a rate can be told */
  rate: string | null;
  /** "about 47 s left", or null before a rate can be told */
  left: string | null;
}

/** A duration for people: seconds under two minutes, then minutes, then hours and minutes. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function describeProgress({ loaded, total, elapsedMs }: Progress): ProgressText {
  const percent = total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
  const perSecond = elapsedMs > 0 && loaded > 0 ? loaded / (elapsedMs / 1000) : 0;
  return {
    percent,
    amount: `${bytes(loaded)} of ${bytes(total)}`,
    rate: perSecond > 0 ? `${bytes(perSecond)}/s` : null,
    left: perSecond > 0 ? (loaded >= total ? 'finishing' : `about ${duration((total - loaded) / perSecond)} left`) : null,
  };
}
