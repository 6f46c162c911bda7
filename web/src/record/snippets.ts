// "Use this version": the code that fetches one version's file, for each client Cairn has.
export interface SnippetTarget {
  /** The server's origin as the browser sees it: https://cairn.example.com */
  origin: string;
  context: string;
  model: string;
  number: number;
  /** One of the version's aliases, when it has any: snippets by alias follow it as it moves. */
  alias?: string | null;
  format: string;
  /** The format's signed link (a path on the server), when there is one. */
  signedUrl?: string | null;
}

export interface Snippet {
  id: string;
  label: string;
  code: string;
}

/** POSIX shell single quotes: safe for any text, newlines and quotes included. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A string literal for Python and R alike: JSON's escapes are valid in both. */
const literal = (text: string): string => JSON.stringify(text);

const fileUrl = (t: SnippetTarget, version: string) => `${t.origin}/files/${encodeURIComponent(t.model)}/${encodeURIComponent(version)}/${encodeURIComponent(t.format)}`;

/** The snippets for a version, by alias first when it has one. `default` needs no context to be named. */
export function snippets(t: SnippetTarget): Snippet[] {
  const out = `model.${t.format.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const contextHeader = t.context === 'default' ? '' : ` -H ${shellQuote(`X-Cairn-Context: ${t.context}`)}`;
  const curl = (version: string) => `curl -fSL -H "Authorization: Bearer $CAIRN_TOKEN"${contextHeader} -o ${out} ${shellQuote(fileUrl(t, version))}`;
  const by = t.alias ? { flag: `--alias ${shellQuote(t.alias)}`, py: `alias=${literal(t.alias)}`, r: `alias = ${literal(t.alias)}` } : { flag: `--version ${t.number}`, py: `number=${t.number}`, r: `number = ${t.number}` };
  const contextFlag = t.context === 'default' ? '' : ` --context ${shellQuote(t.context)}`;
  const pyContext = t.context === 'default' ? '' : `, context=${literal(t.context)}`;
  const rContext = t.context === 'default' ? '' : `, context = ${literal(t.context)}`;
  const list: Snippet[] = [];
  if (t.alias) list.push({ id: 'curl-alias', label: `curl (alias ${t.alias})`, code: curl(t.alias) });
  list.push({ id: 'curl-number', label: `curl (version ${t.number})`, code: curl(String(t.number)) });
  if (t.signedUrl) list.push({ id: 'curl-signed', label: 'curl (signed link, no token, 10 minutes)', code: `curl -fSL -o ${out} ${shellQuote(new URL(t.signedUrl, t.origin).href)}` });
  list.push({
    id: 'cli',
    label: 'Cairn CLI',
    code: `CAIRN_URL=${shellQuote(t.origin)} cairn download${contextFlag} --model ${shellQuote(t.model)} ${by.flag} --format ${shellQuote(t.format)} -o ${out}`,
  });
  list.push({
    id: 'python',
    label: 'Python',
    code: [
      'import os',
      'from cairn_client import Cairn',
      '',
      `cairn = Cairn(${literal(t.origin)}, os.environ["CAIRN_TOKEN"]${pyContext})`,
      `model = cairn.model(${literal(t.model)})`,
      `model.version(${by.py}).download(${literal(t.format)}, path=${literal(out)})`,
    ].join('\n'),
  });
  list.push({
    id: 'r',
    label: 'R',
    code: [
      'library(cairn)',
      '',
      `cn <- cairn_connect(${literal(t.origin)}, Sys.getenv("CAIRN_TOKEN")${rContext})`,
      `cairn_download(cairn_version(cairn_model(cn, ${literal(t.model)}), ${by.r}), ${literal(t.format)}, path = ${literal(out)})`,
    ].join('\n'),
  });
  return list;
}
