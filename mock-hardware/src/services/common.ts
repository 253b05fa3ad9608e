import type { Device } from '../core/device.js';
import type { Task } from '../core/tasks.js';
import { fail, noContent, ok, RedfishError, type Route } from '../http/router.js';
import { collection, ref, status, T } from './shapes.js';

/** Persona facts the common services need. */
export interface CommonConfig {
  product: string;
  vendor: string;
  systems: string[];
  chassis: string[];
  managers: string[];
}

/** Task payload. */
export function taskBody(t: Task): Record<string, unknown> {
  const b: Record<string, unknown> = {
    '@odata.type': T.Task,
    '@odata.id': `/redfish/v1/TaskService/Tasks/${t.id}`,
    Id: t.id,
    Name: t.name,
    TaskState: t.state,
    TaskStatus: t.status,
    PercentComplete: t.percent,
    StartTime: new Date(Math.floor(t.start)).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    TaskMonitor: `/redfish/v1/TaskService/TaskMonitors/${t.id}`,
    Messages: t.messages,
  };
  if (t.end !== undefined) b.EndTime = new Date(Math.floor(t.end)).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  if (t.payload) b.Payload = { TargetUri: t.payload.uri, HttpOperation: t.payload.method, JsonBody: t.payload.body ?? '', HttpHeaders: [] };
  return b;
}

/** 202 Accepted for an operation that became a task (DSP0266 §12.2). */
export function accepted(t: Task): { status: number; body: unknown; headers: Record<string, string> } {
  return { status: 202, body: taskBody(t), headers: { Location: `/redfish/v1/TaskService/TaskMonitors/${t.id}`, 'Retry-After': '5' } };
}

function sessionBody(id: string, user: string): Record<string, unknown> {
  return { '@odata.type': T.Session, '@odata.id': `/redfish/v1/SessionService/Sessions/${id}`, Id: id, Name: 'User Session', UserName: user, SessionType: 'Redfish' };
}

