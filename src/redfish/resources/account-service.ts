import { ROLES, isRoleId, type Account, type RoleId } from '../../model/account.js';
import { UsernameTaken } from '../../store/index.js';
import { baseMessage, RedfishError } from '../errors.js';
import { collection, link, ROOT, TYPES, type Json } from '../odata.js';
import type { RequestContext, ResourceDef } from '../types.js';

const SVC = `${ROOT}/AccountService`;
const ACCOUNTS = `${SVC}/Accounts`;
const ROLES_URI = `${SVC}/Roles`;
const USERNAME = { type: 'string', minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_.@-]+$/ } as const;
const ROLE_IDS = Object.keys(ROLES) as RoleId[];

function buildAccountService(ctx: RequestContext): Json {
  const p = ctx.services.accounts.policy();
  return {
    '@odata.id': SVC,
    '@odata.type': TYPES.AccountService,
    Id: 'AccountService',
    Name: 'Account Service',
    ServiceEnabled: true,
    LocalAccountAuth: 'Enabled',
    MinPasswordLength: p.minPasswordLength,
    MaxPasswordLength: p.maxPasswordLength,
    AccountLockoutThreshold: p.lockoutThreshold,
    AccountLockoutDuration: p.lockoutDurationSeconds,
    AccountLockoutCounterResetAfter: p.lockoutCounterResetAfterSeconds,
    AccountLockoutCounterResetEnabled: true,
    Accounts: link(ACCOUNTS),
    Roles: link(ROLES_URI),
    Status: { State: 'Enabled', Health: 'OK' },
  };
}

function buildAccount(a: Account, locked: boolean): Json {
  return {
    '@odata.id': `${ACCOUNTS}/${a.id}`,
    '@odata.type': TYPES.ManagerAccount,
    Id: a.id,
    Name: 'User Account',
    UserName: a.username,
    RoleId: a.roleId,
    Enabled: a.enabled,
    Locked: locked,
    Password: null,
    PasswordChangeRequired: a.passwordChangeRequired,
    AccountTypes: ['Redfish'],
    Links: { Role: link(`${ROLES_URI}/${a.roleId}`) },
  };
}

/** The URI of an account, as served. */
export function accountUri(id: string): string {
  return `${ACCOUNTS}/${id}`;
}

function findAccount(ctx: RequestContext): Account {
  const a = ctx.services.accounts.get(ctx.params.accountId ?? '');
  if (!a) throw RedfishError.of(404, 'ResourceNotFound', ['ManagerAccount', ctx.params.accountId ?? '']);
  return a;
}

function checkPassword(ctx: RequestContext, pw: string): void {
  const problem = ctx.services.accounts.checkPassword(pw);
  if (problem) throw new RedfishError(400, baseMessage(problem, [], '#/Password'));
}

/** Refuses a change that would leave no enabled Administrator: the service would be unmanageable. */
function keepAnAdmin(ctx: RequestContext, changing: Account, after: { roleId?: RoleId; enabled?: boolean } | 'delete'): void {
  const stillAdmin = after !== 'delete' && (after.roleId ?? changing.roleId) === 'Administrator' && (after.enabled ?? changing.enabled);
  if (stillAdmin || changing.roleId !== 'Administrator' || !changing.enabled) return;
  const others = ctx.services.accounts.list().filter((a) => a.id !== changing.id && a.roleId === 'Administrator' && a.enabled);
  if (others.length === 0) throw RedfishError.of(409, 'ResourceInUse');
}

function buildRole(id: RoleId): Json {
  return {
    '@odata.id': `${ROLES_URI}/${id}`,
    '@odata.type': TYPES.Role,
    Id: id,
    Name: `${id} Role`,
    RoleId: id,
    IsPredefined: true,
    AssignedPrivileges: [...ROLES[id]],
    OemPrivileges: [],
  };
}

