import { createContext, useContext } from 'react';
import { paths } from './paths.ts';
import type { Session } from './session.ts';

/** Who is signed in and where: the context named in the URL, and what the caller's roles allow in it. */
export interface Cairn {
  session: Session;
  /** The context's name as in the URL (sent as x-cairn-context). */
  context: string;
  principal: string;
  permissions: readonly string[];
  contexts: readonly { id: string; name: string }[];
}

export const CairnContext = createContext<Cairn | null>(null);

/** The signed-in caller (inside a context's pages only). */
export function useCairn(): Cairn & { may: (permission: string) => boolean } {
  const cairn = useContext(CairnContext);
  if (!cairn) throw new Error('useCairn outside a context page');
  return { ...cairn, may: (permission) => cairn.permissions.includes(permission) };
}

/** The URLs of one model in the current context: `const to = useModelPaths(model.name); <Link to={to.version(3)}>`. */
export function useModelPaths(model: string) {
  const { context } = useCairn();
  return {
    list: paths.models(context),
    model: paths.model(context, model),
    version: (number: number) => paths.version(context, model, number),
    history: paths.history(context, model),
    compare: (numbers: readonly number[] = []) => paths.compare(context, model, numbers),
    newVersion: paths.newVersion(context, model),
  };
}
