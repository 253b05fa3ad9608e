/**
 * Contract between the fleet (simulator core) and discovery advertisers (SSDP, mDNS, lldpd, DNS zone writers).
 *
 * The fleet owns device lifecycles; advertisers only announce what the fleet tells them. Keeping this file free of
 * imports lets the discovery code be written and tested without the rest of the simulator.
 */

/** Persona names the fleet knows. Advertisers use this to pick e.g. `_obmc_redfish._tcp` for OpenBMC personas. */
export type PersonaName = 'bluefield3' | 'openbmc-host' | 'dmtf-mockup' | 'ipmi-legacy' | (string & {});

/** What an advertiser needs to announce one simulated device. */
export interface AdvertisedDevice {
  /** Fleet-unique device id, e.g. `bf3-0001`. Stable for a given fleet spec and seed. */
  id: string;
  persona: PersonaName;
  /** Full HTTPS URL of the Redfish service root, e.g. `https://127.1.0.5:8443/redfish/v1`. Empty for IPMI-only devices. */
  serviceRootUrl: string;
  /** `UUID` of the Redfish service root (the SSDP USN carries it as `uuid:<uuid>`). Lower-case, dashed. */
  uuid: string;
  /** IPv4 address the device listens on (127.x.y.z, or an address inside a network namespace). */
  address: string;
  /** TCP port of the Redfish service (UDP port for IPMI-only devices). */
  port: number;
  /** Chassis / board serial number as the device's Redfish reports it. */
  serial: string;
  /** Host name the device would report (Manager HostName), e.g. `bf3-0001-bmc.sim.test`. */
  hostname: string;
  /** MAC address of the management interface, `aa:bb:cc:dd:ee:ff`; useful for LLDP chassis ids. */
  mac?: string;
  /** Network namespace the device lives in, when the fleet places devices in namespaces. */
  netns?: string;
}

/**
 * One advertiser per kind of discovery traffic. The fleet calls `start` once per device after the device's Redfish
 * service is reachable, and `stop` once when the fleet stops. `start` must not throw for one device's failure in a way
 * that stops the fleet: the fleet logs a rejection and carries on.
 */
export interface DiscoveryAdvertiser {
  /** Short name used in logs, e.g. `ssdp`. */
  readonly name?: string;
  start(device: AdvertisedDevice): Promise<void>;
  /** Withdraw a single device (e.g. when it is removed or its BMC reboots). Optional. */
  stopDevice?(deviceId: string): Promise<void>;
  /** Stop all announcements and release sockets/processes. */
  stop(): Promise<void>;
}

/**
 * Optional notifications the fleet sends to advertisers that care about device state, e.g. an SSDP responder that
 * goes silent while a BMC is crashed or rebooting (as real BMCs do).
 */
export interface DiscoveryStateListener {
  /** `reachable=false` while the device's BMC is down (crash, hang, reboot). */
  onReachability?(deviceId: string, reachable: boolean): void;
}

/** Factory form used by fleet specs: `{ discovery: [ssdpAdvertiserFactory] }`. */
export type DiscoveryAdvertiserFactory = () => DiscoveryAdvertiser | Promise<DiscoveryAdvertiser>;
