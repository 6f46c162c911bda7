// What a mutation's answer says when it did not succeed, for the form that sent it: beside a field (a
// ValidationError names one) or for the whole form; a lost connection says that the input is kept.
import type { CombinedError } from 'urql';

export interface Refusal {
  /** The input field it is about (`tags` for `tags.3`), or null for the whole form. */
  field: string | null;
  message: string;
  code?: string;
}

type Answer = { __typename: string; code?: string; message?: string; field?: string } | null | undefined;

/** null when the answer is a success; else why not, in words for the user. */
export function refusalOf(answer: Answer, error: CombinedError | undefined, success: string): Refusal | null {
  if (answer && answer.__typename === success) return null;
  if (answer && answer.message) return { field: answer.field ? answer.field.split('.')[0]! : null, message: answer.message, ...(answer.code && { code: answer.code }) };
  if (error?.networkError || !answer) return { field: null, message: error?.graphQLErrors[0]?.message ?? 'Cannot reach Cairn: nothing was saved. Your input is kept; try again.' };
  return { field: null, message: 'Cairn refused the change.' };
}
