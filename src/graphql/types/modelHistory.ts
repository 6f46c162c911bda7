import { builder } from '../builder.ts';
import { totalCountOf } from '../pagination.ts';
import { ModelEventRef, resolveHistory } from './modelEvent.ts';
import { ModelRef } from './refs.ts';

// Model.history is declared here, not in model.ts: modelEvent.ts reads models through model.ts (loadModel),
// and model.ts importing modelEvent.ts for this field would close an import cycle.
builder.objectField(ModelRef, 'history', (t) =>
  t.connection(
    {
      type: ModelEventRef,
      description: 'The model\'s events, oldest first: who did what, and when. Cursors are event positions; `after: "0"` is the same as no `after` (from the beginning).',
      resolve: (model, args, ctx) => resolveHistory(ctx, model.id, args, model.asOf?.position),
    },
    { name: 'ModelEventConnection', fields: (c) => ({ totalCount: c.int({ resolve: totalCountOf }) }) },
    { name: 'ModelEventEdge' },
  ),
);
