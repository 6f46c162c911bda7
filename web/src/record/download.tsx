// Every download of the record goes through here, so that how a file reaches the disk is decided once.
import { useState } from 'react';
import { useCairn } from '../cairn.tsx';
import { downloadFile } from '../transfers.ts';
import { Button } from '../ui/index.ts';

export interface DownloadableFormat {
  id: string;
  filename: string;
  downloadUrl: string;
}

/** A download button for one format's file; a failure is said beside it. */
export function DownloadLink({ format, label }: { format: DownloadableFormat; label: string }) {
  const { session, context } = useCairn();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button size="sm" aria-label={label} onClick={() => downloadFile({ ...session, context }, format.downloadUrl, format.filename).catch((e: Error) => setError(e.message))}>
        Download
      </Button>
      {error && (
        <span role="alert" className="field-error">
          {error}
        </span>
      )}
    </>
  );
}
