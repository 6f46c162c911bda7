import { expect } from 'vitest';
import type { DomainError } from '../../src/domain/errors.ts';
import type { ModelCommand } from '../../src/domain/model/commands.ts';
import { type DecideLimits, decide } from '../../src/domain/model/decide.ts';
import type { ModelEvent, RecordedEvent } from '../../src/domain/model/events.ts';
import { fold } from '../../src/domain/model/evolve.ts';

export const MODEL_ID = '00000000-0000-4000-8000-000000000001';
export const CONTEXT_ID = '00000000-0000-4000-8000-0000000000c0';
export const limits: DecideLimits = { maxVersions: 30, formats: ['pkl', 'rda', 'pmml'], maxFormats: 3, maxUploadBytes: 1024 };

/** Wraps bare events as the log would record them, one second apart, by `alice`. */
export function recorded(events: readonly ModelEvent[]): RecordedEvent[] {
  return events.map((e, i) => ({
    ...e,
    eventId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    schemaVersion: 1,
    streamId: MODEL_ID,
    streamType: 'model',
    contextId: CONTEXT_ID,
    privateData: null,
    streamVersion: i + 1,
    position: String(i + 1),
    recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    metadata: { actor: 'alice', requestId: null },
  })) as RecordedEvent[];
}

/** given(past events).when(command).then(new events) | .thenThrows(ErrorClass) */
export function given(past: readonly ModelEvent[], options: { limits?: DecideLimits } = {}) {
  return {
    when(command: ModelCommand) {
      const run = () => decide(command, fold(recorded(past)), options.limits ?? limits);
      return {
        then(expected: ModelEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenThrows(errorClass: abstract new (...args: never[]) => DomainError, message?: RegExp) {
          expect(run).toThrow(errorClass);
          if (message) expect(run).toThrow(message);
        },
      };
    },
  };
}

export const modelCreated = (name = 'churn', extra: Partial<Extract<ModelEvent, { type: 'ModelCreated' }>['data']> = {}): ModelEvent => ({
  type: 'ModelCreated',
  data: { name, description: null, tags: [], ...extra },
});

export const versionCreated = (number: number): ModelEvent => ({
  type: 'VersionCreated',
  data: { number, description: null, tags: [], hyperparameters: {}, config: {}, records: [] },
});

export const SHA = 'a'.repeat(64);

export const formatUploaded = (number: number, format = 'pkl', replaced = false, sha256 = SHA): ModelEvent => ({
  type: 'FormatUploaded',
  data: { number, format, sha256, size: 10, contentType: 'application/octet-stream', filename: `model.${format}`, replaced },
});
