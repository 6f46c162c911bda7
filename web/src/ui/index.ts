// The dashboard's shared components: import them from here (web/src/ui/README.md lists them and their props).
export { Badge, type BadgeTone, Chip, ChipList } from './Badge.tsx';
export { Button, type ButtonProps, type ButtonVariant } from './Button.tsx';
export { CopyButton } from './CopyButton.tsx';
export { ConfirmDialog, type ConfirmDialogProps, Dialog, type DialogProps, useConfirm } from './Dialog.tsx';
export { TextArea, type TextAreaProps, TextField, type TextFieldProps } from './Field.tsx';
export { formatValue, KeyValueTable } from './KeyValueTable.tsx';
export { Markdown, type MarkdownProps } from './Markdown.tsx';
export { idempotencyExchange, type MutationWithKey, newIdempotencyKey, outcomeUnknown, useMutationWithKey } from './mutate.ts';
export { formatExact, formatRelative, RelativeTime } from './RelativeTime.tsx';
export { EmptyState, Loading, Skeleton } from './Skeleton.tsx';
export { type TabItem, TabNav, type TabNavItem, Tabs, type TabsProps } from './Tabs.tsx';
export { useDocumentTitle, useLastData } from './title.ts';
export { useLiveStatus } from './LiveStatus.tsx';
export { useLeaveGuard } from './leaveGuard.tsx';
