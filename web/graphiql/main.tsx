import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CairnGraphiQL } from './CairnGraphiQL.tsx';

/** What the server put into the page (src/graphql/graphiql.ts). */
function pageConfig(): { defaultQuery?: string } {
  try {
    return JSON.parse(document.getElementById('cairn-graphiql-config')?.textContent ?? '{}');
  } catch {
    return {};
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CairnGraphiQL {...pageConfig()} />
  </StrictMode>,
);
