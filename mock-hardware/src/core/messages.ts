/**
 * The few DMTF registry messages the simulator emits. Ids and argument counts follow the DMTF registries (Base 1.22,
 * ResourceEvent 1.4, TaskEvent 1.0, Update 1.3, Platform 1.3, LogService 1.1); the wording is ours.
 */
const TEXT: Record<string, string> = {
  'Base.1.22.GeneralError': 'A general error has occurred. See Resolution for information on how to resolve the error.',
  'Base.1.22.InternalError': 'The request failed due to an internal service error.',
  'Base.1.22.ResourceNotFound': 'The requested resource of type %1 named %2 was not found.',
  'Base.1.22.ResourceMissingAtURI': 'The resource at the URI %1 was not found.',
  'Base.1.22.ActionNotSupported': 'The action %1 is not supported by the resource.',
  'Base.1.22.ActionParameterMissing': 'The action %1 requires the parameter %2 to be present in the request body.',
  'Base.1.22.ActionParameterValueNotInList': 'The value %1 for the parameter %2 in the action %3 is not in the list of acceptable values.',
  'Base.1.22.ActionParameterNotSupported': 'The parameter %1 for the action %2 is not supported on the target resource.',
  'Base.1.22.PropertyValueNotInList': 'The value %1 for the property %2 is not in the list of acceptable values.',
  'Base.1.22.PropertyNotWritable': 'The property %1 is a read-only property and cannot be assigned a value.',
  'Base.1.22.PropertyUnknown': 'The property %1 is not in the list of valid properties for the resource.',
  'Base.1.22.MalformedJSON': 'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
  'Base.1.22.NoValidSession': 'There is no valid session established with the implementation.',
  'Base.1.22.InsufficientPrivilege': 'There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.',
  'Base.1.22.SessionLimitExceeded': 'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.',
  'Base.1.22.EventSubscriptionLimitExceeded': 'The event subscription failed due to the number of simultaneous subscriptions exceeding the limit of the implementation.',
  'Base.1.22.PreconditionFailed': 'The ETag supplied did not match the current ETag of the resource.',
  'Base.1.22.OperationNotAllowed': 'The HTTP method is not allowed on this resource.',
  'Base.1.22.PayloadTooLarge': 'The supplied payload exceeds the maximum size supported by the service.',
  'Base.1.22.ServiceTemporarilyUnavailable': 'The service is temporarily unavailable. Retry in %1 seconds.',
  'Base.1.22.ResourceInUse': 'The change to the requested resource failed because the resource is in use or in transition.',
  'Base.1.22.ResourceInStandby': 'The request could not be performed because the resource is in standby.',
  'Base.1.22.ActionParameterValueError': 'The value for the parameter %1 in the action %2 is invalid.',
  'Base.1.22.MissingOrMalformedPart': 'The multipart request did not contain the required part or was malformed.',
  'Base.1.22.CouldNotEstablishConnection': 'The service failed to establish a connection with the URI %1.',
  'Base.1.22.Success': 'The request completed successfully.',
  'Base.1.22.Created': 'The resource was created successfully.',
  'ResourceEvent.1.4.ResourcePoweredOn': 'The resource %1 has powered on.',
  'ResourceEvent.1.4.ResourcePoweredOff': 'The resource %1 has powered off.',
  'ResourceEvent.1.4.ResourceChanged': 'One or more resource properties have changed.',
  'ResourceEvent.1.4.ResourceErrorsDetected': 'The resource property %1 has detected errors of type %2.',
  'ResourceEvent.1.4.ResourceStatusChangedCritical': 'The health of resource %1 has changed to Critical.',
  'ResourceEvent.1.4.TestMessage': 'Test message.',
  'LogService.1.1.LogCleared': 'The log was cleared.',
  'ResourceEvent.1.4.ResourceStateChanged': 'The state of resource %1 has changed to %2.',
  'TaskEvent.1.0.TaskStarted': 'The task with Id %1 has started.',
  'TaskEvent.1.0.TaskCompletedOK': 'The task with Id %1 has completed.',
  'TaskEvent.1.0.TaskAborted': 'The task with Id %1 has been aborted.',
  'TaskEvent.1.0.TaskProgressChanged': 'The task with Id %1 has changed to progress %2 percent complete.',
  'Update.1.3.TransferringToComponent': 'Image %1 is being transferred to %2.',
  'Update.1.3.VerificationFailed': 'Verification of image %1 at %2 failed.',
  'Update.1.3.TransferFailed': 'Transfer of image %1 to %2 failed.',
  'Update.1.3.InstallingOnComponent': 'Image %1 is being installed on %2.',
  'Update.1.3.AwaitToActivate': 'Awaiting for an action to proceed with activating image %1 on %2.',
  'Update.1.3.UpdateSuccessful': 'Device %1 successfully updated with image %2.',
  'Platform.1.3.OperatingSystemCrash': 'An operating system crash occurred on %1.',
  'Platform.1.3.PlatformError': 'A platform error occurred.',
  'Platform.1.3.PCIeUncorrectableError': 'An uncorrectable PCIe error was detected on %1.',
  'Platform.1.3.MemoryUncorrectableError': 'An uncorrectable memory error was detected in %1.',
  'Platform.1.3.DeviceMissing': 'Device %1 is missing.',
  'Platform.1.3.DeviceInRecovery': 'Device %1 is in recovery.',
  'Platform.1.3.DeviceBootTimeout': 'Device %1 did not boot in the expected time.',
  'Platform.1.3.PlatformReset': 'The platform was reset.',
  'LogService.1.1.DiagnosticDataCollected': "'%1' diagnostic data collected.",
};

/** Severity values of the Redfish `Resource.Health` enum. */
export type Severity = 'OK' | 'Warning' | 'Critical';

/** Text of a message with its `%N` arguments filled in. */
export function messageText(id: string, args: readonly string[] = []): string {
  const t = TEXT[id] ?? id;
  return t.replace(/%(\d+)/g, (_, n: string) => args[Number(n) - 1] ?? '');
}

/** A Redfish `Message` object. */
export function message(id: string, args: readonly string[] = [], severity: Severity = 'OK', resolution = 'None.'): Record<string, unknown> {
  const m: Record<string, unknown> = {
    '@odata.type': '#Message.v1_3_0.Message',
    MessageId: id,
    Message: messageText(id, args),
    MessageSeverity: severity,
    Resolution: resolution,
  };
  if (args.length) m.MessageArgs = [...args];
  return m;
}
