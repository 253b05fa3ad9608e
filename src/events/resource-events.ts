/** ResourceEvent 1.4 messages Shoal journals (facts from the DMTF ResourceEvent registry). */
const RESOURCE_EVENTS = {
  ResourceCreated: { text: 'The resource was created successfully.', severity: 'OK' },
  ResourceRemoved: { text: 'The resource was removed successfully.', severity: 'OK' },
  ResourceChanged: { text: 'One or more resource properties have changed.', severity: 'OK' },
  ResourceStateChanged: { text: "The state of resource '%1' has changed to %2.", severity: 'OK' },
  ResourceStatusChangedOK: { text: "The health of resource '%1' has changed to %2.", severity: 'OK' },
  ResourceStatusChangedWarning: { text: "The health of resource '%1' has changed to %2.", severity: 'Warning' },
  ResourceStatusChangedCritical: { text: "The health of resource '%1' has changed to %2.", severity: 'Critical' },
  AggregationSourceDiscovered: { text: "An aggregation source of connection method '%1' located at '%2' was discovered.", severity: 'OK' },
} as const;

export const RESOURCE_EVENT_REGISTRY = 'ResourceEvent.1.4';
export type ResourceEventId = keyof typeof RESOURCE_EVENTS;
export const RESOURCE_EVENT_TEXTS = RESOURCE_EVENTS;
