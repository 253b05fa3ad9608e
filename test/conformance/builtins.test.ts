import { bluefieldDriver, openbmcDriver, redfishDriver } from '../../src/drivers/index.js';
import { conformanceSuite } from './kit.js';
import { bluefield3Target, dmtfMockupTarget, openbmcHostTarget } from './targets/redfish-personas.js';

// Every built-in driver against its persona (issue 4's "done means"); the registry must also pick it for that device.
const all = async () => [redfishDriver, bluefieldDriver, openbmcDriver];

conformanceSuite(bluefieldDriver, bluefield3Target, { winnerAmong: all });
conformanceSuite(openbmcDriver, openbmcHostTarget, { winnerAmong: all });
conformanceSuite(redfishDriver, dmtfMockupTarget, { winnerAmong: all });