/** ServiceRoot, SessionService, AccountService, TaskService and EventService: identical shapes on every persona. */
export function commonRoutes(cfg: CommonConfig): Route[] {
  return [
    { path: '/redfish', public: true, get: () => ok({ v1: '/redfish/v1/' }) },
    {
      path: '/redfish/v1',
      public: true,
      get: ({ device }) =>
        ok({
          '@odata.type': T.ServiceRoot,
          '@odata.id': '/redfish/v1',
          Id: 'RootService',
          Name: 'Root Service',
          RedfishVersion: '1.17.0',
          UUID: device.init.uuid,
          Product: cfg.product,
          Vendor: cfg.vendor,
          ProtocolFeaturesSupported: { ExpandQuery: { ExpandAll: false, Levels: false, Links: false, NoLinks: false }, FilterQuery: false, SelectQuery: false, OnlyMemberQuery: false },
          Systems: ref('/redfish/v1/Systems'),
          Chassis: ref('/redfish/v1/Chassis'),
          Managers: ref('/redfish/v1/Managers'),
          SessionService: ref('/redfish/v1/SessionService'),
          AccountService: ref('/redfish/v1/AccountService'),
          UpdateService: ref('/redfish/v1/UpdateService'),
          Tasks: ref('/redfish/v1/TaskService'),
          EventService: ref('/redfish/v1/EventService'),
          Links: { Sessions: ref('/redfish/v1/SessionService/Sessions') },
        }),
    },
    {
      path: '/redfish/v1/odata',
      public: true,
      get: () =>
        ok({
          '@odata.context': '/redfish/v1/$metadata',
          value: ['Systems', 'Chassis', 'Managers', 'SessionService', 'AccountService', 'UpdateService', 'TaskService', 'EventService'].map((n) => ({ name: n, kind: 'Singleton', url: `/redfish/v1/${n}` })),
        }),
    },
    { path: '/redfish/v1/Systems', get: () => ok(collection('/redfish/v1/Systems', 'ComputerSystemCollection', 'Computer System Collection', cfg.systems)) },
    { path: '/redfish/v1/Chassis', get: () => ok(collection('/redfish/v1/Chassis', 'ChassisCollection', 'Chassis Collection', cfg.chassis)) },
    { path: '/redfish/v1/Managers', get: () => ok(collection('/redfish/v1/Managers', 'ManagerCollection', 'Manager Collection', cfg.managers)) },
    {
      path: '/redfish/v1/SessionService',
      get: ({ device }) =>
        ok({ '@odata.type': T.SessionService, '@odata.id': '/redfish/v1/SessionService', Id: 'SessionService', Name: 'Session Service', ServiceEnabled: true, SessionTimeout: device.sessionTimeoutS, Status: status('Enabled', 'OK'), Sessions: ref('/redfish/v1/SessionService/Sessions') }),
      patch: async ({ device, json }) => {
        const b = await json();
        for (const k of Object.keys(b)) if (k !== 'SessionTimeout') throw new RedfishError(400, 'Base.1.22.PropertyUnknown', [k]);
        const t = b.SessionTimeout;
        if (typeof t !== 'number' || t < 30 || t > 86400) throw new RedfishError(400, 'Base.1.22.PropertyValueNotInList', [String(t), 'SessionTimeout']);
        device.sessionTimeoutS = t;
        return noContent();
      },
    },
    {
      path: '/redfish/v1/SessionService/Sessions',
      publicPost: true,
      get: ({ device }) => ok(collection('/redfish/v1/SessionService/Sessions', 'SessionCollection', 'Session Collection', device.sessions.list().map((s) => `/redfish/v1/SessionService/Sessions/${s.id}`))),
      post: async ({ device, json }) => {
        const b = await json();
        if (typeof b.UserName !== 'string' || typeof b.Password !== 'string') return fail(400, 'Base.1.22.ActionParameterMissing', ['Sessions', 'UserName/Password']);
        if (b.UserName !== device.init.user || b.Password !== device.init.password) return fail(401, 'Base.1.22.NoValidSession');
        const s = device.sessions.create(b.UserName);
        if (!s) return fail(503, 'Base.1.22.SessionLimitExceeded', [], { 'Retry-After': '30' });
        return { status: 201, body: sessionBody(s.id, s.user), headers: { 'X-Auth-Token': s.token, Location: `/redfish/v1/SessionService/Sessions/${s.id}` } };
      },
    },
    {
      path: '/redfish/v1/SessionService/Sessions/{id}',
      get: ({ device, params, path }) => {
        const s = device.sessions.get(params.id!);
        return s ? ok(sessionBody(s.id, s.user)) : fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
      },
      delete: ({ device, params, path }) => (device.sessions.delete(params.id!) ? noContent() : fail(404, 'Base.1.22.ResourceMissingAtURI', [path])),
    },
    {
      path: '/redfish/v1/AccountService',
      get: () =>
        ok({ '@odata.type': T.AccountService, '@odata.id': '/redfish/v1/AccountService', Id: 'AccountService', Name: 'Account Service', ServiceEnabled: true, Status: status('Enabled', 'OK'), MinPasswordLength: 8, MaxPasswordLength: 20, AccountLockoutThreshold: 0, Accounts: ref('/redfish/v1/AccountService/Accounts'), Roles: ref('/redfish/v1/AccountService/Roles') }),
    },
    { path: '/redfish/v1/AccountService/Accounts', get: ({ device }) => ok(collection('/redfish/v1/AccountService/Accounts', 'ManagerAccountCollection', 'Accounts Collection', [`/redfish/v1/AccountService/Accounts/${device.init.user}`])) },
    {
      path: '/redfish/v1/AccountService/Accounts/{user}',
      get: ({ device, params, path }) =>
        params.user !== device.init.user
          ? fail(404, 'Base.1.22.ResourceMissingAtURI', [path])
          : ok({ '@odata.type': T.ManagerAccount, '@odata.id': path, Id: params.user, Name: 'User Account', UserName: params.user, RoleId: 'Administrator', Enabled: true, Locked: false, Password: null, AccountTypes: ['Redfish'], Links: { Role: ref('/redfish/v1/AccountService/Roles/Administrator') } }),
    },
    { path: '/redfish/v1/AccountService/Roles', get: () => ok(collection('/redfish/v1/AccountService/Roles', 'RoleCollection', 'Roles Collection', ['/redfish/v1/AccountService/Roles/Administrator'])) },
    {
      path: '/redfish/v1/AccountService/Roles/Administrator',
      get: () =>
        ok({ '@odata.type': T.Role, '@odata.id': '/redfish/v1/AccountService/Roles/Administrator', Id: 'Administrator', Name: 'User Role', RoleId: 'Administrator', IsPredefined: true, AssignedPrivileges: ['Login', 'ConfigureManager', 'ConfigureUsers', 'ConfigureSelf', 'ConfigureComponents'] }),
    },
    {
      path: '/redfish/v1/TaskService',
      get: ({ device }) =>
        ok({ '@odata.type': T.TaskService, '@odata.id': '/redfish/v1/TaskService', Id: 'TaskService', Name: 'Task Service', ServiceEnabled: true, CompletedTaskOverWritePolicy: 'Oldest', LifeCycleEventOnTaskStateChange: true, DateTime: device.clock.iso(), Status: status('Enabled', 'OK'), Tasks: ref('/redfish/v1/TaskService/Tasks') }),
    },
    { path: '/redfish/v1/TaskService/Tasks', get: ({ device }) => ok(collection('/redfish/v1/TaskService/Tasks', 'TaskCollection', 'Task Collection', device.tasks.list().map((t) => `/redfish/v1/TaskService/Tasks/${t.id}`))) },
    {
      path: '/redfish/v1/TaskService/Tasks/{id}',
      get: ({ device, params, path }) => {
        const t = device.tasks.get(params.id!);
        return t ? ok(taskBody(t)) : fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
      },
    },
    {
      path: '/redfish/v1/TaskService/TaskMonitors/{id}',
      get: ({ device, params, path }) => {
        const t = device.tasks.get(params.id!);
        if (!t) return fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
        if (t.state === 'Running' || t.state === 'New') return { status: 202, body: taskBody(t), headers: { Location: path, 'Retry-After': '5' } };
        return ok(taskBody(t));
      },
    },
    ...eventRoutes(),
  ];
}

