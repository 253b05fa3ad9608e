/** The DMTF privileges Shoal uses (PrivilegeRegistry 1.8.0 `PrivilegesUsed`). */
export type Privilege = 'Login' | 'ConfigureManager' | 'ConfigureUsers' | 'ConfigureComponents' | 'ConfigureSelf';

export type RoleId = 'Administrator' | 'Operator' | 'ReadOnly';

/** The three predefined Redfish roles and their privileges, as DSP0266 §13.3 assigns them. */
export const ROLES: Record<RoleId, readonly Privilege[]> = {
  Administrator: ['Login', 'ConfigureManager', 'ConfigureUsers', 'ConfigureSelf', 'ConfigureComponents'],
  Operator: ['Login', 'ConfigureSelf', 'ConfigureComponents'],
  ReadOnly: ['Login', 'ConfigureSelf'],
};

export function isRoleId(x: unknown): x is RoleId {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ROLES, x);
}

export interface Account {
  id: string;
  username: string;
  roleId: RoleId;
  passwordHash: string;
  enabled: boolean;
  locked: boolean;
  lockedUntil: number | null;
  failedLogins: number;
  lastFailedAt: number | null;
  passwordChangeRequired: boolean;
  /** Bumped on every change; part of the account's ETag and of credential-cache invalidation. */
  revision: number;
  createdAt: number;
}

export interface Session {
  id: string;
  tokenHash: string;
  accountId: string;
  clientIp: string | null;
  userAgent: string | null;
  createdAt: number;
  lastUsedAt: number;
}

/** Who made a request, once authenticated. */
export interface Principal {
  accountId: string;
  username: string;
  roleId: RoleId;
  privileges: ReadonlySet<Privilege>;
  sessionId?: string;
  /** Until the password is changed, the caller may only read its account, change its password and log out. */
  passwordChangeRequired: boolean;
}
