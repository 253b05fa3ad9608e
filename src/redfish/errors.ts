/**
 * Redfish error bodies built from the DMTF Base message registry.
 *
 * Only the messages Shoal emits are listed. Their text, severity and argument counts are facts from Base 1.22.1; a
 * test compares this table with the registry file, so a typo here fails CI rather than reaching a client.
 */

export const BASE_REGISTRY = 'Base.1.22';

export type Severity = 'OK' | 'Warning' | 'Critical';

interface MessageDef {
  message: string;
  severity: Severity;
  resolution: string;
}

export const BASE_MESSAGES = {
  Success: { severity: 'OK', message: 'The request completed successfully.', resolution: 'None.' },
  Created: { severity: 'OK', message: 'The resource was created successfully.', resolution: 'None.' },
  GeneralError: {
    severity: 'Critical',
    message:
      'A general error has occurred.  See Resolution for information on how to resolve the error, or @Message.ExtendedInfo if Resolution is not provided.',
    resolution: 'None.',
  },
  InternalError: {
    severity: 'Critical',
    message: 'The request failed due to an internal service error.  The service is still operational.',
    resolution: 'Resubmit the request.  If the problem persists, consider resetting the service.',
  },
  MalformedJSON: {
    severity: 'Critical',
    message: 'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
    resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
  },
  EmptyJSON: {
    severity: 'Warning',
    message: 'The request body submitted contained an empty JSON object and the service is unable to process it.',
    resolution: 'Add properties in the JSON object and resubmit the request.',
  },
  NoOperation: {
    severity: 'Warning',
    message: 'The request body submitted contain no data to act upon and no changes to the resource took place.',
    resolution: 'Add properties in the JSON object and resubmit the request.',
  },
  UnrecognizedRequestBody: {
    severity: 'Warning',
    message: 'The service detected a malformed request body that it was unable to interpret.',
    resolution: 'Correct the request body and resubmit the request if it failed.',
  },
  PropertyUnknown: {
    severity: 'Warning',
    message: 'The property %1 is not in the list of valid properties for the resource.',
    resolution: 'Remove the unknown property from the request body and resubmit the request if the operation failed.',
  },
  PropertyNotWritable: {
    severity: 'Warning',
    message: 'The property %1 is a read-only property and cannot be assigned a value.',
    resolution: 'Remove the property from the request body and resubmit the request if the operation failed.',
  },
  PropertyValueTypeError: {
    severity: 'Warning',
    message: "The value '%1' for the property %2 is not a type that the property can accept.",
    resolution: 'Correct the value for the property in the request body and resubmit the request if the operation failed.',
  },
  PropertyValueFormatError: {
    severity: 'Warning',
    message: "The value '%1' for the property %2 is not a format that the property can accept.",
    resolution: 'Correct the value for the property in the request body and resubmit the request if the operation failed.',
  },
  PropertyValueNotInList: {
    severity: 'Warning',
    message: "The value '%1' for the property %2 is not in the list of acceptable values.",
    resolution: 'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.',
  },
  PropertyValueOutOfRange: {
    severity: 'Warning',
    message: "The value '%1' for the property %2 is not in the supported range of acceptable values.",
    resolution: 'Correct the value for the property in the request body and resubmit the request if the operation failed.',
  },
  PropertyMissing: {
    severity: 'Warning',
    message: 'The property %1 is a required property and must be included in the request.',
    resolution: 'Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.',
  },
  CreateFailedMissingReqProperties: {
    severity: 'Critical',
    message: 'The create operation failed because the required property %1 was missing from the request.',
    resolution: 'Correct the body to include the required property with a valid value and resubmit the request if the operation failed.',
  },
  ActionNotSupported: {
    severity: 'Critical',
    message: 'The action %1 is not supported by the resource.',
    resolution: 'Check the Actions property in the resource for the supported actions.',
  },
  ActionParameterMissing: {
    severity: 'Critical',
    message: 'The action %1 requires the parameter %2 to be present in the request body.',
    resolution: 'Supply the action with the required parameter in the request body when the request is resubmitted.',
  },
  ActionParameterUnknown: {
    severity: 'Warning',
    message: 'The action %1 was submitted with the invalid parameter %2.',
    resolution: 'Correct the invalid action parameter and resubmit the request if the operation failed.',
  },
  ActionParameterValueTypeError: {
    severity: 'Warning',
    message: "The value '%1' for the parameter %2 in the action %3 is not a type that the parameter can accept.",
    resolution: 'Correct the value for the parameter in the request body and resubmit the request if the operation failed.',
  },
  ActionParameterValueNotInList: {
    severity: 'Warning',
    message: "The value '%1' for the parameter %2 in the action %3 is not in the list of acceptable values.",
    resolution: 'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.',
  },
  ActionParameterValueOutOfRange: {
    severity: 'Warning',
    message: "The value '%1' for the parameter %2 in the action %3 is not in the supported range of acceptable values.",
    resolution: 'Correct the value for the parameter in the request body and resubmit the request if the operation failed.',
  },
  QueryParameterValueTypeError: {
    severity: 'Warning',
    message: "The value '%1' for the query parameter %2 is not a type that the parameter can accept.",
    resolution: 'Correct the value for the query parameter in the request and resubmit the request if the operation failed.',
  },
  QueryParameterValueFormatError: {
    severity: 'Warning',
    message: "The value '%1' for the parameter %2 is not a format that the parameter can accept.",
    resolution: 'Correct the value for the query parameter in the request and resubmit the request if the operation failed.',
  },
  QueryParameterValueError: {
    severity: 'Warning',
    message: 'The value for the parameter %1 is invalid.',
    resolution: 'Correct the value for the query parameter in the request and resubmit the request if the operation failed.',
  },
  QueryParameterOutOfRange: {
    severity: 'Warning',
    message: "The value '%1' for the query parameter %2 is out of range %3.",
    resolution: 'Reduce the value for the query parameter to a value that is within range, such as a start or count value that is within bounds of the number of resources in a collection or a page number that is within the range of valid pages.',
  },
  QueryNotSupportedOnResource: {
    severity: 'Warning',
    message: 'Querying is not supported on the requested resource.',
    resolution: 'Remove the query parameters and resubmit the request if the operation failed.',
  },
  QueryNotSupportedOnOperation: {
    severity: 'Warning',
    message: 'Querying is not supported with the requested operation.',
    resolution: 'Remove the query parameters and resubmit the request if the operation failed.',
  },
  QueryNotSupported: {
    severity: 'Warning',
    message: 'Querying is not supported by the implementation.',
    resolution: 'Remove the query parameters and resubmit the request if the operation failed.',
  },
  QueryCombinationInvalid: {
    severity: 'Warning',
    message: 'Two or more query parameters in the request cannot be used together.',
    resolution: 'Remove one or more of the query parameters and resubmit the request if the operation failed.',
  },
  QueryParameterUnsupported: {
    severity: 'Warning',
    message: "Query parameter '%1' is not supported.",
    resolution: 'Correct or remove the query parameter and resubmit the request.',
  },
  PropertyValueConflict: {
    severity: 'Warning',
    message: "The property '%1' could not be written because its value would conflict with the value of the '%2' property.",
    resolution: 'None.',
  },
  ResourceNotFound: {
    severity: 'Critical',
    message: "The requested resource of type %1 named '%2' was not found.",
    resolution: 'Provide a valid resource identifier and resubmit the request.',
  },
  ResourceAlreadyExists: {
    severity: 'Critical',
    message: "The requested resource of type %1 with the property %2 with the value '%3' already exists.",
    resolution: 'Do not repeat the create operation as the resource was already created.',
  },
  CouldNotEstablishConnection: {
    severity: 'Critical',
    message: "The service failed to establish a connection with the URI '%1'.",
    resolution: 'Ensure that the URI contains a valid and reachable node name, protocol information, and other URI components.',
  },
  PropertyValueIncorrect: {
    severity: 'Warning',
    message: "The property '%1' with the requested value of '%2' could not be written because the value is not acceptable for the property.",
    resolution: 'None.',
  },
  ResourceCannotBeDeleted: {
    severity: 'Critical',
    message: 'The delete request failed because the resource requested cannot be deleted.',
    resolution: 'Do not attempt to delete a non-deletable resource.',
  },
  ResourceInUse: {
    severity: 'Warning',
    message: 'The change to the requested resource failed because the resource is in use or in transition.',
    resolution: 'Remove the condition and resubmit the request if the operation failed.',
  },
  InvalidURI: {
    severity: 'Critical',
    message: 'The URI %1 was not found.',
    resolution: 'Provide a valid URI and resubmit the request.',
  },
  InsufficientStorage: {
    severity: 'Critical',
    message: 'Insufficient storage or memory available to complete the request.',
    resolution: 'Increase the free storage space available to the service and resubmit the request.',
  },
  PayloadTooLarge: {
    severity: 'Critical',
    message: 'The supplied payload exceeds the maximum size supported by the service.',
    resolution: 'Check that the supplied payload is correct and supported by this service.',
  },
  NoValidSession: {
    severity: 'Critical',
    message: 'There is no valid session established with the implementation.',
    resolution: 'Establish a session before attempting any operations.',
  },
  InsufficientPrivilege: {
    severity: 'Critical',
    message:
      'There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.',
    resolution: 'Either abandon the operation or change the associated access rights and resubmit the request if the operation failed.',
  },
  SessionLimitExceeded: {
    severity: 'Critical',
    message:
      'The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.',
    resolution: 'Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions, if supported.',
  },
  SessionTerminated: { severity: 'OK', message: 'The session was successfully terminated.', resolution: 'None.' },
  AccountRemoved: { severity: 'OK', message: 'The account was successfully removed.', resolution: 'None.' },
  AccountModified: { severity: 'OK', message: 'The account was successfully modified.', resolution: 'None.' },
  PasswordChangeRequired: {
    severity: 'Critical',
    message:
      "The password provided for this account must be changed before access is granted.  PATCH the Password property for this account located at the target URI '%1' to complete this process.",
    resolution: 'Change the password for this account using a PATCH to the Password property at the URI provided.',
  },
  PasswordIncorrectLength: {
    severity: 'Critical',
    message: 'The password provided for this account does not meet the password length requirements of the service.',
    resolution: 'Resubmit the request with a password that meets the password length requirements as specified by the `MinPasswordLength` and `MaxPasswordLength` properties in the `AccountService` resource.',
  },
  PasswordComplexityNotMet: {
    severity: 'Critical',
    message: 'The password provided for this account does not meet the password complexity requirements of the service.',
    resolution: 'Resubmit the request with a password that meets the password complexity requirements as specified by the `PasswordGuidanceMessage` property in the `AccountService` resource.',
  },
  PreconditionFailed: {
    severity: 'Critical',
    message: 'The ETag supplied did not match the ETag required to change this resource.',
    resolution: 'Try the operation again using the appropriate ETag.',
  },
  HeaderInvalid: {
    severity: 'Critical',
    message: "Header '%1' is invalid.",
    resolution: 'Resubmit the request with a valid request header.',
  },
  OperationNotAllowed: {
    severity: 'Critical',
    message: 'The HTTP method is not allowed on this resource.',
    resolution: 'None.',
  },
  ServiceShuttingDown: {
    severity: 'Critical',
    message: 'The operation failed because the service is shutting down and can no longer take incoming requests.',
    resolution: 'When the service becomes available, resubmit the request if the operation failed.',
  },
  ServiceTemporarilyUnavailable: {
    severity: 'Critical',
    message: 'The service is temporarily unavailable.  Retry in %1 seconds.',
    resolution: 'Wait for the indicated retry duration and retry the operation.',
  },
} satisfies Record<string, MessageDef>;

