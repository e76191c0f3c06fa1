// Shapes of the JSON the Nexus API returns (see docs/api/openapi.yaml).
import type { Role, User } from './client';

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export type RegistrationPolicy = 'invite' | 'open' | 'domain';

export interface AuthProvider {
  id: string;
  name: string;
}

/** GET /auth/options: what the sign-in page offers. */
export interface AuthOptions {
  password_login: boolean;
  registration: RegistrationPolicy;
  providers: AuthProvider[];
}

export interface InvitationPreview {
  email: string;
  role: Role;
  inviter_name: string;
  expires_at: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  invited_by?: { id: string; name: string } | null;
  created_at: string;
  expires_at: string;
  accepted_at?: string | null;
  revoked_at?: string | null;
  status: InvitationStatus;
}

export interface SessionInfo {
  id: string;
  device: string;
  browser?: string;
  os?: string;
  ip: string;
  created_at: string;
  last_used_at: string;
  current: boolean;
}

export type Scope = 'read' | 'write' | 'admin';

export interface AccessToken {
  id: string;
  name: string;
  scopes: Scope[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface NewAccessToken extends AccessToken {
  token: string;
}

export interface MfaStatus {
  enabled: boolean;
  recovery_codes_left: number;
}

export interface TotpEnrollment {
  secret: string;
  otpauth_uri: string;
  qr_png: string;
}

export interface RecoveryCodes {
  recovery_codes: string[];
}

export interface Team {
  id: string;
  name: string;
  description: string;
  member_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor?: { id?: string | null; label?: string | null } | null;
  action: string;
  target_type?: string | null;
  target_id?: string | null;
  ip?: string | null;
  user_agent?: string | null;
  result: string;
  details?: Record<string, unknown> | null;
}

export type MailStatus = 'stored' | 'queued' | 'sent' | 'failed';

export interface MailSummary {
  id: string;
  to: string;
  subject: string;
  kind: string;
  status: MailStatus;
  created_at: string;
  sent_at?: string | null;
  error?: string | null;
}

export interface MailMessage extends MailSummary {
  text: string;
  html: string;
}

export interface SecuritySettings {
  registration: RegistrationPolicy;
  registration_domains: string[];
  mfa_required: boolean;
  password_login: boolean;
  version: number;
}

export type { Role, User };