export const accountResources: ResourceDef[] = [
  {
    path: SVC,
    entity: 'AccountService',
    get: buildAccountService,
    patch: {
      props: {
        AccountLockoutThreshold: { type: 'integer', min: 0, max: 1000 },
        AccountLockoutDuration: { type: 'integer', min: 0, max: 86400 },
        AccountLockoutCounterResetAfter: { type: 'integer', min: 0, max: 86400 },
        MinPasswordLength: { type: 'integer', min: 1, max: 64 },
        MaxPasswordLength: { type: 'integer', min: 1, max: 256 },
      },
      apply: (ctx, v) => {
        const svc = ctx.services.accounts;
        const cur = svc.policy();
        const next = {
          lockoutThreshold: (v.AccountLockoutThreshold as number | undefined) ?? cur.lockoutThreshold,
          lockoutDurationSeconds: (v.AccountLockoutDuration as number | undefined) ?? cur.lockoutDurationSeconds,
          lockoutCounterResetAfterSeconds: (v.AccountLockoutCounterResetAfter as number | undefined) ?? cur.lockoutCounterResetAfterSeconds,
          minPasswordLength: (v.MinPasswordLength as number | undefined) ?? cur.minPasswordLength,
          maxPasswordLength: (v.MaxPasswordLength as number | undefined) ?? cur.maxPasswordLength,
        };
        // The schema requires the counter reset to be no longer than the lockout duration.
        if (next.lockoutDurationSeconds > 0 && next.lockoutCounterResetAfterSeconds > next.lockoutDurationSeconds) {
          throw new RedfishError(400, baseMessage('PropertyValueConflict', ['AccountLockoutCounterResetAfter', 'AccountLockoutDuration']));
        }
        if (next.minPasswordLength > next.maxPasswordLength) {
          throw new RedfishError(400, baseMessage('PropertyValueConflict', ['MinPasswordLength', 'MaxPasswordLength']));
        }
        svc.setPolicy(next);
      },
    },
  },
  {
    path: ACCOUNTS,
    entity: 'ManagerAccountCollection',
    collection: true,
    get: (ctx) =>
      collection('ManagerAccountCollection', ACCOUNTS, 'Accounts Collection', ctx.services.accounts.list().map((a) => `${ACCOUNTS}/${a.id}`)),
    create: {
      props: {
        UserName: { ...USERNAME, required: true },
        Password: { type: 'string', required: true },
        RoleId: { type: 'enum', values: ROLE_IDS, required: true },
        Enabled: { type: 'boolean' },
      },
      create: async (ctx, v) => {
        checkPassword(ctx, v.Password as string);
        try {
          const a = await ctx.services.accounts.create(v.UserName as string, v.Password as string, v.RoleId as RoleId, (v.Enabled as boolean | undefined) ?? true);
          const uri = `${ACCOUNTS}/${a.id}`;
          return { status: 201, body: buildAccount(a, false), headers: { Location: uri } };
        } catch (e) {
          if (e instanceof UsernameTaken) {
            throw new RedfishError(409, baseMessage('ResourceAlreadyExists', ['ManagerAccount', 'UserName', e.username], '#/UserName'));
          }
          throw e;
        }
      },
    },
  },
  {
    path: `${ACCOUNTS}/:accountId`,
    entity: 'ManagerAccount',
    owner: (ctx) => ctx.params.accountId,
    // Password is write-only (served as null), so the account revision keeps a password change from leaving the ETag
    // as it was: a client holding the old ETag must get 412.
    revision: (ctx) => ctx.services.accounts.get(ctx.params.accountId ?? '')?.revision,
    get: (ctx) => {
      const a = findAccount(ctx);
      return buildAccount(a, ctx.services.accounts.isLocked(a));
    },
    patch: {
      props: {
        UserName: USERNAME,
        Password: { type: 'string' },
        RoleId: { type: 'enum', values: ROLE_IDS },
        Enabled: { type: 'boolean' },
        PasswordChangeRequired: { type: 'boolean' },
        // Only `false` is accepted: a service may unlock an account but never lock one by request.
        Locked: { type: 'boolean', only: false },
      },
      apply: async (ctx, v) => {
        const a = findAccount(ctx);
        if (typeof v.Password === 'string') checkPassword(ctx, v.Password);
        keepAnAdmin(ctx, a, { roleId: v.RoleId as RoleId | undefined, enabled: v.Enabled as boolean | undefined });
        try {
          await ctx.services.accounts.update(a.id, {
            username: v.UserName as string | undefined,
            password: v.Password as string | undefined,
            roleId: isRoleId(v.RoleId) ? v.RoleId : undefined,
            enabled: v.Enabled as boolean | undefined,
            locked: v.Locked as boolean | undefined,
            passwordChangeRequired: v.PasswordChangeRequired as boolean | undefined,
          });
        } catch (e) {
          if (e instanceof UsernameTaken) {
            throw new RedfishError(409, baseMessage('ResourceAlreadyExists', ['ManagerAccount', 'UserName', e.username], '#/UserName'));
          }
          throw e;
        }
        if (v.Enabled === false) ctx.services.sessions.deleteForAccount(a.id);
      },
    },
    delete: (ctx) => {
      const a = findAccount(ctx);
      keepAnAdmin(ctx, a, 'delete');
      ctx.services.sessions.deleteForAccount(a.id);
      ctx.services.accounts.delete(a.id);
      return { status: 204 };
    },
  },
  {
    path: ROLES_URI,
    entity: 'RoleCollection',
    collection: true,
    get: () => collection('RoleCollection', ROLES_URI, 'Roles Collection', ROLE_IDS.map((r) => `${ROLES_URI}/${r}`)),
  },
  {
    path: `${ROLES_URI}/:roleId`,
    entity: 'Role',
    get: (ctx) => {
      const id = ctx.params.roleId;
      if (!isRoleId(id)) throw RedfishError.of(404, 'ResourceNotFound', ['Role', id ?? '']);
      return buildRole(id);
    },
  },
];
