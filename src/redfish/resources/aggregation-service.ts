import { CONNECTION_METHOD_TYPES, DISCOVERY_SOURCES } from '../../model/discovery.js';
import { RedfishError } from '../errors.js';
import { collection, link, TYPES, type Json } from '../odata.js';
import type { ResourceDef } from '../types.js';
import { AGG, METHODS, SOURCES } from './aggregation-sources.js';
import { accepted } from './tasks.js';

export const DISCOVER_ACTION = `${AGG}/Actions/Oem/ShoalAggregationService.Discover`;

/**
 * The AggregationService: the devices the gateway aggregates (AggregationSources), the ways it can reach them
 * (ConnectionMethods, one per installed driver), and an OEM action that sweeps now as a task.
 */
export const aggregationServiceResources: ResourceDef[] = [
  {
    path: AGG,
    entity: 'AggregationService',
    get: (): Json => ({
      '@odata.id': AGG,
      '@odata.type': TYPES.AggregationService,
      Id: 'AggregationService',
      Name: 'Aggregation Service',
      Description: 'Devices Shoal discovered or was given, and how it reaches them',
      ServiceEnabled: true,
      Status: { State: 'Enabled', Health: 'OK' },
      AggregationSources: link(SOURCES),
      ConnectionMethods: link(METHODS),
      Actions: {
        Oem: {
          '#ShoalAggregationService.Discover': { target: DISCOVER_ACTION, title: 'Discover devices now and register what is found' },
        },
      },
    }),
  },
  {
    path: DISCOVER_ACTION,
    entity: 'AggregationService',
    action: {
      name: '#ShoalAggregationService.Discover',
      parameters: {
        Sources: { type: 'array', items: { type: 'enum', values: DISCOVERY_SOURCES.filter((s) => s !== 'manual') }, maxItems: 8 },
        CIDR: { type: 'array', items: { type: 'string', minLength: 7, maxLength: 64, pattern: /^[0-9a-fA-F.:/-]+$/ }, maxItems: 256 },
        Targets: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 512 }, maxItems: 4096 },
      },
      run: (ctx, p) => {
        const req: { sources?: never[]; cidr?: string[]; targets?: string[] } = {};
        if (p.Sources) req.sources = p.Sources as never[];
        if (p.CIDR) req.cidr = p.CIDR as string[];
        if (p.Targets) req.targets = p.Targets as string[];
        try {
          return accepted(ctx.services.aggregation.sweep(req, ctx.principal?.username ?? null, DISCOVER_ACTION, p));
        } catch (e) {
          throw new RedfishError(400, [
            {
              '@odata.type': '#Message.v1_3_0.Message',
              MessageId: 'Base.1.22.ActionParameterValueFormatError',
              Message: (e as Error).message,
              MessageArgs: [],
              MessageSeverity: 'Warning',
              Resolution: 'Correct the value for the parameter in the request body and resubmit the request if the operation failed.',
            },
          ]);
        }
      },
    },
  },
  {
    path: METHODS,
    entity: 'ConnectionMethodCollection',
    collection: true,
    get: (ctx) => collection('ConnectionMethodCollection', METHODS, 'Connection Method Collection', ctx.services.aggregation.connectionMethods().map((m) => `${METHODS}/${m.id}`)),
  },
  {
    path: `${METHODS}/:methodId`,
    entity: 'ConnectionMethod',
    get: (ctx) => {
      const m = ctx.services.aggregation.connectionMethods().find((x) => x.id === ctx.params.methodId);
      if (!m) throw RedfishError.of(404, 'ResourceNotFound', ['ConnectionMethod', ctx.params.methodId ?? '']);
      const users = ctx.services.aggregation.list().filter((d) => d.driver === m.id).map((d) => link(`${SOURCES}/${d.id}`));
      return {
        '@odata.id': `${METHODS}/${m.id}`,
        '@odata.type': TYPES.ConnectionMethod,
        Id: m.id,
        Name: m.name,
        ConnectionMethodType: CONNECTION_METHOD_TYPES[m.protocol],
        ConnectionMethodVariant: `Shoal.${m.id}`,
        Links: { AggregationSources: users, 'AggregationSources@odata.count': users.length },
      };
    },
  },
];
