/** The create dialog's tag rules, as the server applies them, so errors show before submitting. */
export interface TagCheck {
  tags: string[];
  errors: string[];
}

export function parseTags(input: string): TagCheck {
  const errors: string[] = [];
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of input.split(',')) {
    const tag = raw.trim();
    if (!tag) continue;
    if (tag.length > 32) errors.push(`"${tag.slice(0, 20)}…" is longer than 32 characters`);
    const key = tag.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  if (tags.length > 50) errors.push('At most 50 tags');
  return { tags, errors };
}
