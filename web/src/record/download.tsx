// Every download of the record goes through here, so that how a file reaches the disk is decided once: a
// plain link to the format's signed URL, which the browser saves as it streams (Content-Disposition:
// attachment); the file never passes through the tab's memory.
import { useMemo } from 'react';
import { useClient } from 'urql';
import { graphql } from '../generated/index.ts';

const SignedUrlDocument = graphql(`
  query RecordSignedUrl($id: ID!, $number: Int!, $format: String!) {
    model(id: $id) {
      id
      version(number: $number) {
        number
        format(id: $format) {
          id
          signedUrl
        }
      }
    }
  }
`);

/** Links are good for 10 minutes; one older than this is asked for again when pressed. */
const FRESH_MS = 8 * 60 * 1000;

export interface DownloadableFormat {
  id: string;
  filename: string;
  signedUrl: string;
}

/** A download link for one format's file. */
export function DownloadLink({ modelId, number, format, label }: { modelId: string; number: number; format: DownloadableFormat; label: string }) {
  const client = useClient();
  // When this link was handed out: a page left open longer than its lifetime asks for a fresh one.
  const issuedAt = useMemo(() => ({ url: format.signedUrl, at: Date.now() }), [format.signedUrl]);
  const follow = async (event: React.MouseEvent<HTMLAnchorElement>) => {
    if (Date.now() - issuedAt.at < FRESH_MS) return;
    event.preventDefault();
    const r = await client.query(SignedUrlDocument, { id: modelId, number, format: format.id }, { requestPolicy: 'network-only' }).toPromise();
    const url = r.data?.model?.version?.format?.signedUrl;
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = format.filename;
    document.body.append(a);
    a.click();
    a.remove();
  };
  return (
    <a className="btn btn-secondary btn-sm" href={format.signedUrl} download={format.filename} aria-label={label} onClick={follow}>
      Download
    </a>
  );
}
