import { useState } from 'react';
import { graphql } from '../generated/index.ts';
import { parseJsonObject } from '../json.ts';
import { parseTags } from '../tags.ts';
import { Button, ChipList, TextArea, TextField, useMutationWithKey } from '../ui/index.ts';
import { LeaveGuard } from './leaveGuard.tsx';
import { type Refusal, refusalOf } from './refusal.ts';

const UpdateVersionDocument = graphql(`
  mutation RecordUpdateVersion($input: UpdateVersionInput!) {
    updateVersion(input: $input) {
      __typename
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

const FIELDS = ['description', 'tags', 'hyperparameters', 'config'];

interface Editable {
  number: number;
  description?: string | null;
  tags: readonly string[];
  hyperparameters: unknown;
  config: unknown;
}

/**
 * Edits a draft's description, tags, hyperparameters and config. A refusal (the version was published
 * meanwhile, a rule broken, the connection lost) keeps the form open with what was typed, the reason shown
 * beside the field it is about or above Save.
 */
export function EditVersionForm({ modelId, version, onDone, onSaved }: { modelId: string; version: Editable; onDone: () => void; onSaved: () => void }) {
  const initial = {
    description: version.description ?? '',
    tags: version.tags.join(', '),
    hyperparameters: JSON.stringify(version.hyperparameters, null, 2),
    config: JSON.stringify(version.config, null, 2),
  };
  const [form, setForm] = useState(initial);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const update = useMutationWithKey(UpdateVersionDocument);
  const tags = parseTags(form.tags);
  const hp = parseJsonObject(form.hyperparameters);
  const cfg = parseJsonObject(form.config);
  const dirty = (Object.keys(initial) as (keyof typeof initial)[]).some((k) => form[k] !== initial[k]);
  const set = (key: keyof typeof initial) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const beside = (field: string) => (refusal?.field === field ? refusal.message : undefined);
  const invalid = tags.errors.length > 0 || !!hp.error || !!cfg.error;
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (invalid || update.pending) return;
    setRefusal(null);
    const r = await update.mutate({ input: { modelId, number: version.number, description: form.description || null, tags: tags.tags, hyperparameters: hp.value, config: cfg.value } });
    const why = refusalOf(r.data?.updateVersion, r.error, 'UpdateVersionSuccess');
    if (why) {
      setRefusal(why);
      // What changed meanwhile (published by someone else) shows around the form; the form keeps its text.
      onSaved();
      return;
    }
    onSaved();
    onDone();
  };
  return (
    <form className="form" aria-label="Edit version" onSubmit={submit} noValidate>
      <TextArea label="Description (markdown)" value={form.description} onChange={set('description')} error={beside('description')} rows={6} />
      <TextField label="Tags" description="Comma-separated, each at most 32 characters" value={form.tags} onChange={set('tags')} error={tags.errors.join('; ') || beside('tags')} />
      <ChipList items={tags.tags} label="Tags as entered" />
      <TextArea label="Hyperparameters (JSON)" className="code" value={form.hyperparameters} onChange={set('hyperparameters')} error={hp.error ?? beside('hyperparameters')} rows={6} />
      <TextArea label="Config (JSON)" className="code" value={form.config} onChange={set('config')} error={cfg.error ?? beside('config')} rows={6} />
      {refusal && (refusal.field === null || !FIELDS.includes(refusal.field)) && (
        <p role="alert" className="field-error form-error">
          {refusal.message}
        </p>
      )}
      <div className="form-actions">
        <Button onClick={onDone} disabled={update.pending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={update.pending} disabled={invalid}>
          Save
        </Button>
      </div>
      {dirty && <LeaveGuard what="your unsaved edits to this version" />}
    </form>
  );
}
