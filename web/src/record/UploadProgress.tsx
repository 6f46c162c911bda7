import { Button } from '../ui/index.ts';
import { describeProgress, type Progress } from './uploadProgress.ts';

/**
 * An upload's progress: percent, bytes sent of the total, rate and time left, and Cancel. The visible line
 * changes with every progress event; the live region speaks only at each tenth, so a screen reader is not flooded.
 */
export function UploadProgress({ label, progress, onCancel }: { label: string; progress: Progress; onCancel: () => void }) {
  const text = describeProgress(progress);
  const spoken = `${label}: ${Math.floor(text.percent / 10) * 10}% sent`;
  return (
    <div className="upload-progress" data-testid="upload-progress">
      <progress value={text.percent} max={100} aria-label={`${label} progress`} />
      <span className="upload-progress-text">
        {text.percent}% · {text.amount}
        {text.rate && ` · ${text.rate}`}
        {text.left && ` · ${text.left}`}
      </span>
      <Button size="sm" variant="ghost" onClick={onCancel}>
        Cancel upload
      </Button>
      <span role="status" aria-live="polite" className="visually-hidden">
        {spoken}
      </span>
    </div>
  );
}
