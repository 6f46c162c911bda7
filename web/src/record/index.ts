// The model record's views, mounted by the record page's frame (web/src/routes/RecordPage.tsx), which shows the
// name, tags, description and general section above them and the tabs that link to each.
export { CompareView } from './CompareView.tsx';
export { HistoryView } from './HistoryView.tsx';
export { NewVersionView } from './NewVersionView.tsx';
export { VersionsView } from './VersionsView.tsx';
