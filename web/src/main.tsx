import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { App } from './App.tsx';
import './styles.css';

// A data router (not <BrowserRouter>): the record's forms and uploads use its blocker (useBlocker) to ask
// before an in-app link leaves unsaved work. App keeps its own <Routes> below the one catch-all route.
const router = createBrowserRouter([{ path: '*', element: <App /> }]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
