import './record.css';
import type { RecordModel } from '../recordModel.tsx';
import { useDocumentTitle } from '../ui/index.ts';
import { VersionDetails } from './VersionDetails.tsx';
import { VersionsTable } from './VersionsTable.tsx';

/** The record's overview (the versions table) and, with `number`, that version's details. */
export function VersionsView({ model, number }: { model: RecordModel; number?: number }) {
  useDocumentTitle(model.name, number !== undefined && `v${number}`);
  return number === undefined ? <VersionsTable model={model} /> : <VersionDetails key={number} model={model} number={number} />;
}
