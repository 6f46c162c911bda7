import { useState } from 'react';
import { useCairn } from '../cairn.tsx';
import { graphql } from '../generated/index.ts';
import { Button, Chip, TextField, useConfirm, useMutationWithKey } from '../ui/index.ts';
import { type Refusal, refusalOf } from './refusal.ts';

const SetAliasDocument = graphql(`
  mutation RecordSetAlias($input: SetAliasInput!) {
    setAlias(input: $input) {
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

const RemoveAliasDocument = graphql(`
  mutation RecordRemoveAlias($modelId: ID!, $alias: String!) {
    removeAlias(modelId: $modelId, alias: $alias) {
      __typename
      ... on Error {
        code
        message
      }
    }
  }
`);

// The server's rule, checked as the name is typed.
const ALIAS_RULE = /^[a-z][a-z0-9_-]{0,31}$/;

interface ModelAlias {
  name: string;
  version: { number: number };
}

/**
 * The aliases pointing at this version, and for editors a form that sets one here: new, or moved from the
 * version it points at now (asked first, naming both), and a remove button per alias (asked first).
 */
export function Aliases({ modelId, version, aliases, onChanged }: { modelId: string; version: { number: number; status: string; aliases: readonly string[] }; aliases: readonly ModelAlias[]; onChanged: () => void }) {
  const { may } = useCairn();
  const [name, setName] = useState('');
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [dialog, confirm] = useConfirm();
  const set = useMutationWithKey(SetAliasDocument);
  const remove = useMutationWithKey(RemoveAliasDocument);
  const editor = may('ALIAS_SET');
  const published = version.status === 'PUBLISHED';
  const trimmed = name.trim();
  const ruleBroken = trimmed && !ALIAS_RULE.test(trimmed) ? 'An alias is 1-32 characters: a lower-case letter, then lower-case letters, digits, _ or -' : undefined;

  const point = async (alias: string) => {
    const r = await set.mutate({ input: { modelId, alias, number: version.number } });
    const why = refusalOf(r.data?.setAlias, r.error, 'SetAliasSuccess');
    onChanged();
    if (!why) setName('');
    return why;
  };
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!trimmed || ruleBroken || set.pending) return;
    setRefusal(null);
    const current = aliases.find((a) => a.name === trimmed);
    if (current && current.version.number === version.number) return setRefusal({ field: null, message: `${trimmed} already points at version ${version.number}.` });
    if (current)
      return confirm({
        title: 'Move alias?',
        body: `Move ${trimmed} from version ${current.version.number} to version ${version.number}? Deployments that follow ${trimmed} get version ${version.number}.`,
        confirmLabel: `Move ${trimmed}`,
        onConfirm: async () => (await point(trimmed))?.message,
      });
    setRefusal(await point(trimmed));
  };

  if (!editor && version.aliases.length === 0) return null;
  return (
    <section aria-labelledby="aliases-heading" className="aliases">
      <h3 id="aliases-heading">Aliases</h3>
      {version.aliases.length === 0 ? (
        <p className="muted">No alias points at this version.</p>
      ) : (
        <ul className="chip-list" aria-label="Aliases of this version">
          {version.aliases.map((alias) => (
            <li key={alias}>
              <Chip
                kind="alias"
                {...(editor && {
                  onRemove: () =>
                    confirm({
                      title: `Remove alias ${alias}?`,
                      body: `${alias} stops pointing at version ${version.number}; deployments that follow it find no version until it is set again.`,
                      confirmLabel: `Remove ${alias}`,
                      danger: true,
                      onConfirm: async () => {
                        const r = await remove.mutate({ modelId, alias });
                        const why = refusalOf(r.data?.removeAlias, r.error, 'RemoveAliasSuccess');
                        onChanged();
                        return why?.message;
                      },
                    }),
                })}
              >
                {alias}
              </Chip>
            </li>
          ))}
        </ul>
      )}
      {editor &&
        (published ? (
          <form className="inline-form" aria-label="Set alias" onSubmit={submit}>
            <TextField
              label="Alias"
              description={aliases.length ? `In use: ${aliases.map((a) => `${a.name} → ${a.version.number}`).join(', ')}` : 'For example production or champion'}
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={ruleBroken ?? refusal?.message}
              list="alias-names"
              autoComplete="off"
            />
            <datalist id="alias-names">
              {aliases.map((a) => (
                <option key={a.name} value={a.name} />
              ))}
            </datalist>
            <Button type="submit" pending={set.pending} disabled={!trimmed || !!ruleBroken}>
              Point here
            </Button>
          </form>
        ) : (
          <p className="muted">Publish this version to point an alias at it.</p>
        ))}
      {dialog}
    </section>
  );
}
