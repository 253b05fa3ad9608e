import { bluefieldDriver, builtinDrivers, openbmcDriver, redfishDriver } from '../../src/drivers/index.js';
import { ipmiDriver } from '../../src/drivers/ipmi/index.js';
import { snmpDriver } from '../../src/drivers/snmp/index.js';
import { conformanceSuite } from './kit.js';
import { ipmiLegacyTarget } from './targets/ipmi-legacy.js';
import { snmpdTarget } from './targets/snmpd.js';
import { bluefield3Target, dmtfMockupTarget, openbmcHostTarget } from './targets/redfish-personas.js';

// Every built-in driver against its persona (issue 4's "done means"); the registry must also pick it for that device.
conformanceSuite(bluefieldDriver, bluefield3Target, { winnerAmong: builtinDrivers });
conformanceSuite(openbmcDriver, openbmcHostTarget, { winnerAmong: builtinDrivers });
conformanceSuite(redfishDriver, dmtfMockupTarget, { winnerAmong: builtinDrivers });
conformanceSuite(ipmiDriver, ipmiLegacyTarget, { winnerAmong: builtinDrivers });
conformanceSuite(snmpDriver, snmpdTarget, { winnerAmong: builtinDrivers });