function destinationBody(d: Device, id: string): Record<string, unknown> | undefined {
  const s = d.events.get(id);
  if (!s) return undefined;
  const b: Record<string, unknown> = {
    '@odata.type': T.EventDestination,
    '@odata.id': `/redfish/v1/EventService/Subscriptions/${s.id}`,
    Id: s.id,
    Name: 'Event Subscription',
    Destination: s.destination,
    Protocol: 'Redfish',
    SubscriptionType: 'RedfishEvent',
    EventFormatType: 'Event',
    Context: s.context ?? '',
    DeliveryRetryPolicy: 'RetryForever',
    Status: status('Enabled', s.failures ? 'Warning' : 'OK'),
  };
  if (s.registryPrefixes) b.RegistryPrefixes = s.registryPrefixes;
  return b;
}

function eventRoutes(): Route[] {
  return [
    {
      path: '/redfish/v1/EventService',
      get: () =>
        ok({
          '@odata.type': T.EventService,
          '@odata.id': '/redfish/v1/EventService',
          Id: 'EventService',
          Name: 'Event Service',
          ServiceEnabled: true,
          DeliveryRetryAttempts: 3,
          DeliveryRetryIntervalSeconds: 30,
          EventFormatTypes: ['Event'],
          RegistryPrefixes: ['Base', 'ResourceEvent', 'TaskEvent', 'Update', 'Platform', 'LogService'],
          ServerSentEventUri: '/redfish/v1/EventService/SSE',
          SSEFilterPropertiesSupported: { MessageId: false, RegistryPrefix: false, ResourceType: false, OriginResource: false, EventFormatType: false, MetricReportDefinition: false },
          Status: status('Enabled', 'OK'),
          Subscriptions: ref('/redfish/v1/EventService/Subscriptions'),
          Actions: { '#EventService.SubmitTestEvent': { target: '/redfish/v1/EventService/Actions/EventService.SubmitTestEvent' } },
        }),
    },
    {
      path: '/redfish/v1/EventService/Actions/EventService.SubmitTestEvent',
      post: ({ device }) => {
        device.events.publish('ResourceEvent.1.4.TestMessage', [], 'OK');
        return noContent();
      },
    },
    {
      path: '/redfish/v1/EventService/SSE',
      get: ({ device, res }) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'OData-Version': '4.0' });
        res.write(': stream open\n\n');
        device.events.addStream(res);
        return { handled: true };
      },
    },
    {
      path: '/redfish/v1/EventService/Subscriptions',
      get: ({ device }) => ok(collection('/redfish/v1/EventService/Subscriptions', 'EventDestinationCollection', 'Event Subscriptions Collection', device.events.list().map((s) => `/redfish/v1/EventService/Subscriptions/${s.id}`))),
      post: async ({ device, json }) => {
        const b = await json();
        if (typeof b.Destination !== 'string') return fail(400, 'Base.1.22.ActionParameterMissing', ['Subscriptions', 'Destination']);
        if (!/^https?:\/\//.test(b.Destination)) return fail(400, 'Base.1.22.PropertyValueNotInList', [b.Destination, 'Destination']);
        if (b.Protocol !== undefined && b.Protocol !== 'Redfish') return fail(400, 'Base.1.22.PropertyValueNotInList', [String(b.Protocol), 'Protocol']);
        const s = device.events.subscribe({
          destination: b.Destination,
          protocol: 'Redfish',
          ...(typeof b.Context === 'string' ? { context: b.Context } : {}),
          ...(Array.isArray(b.RegistryPrefixes) ? { registryPrefixes: b.RegistryPrefixes.map(String) } : {}),
        });
        if (!s) return fail(503, 'Base.1.22.EventSubscriptionLimitExceeded');
        return { status: 201, body: destinationBody(device, s.id), headers: { Location: `/redfish/v1/EventService/Subscriptions/${s.id}` } };
      },
    },
    {
      path: '/redfish/v1/EventService/Subscriptions/{id}',
      get: ({ device, params, path }) => {
        const b = destinationBody(device, params.id!);
        return b ? ok(b) : fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
      },
      delete: ({ device, params, path }) => (device.events.unsubscribe(params.id!) ? noContent() : fail(404, 'Base.1.22.ResourceMissingAtURI', [path])),
    },
  ];
}
