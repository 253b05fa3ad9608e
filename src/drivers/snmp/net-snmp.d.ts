/**
 * The part of net-snmp 3.29 (a CommonJS package without types) that the `snmp` driver uses. Only what the driver
 * calls is declared, so a wrong guess about the library shows up here and nowhere else.
 */
declare module 'net-snmp' {
  namespace snmp {
    interface Varbind {
      oid: string;
      /** An `ObjectType` number (4 OctetString, 6 OID, 67 TimeTicks, 128..130 the v2 exceptions...). */
      type: number;
      /** Buffer for OctetString/Opaque/Counter64, number for integers, dotted string for OID and IpAddress. */
      value: unknown;
    }

    interface SessionOptions {
      port?: number;
      retries?: number;
      timeout?: number;
      transport?: 'udp4' | 'udp6';
      version?: number;
    }

    interface User {
      name: string;
      level: number;
      authProtocol?: string;
      authKey?: string;
      privProtocol?: string;
      privKey?: string;
    }

    type ResponseCallback = (error: Error | null, varbinds?: Varbind[]) => void;

    interface Session {
      get(oids: string[], callback: ResponseCallback): void;
      /** For the OIDs after `nonRepeaters`, each item of the result is an array of varbinds. */
      getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, callback: (error: Error | null, varbinds?: (Varbind | Varbind[])[]) => void): void;
      close(): void;
      on(event: 'error', listener: (error: Error) => void): this;
    }

    const Version2c: number;
    const Version3: number;
    const SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
    const AuthProtocols: Record<'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512', string>;
    const PrivProtocols: Record<'des' | 'aes' | 'aes256b' | 'aes256r', string>;
    /** Both ways: `ObjectType[4] === 'OctetString'` and `ObjectType.OctetString === 4`. */
    const ObjectType: Record<string | number, string | number>;

    function createSession(target: string, community: string, options?: SessionOptions): Session;
    function createV3Session(target: string, user: User, options?: SessionOptions): Session;
    function isVarbindError(varbind: Varbind): boolean;

    class RequestTimedOutError extends Error {
      constructor(message: string);
    }
    class RequestFailedError extends Error {
      constructor(message: string, status: number);
      status: number;
    }
    /** `code` 4 is ECouldNotDecrypt, 5 EAuthFailure (USM reports included). */
    class ResponseInvalidError extends Error {
      constructor(message: string, code: number, info?: unknown);
      code: number;
      info?: unknown;
    }
  }
  export = snmp;
}