export type BaseMessageId = keyof typeof BASE_MESSAGES;

/** One entry of `@Message.ExtendedInfo`, as the Message schema defines it. */
export interface ExtendedInfo {
  '@odata.type': '#Message.v1_3_0.Message';
  MessageId: string;
  Message: string;
  MessageArgs: string[];
  MessageSeverity: Severity;
  Resolution: string;
  RelatedProperties?: string[];
}

/** Builds one Base registry message. `relatedProperty` is a JSON pointer such as `#/UserName`. */
export function baseMessage(id: BaseMessageId, args: (string | number)[] = [], relatedProperty?: string): ExtendedInfo {
  const def = (BASE_MESSAGES as Record<string, MessageDef>)[id]!;
  const sargs = args.map(String);
  const text = def.message.replace(/%(\d+)/g, (_, n: string) => sargs[Number(n) - 1] ?? '');
  const info: ExtendedInfo = {
    '@odata.type': '#Message.v1_3_0.Message',
    MessageId: `${BASE_REGISTRY}.${id}`,
    Message: text,
    MessageArgs: sargs,
    MessageSeverity: def.severity,
    Resolution: def.resolution,
  };
  if (relatedProperty) info.RelatedProperties = [relatedProperty];
  return info;
}

/**
 * A failed request. The pipeline turns it into a Redfish error body; `headers` carries what the status needs
 * (`Allow` for 405, `Retry-After` for 503, `WWW-Authenticate` for 401).
 */
export class RedfishError extends Error {
  readonly status: number;
  readonly messages: ExtendedInfo[];
  readonly headers: Record<string, string>;

  constructor(status: number, messages: ExtendedInfo | ExtendedInfo[], headers: Record<string, string> = {}) {
    const list = Array.isArray(messages) ? messages : [messages];
    super(list[0]?.Message ?? `HTTP ${status}`);
    this.status = status;
    this.messages = list;
    this.headers = headers;
  }

  static of(status: number, id: BaseMessageId, args: (string | number)[] = [], relatedProperty?: string): RedfishError {
    return new RedfishError(status, baseMessage(id, args, relatedProperty));
  }
}

/** The JSON body DSP0266 §9.6 requires for every error response. */
export function errorBody(messages: ExtendedInfo[]): Record<string, unknown> {
  const first = messages[0] ?? baseMessage('GeneralError');
  return {
    error: {
      code: first.MessageId,
      message: first.Message,
      '@Message.ExtendedInfo': messages,
    },
  };
}
