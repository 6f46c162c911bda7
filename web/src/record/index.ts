// The model record's views, mounted by the record page's frame (web/src/routes/RecordPage.tsx), which shows the
// name, tags, description and general section above them and the tabs that link to each. Each view sets its own
// document.title (useDocumentTitle from ../ui). These are placeholders: the record branch replaces their bodies.
import { createElement, type ReactNode } from 'react';
import { type RecordModel, useRecord } from '../recordModel.tsx';
import { useDocumentTitle } from '../ui/index.ts';

export interface VersionsViewProps {
  model: RecordModel;
  /** The version shown in detail (from /versions/<number>); absent on the overview. */
  number?: number;
}

/** The overview (versions table) and, with `number`, that version's details. */
export function VersionsView({ model, number }: VersionsViewProps): ReactNode {
  useDocumentTitle(model.name, number !== undefined && `v${number}`);
  return createElement('p', { className: 'muted' }, number === undefined ? `${model.versionCount} versions` : `Version ${number}`);
}

/** The model's history, newest first, paged. */
export function HistoryView(_props: { modelId: string }): ReactNode {
  useDocumentTitle(useRecord().model.name, 'history');
  return createElement('p', { className: 'muted' }, 'History');
}

/** 2-10 versions side by side (`numbers` from ?versions=1,3). */
export function CompareView({ numbers }: { modelId: string; numbers: number[] }): ReactNode {
  useDocumentTitle(useRecord().model.name, 'compare');
  return createElement('p', { className: 'muted' }, numbers.length ? `Comparing ${numbers.join(', ')}` : 'Pick versions to compare');
}

/** The new-version form. */
export function NewVersionView({ model }: { model: RecordModel }): ReactNode {
  useDocumentTitle(model.name, 'new version');
  return createElement('p', { className: 'muted' }, 'New version');
}
