import { render } from '@testing-library/react';
import { ApiClient } from '../api/client';
import { App } from '../App';
import { AuthProvider } from '../auth/AuthContext';
import type { fakeServer } from './fakeServer';

/** Renders the whole app against a fake server, the way main.tsx does. */
export function renderApp(server: ReturnType<typeof fakeServer>) {
  const client = new ApiClient({ fetch: server.fetch, locks: null, proactiveRefresh: false });
  const utils = render(
    <AuthProvider client={client}>
      <App />
    </AuthProvider>,
  );
  return { ...utils, client };
}
