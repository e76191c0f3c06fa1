// Order matters: theme and language are applied to <html> at import time,
// before React renders the first frame.
import './theme';
import './i18n';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client';
import { App } from './App';
import { AuthProvider } from './auth/AuthContext';

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('nexus-auth') : null;
const client = new ApiClient({ channel });

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AuthProvider client={client}>
        <App />
      </AuthProvider>
    </StrictMode>,
  );
}
