import { NotFoundError } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import type { ModelCommand } from '../domain/model/commands.ts';
import { decide } from '../domain/model/decide.ts';
import type { ModelState } from '../domain/model/evolve.ts';
import { blobsOf, releaseBlobs } from '../files/blobReferences.ts';
import { type CommandResult, type HandleOptions, handleCommand } from '../store/handleCommand.ts';
import { type LoadedState, loadState } from '../store/snapshots.ts';
import type { GraphQLContext } from './context.ts';

/** Who did it: the principal's name (shown in history), its id and the token used, and the request. */
export const eventMetadata = (ctx: GraphQLContext) => ({
  actor: ctx.identity.principal.name,
  principalId: ctx.identity.principal.id,
  tokenId: ctx.identity.tokenId,
  requestId: ctx.requestId,
});

function guardFor(ctx: GraphQLContext) {
  // A model in another context is, for this request, not there at all.
  return (state: ModelState) => {
    if (state.status === 'live' && state.contextId !== ctx.contextId) throw new NotFoundError('No such model');
  };
}

function modelStreamId(modelId: string): string {
  if (!isUuid(modelId)) throw new NotFoundError('No such model');
  return modelId.toLowerCase();
}

/**
 * Runs a command on a model for a request: its limits, its actor and request id, its context. Files the
 * command stopped referencing are deleted once it has committed, unless another format still uses them.
 */
export async function runCommand(
  ctx: GraphQLContext,
  modelId: string,
  command: ModelCommand,
  options: Pick<HandleOptions, 'beforeAppend' | 'known'> = {},
): Promise<CommandResult> {
  const id = modelStreamId(modelId);
  const timer = ctx.metrics.appendDuration.startTimer();
  // Commands of one request are numbered in the order they run (mutation fields run one after another).
  const key = ctx.idempotency;
  const result = await handleCommand(ctx.db, id, command, {
    limits: ctx.config.limits,
    metadata: eventMetadata(ctx),
    guard: guardFor(ctx),
    ...(key && { idempotency: { scope: key.scope, ordinal: key.commandsRun++ } }),
    ...options,
  }).finally(timer);
  if (!result.replayed) for (const event of result.events) ctx.metrics.eventsAppended.inc({ type: event.type });
  // A repeat's state is the one its first run left, maybe no longer the model's: that one is read.
  if (result.state.status === 'live' && !result.replayed) ctx.loaders.remember(result.state);
  else ctx.loaders.forget(result.streamId);
  const kept = blobsOf(result.state);
  const dropped = [...blobsOf(result.previous)].filter((sha256) => !kept.has(sha256));
  if (dropped.length > 0) await releaseBlobs(ctx.db, ctx.blobs, dropped);
  return result;
}

/**
 * Decides a command against the model as it is now, without appending: an upload is refused this way
 * (missing model or version, published version, unknown format, format limit) before its body is read.
 * Returns the state it loaded, for runCommand's `known`: the command then reads only what was appended
 * while the files arrived, and the upload loads the model once.
 */
export async function precheckCommand(ctx: GraphQLContext, modelId: string, command: ModelCommand): Promise<LoadedState> {
  const loaded = await loadState(ctx.db, modelStreamId(modelId));
  guardFor(ctx)(loaded.state);
  decide(command, loaded.state, ctx.config.limits);
  return loaded;
}
