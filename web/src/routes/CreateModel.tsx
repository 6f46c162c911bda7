import { useState } from 'react';
import { graphql } from '../generated/index.ts';
import { parseTags } from '../tags.ts';
import { Button, Dialog, TextArea, TextField, useMutationWithKey } from '../ui/index.ts';
import { errorText } from './ErrorBanner.tsx';

const CreateModelMutation = graphql(`
  mutation DashboardCreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      __typename
      ... on CreateModelSuccess {
        model {
          id
          name
        }
      }
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

/** The New model dialog: the server's refusals appear beside the field they concern, and the input stays. */
export function CreateModelDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (open: boolean) => void; onCreated: (name: string) => void }) {
  const [name, setName] = useState('');
  const [tagText, setTagText] = useState('');
  const [description, setDescription] = useState('');
  const [refusal, setRefusal] = useState<{ field: string; message: string } | null>(null);
  const { mutate, pending } = useMutationWithKey(CreateModelMutation);
  const tags = parseTags(tagText);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setRefusal(null);
    const result = await mutate({ input: { name, tags: tags.tags, description: description || null } });
    const r = result.data?.createModel;
    if (!r) return setRefusal({ field: 'form', message: result.error ? errorText(result.error) : 'Something went wrong.' });
    if (r.__typename === 'CreateModelSuccess') {
      setName('');
      setTagText('');
      setDescription('');
      return onCreated(r.model.name);
    }
    if ('message' in r) setRefusal({ field: r.__typename === 'ValidationError' ? r.field.split('.')[0]! : r.code === 'NAME_TAKEN' ? 'name' : 'form', message: r.message });
  };
  const errorFor = (field: string) => (refusal?.field === field ? refusal.message : undefined);
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="New model" description="A name, optional tags and a markdown description; versions come next.">
      <form onSubmit={submit} className="form">
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errorFor('name')} required autoComplete="off" />
        <TextField
          label="Tags"
          description="Comma-separated, up to 32 characters each."
          value={tagText}
          onChange={(e) => setTagText(e.target.value)}
          error={tags.errors.join('; ') || errorFor('tags')}
          autoComplete="off"
        />
        <TextArea label="Description" description="Markdown." value={description} onChange={(e) => setDescription(e.target.value)} error={errorFor('description')} />
        {errorFor('form') && (
          <p role="alert" className="field-error">
            {errorFor('form')}
          </p>
        )}
        <div className="dialog-actions">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={pending} disabled={!name.trim() || tags.errors.length > 0}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
