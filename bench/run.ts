import { benchRedfishGet } from './redfish-get.js';

// `npm run bench`: each benchmark prints its own figures. They never run as tests.
await benchRedfishGet();
