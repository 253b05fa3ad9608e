"""Reads a Redfish service's fleet inventory with OpenStack's sushy (Debian python3-sushy) and prints it as JSON.

Usage: sushy-fleet.py BASE_URL USERNAME PASSWORD CA_FILE

Logs in with sushy's SessionAuth, pins the service's certificate (CA_FILE), then reads what Ironic-style tooling reads:
every ComputerSystem (type, power, boot override, processors and their summary, memory summary, storage, the chassis
and managers it links to), every Chassis (type, identity, the systems it holds, ContainedBy/Contains from the raw
JSON, which sushy does not model), every Manager (the systems and chassis it manages) and the UpdateService's firmware
inventory. Each resource is first read with sushy's own classes exactly as a user would; when sushy refuses a document
(a property it requires is missing), the error goes into `strict_errors` and the resource is read again with a class
that differs from sushy's only in not requiring that property, so one gap does not hide everything behind it.
Exit 0 with a JSON document on stdout; anything else is a failure with a traceback on stderr.
"""

import json
import logging
import sys

import sushy
from sushy import auth as sushy_auth
from sushy import exceptions
from sushy.resources.system import system as sushy_system
from sushy.resources.updateservice import updateservice as sushy_update


class LenientSystem(sushy_system.System):
    """sushy's System, except that `Boot` is optional (sushy requires it; DMTF's schema does not)."""

    boot = sushy_system.BootField('Boot')


class LenientUpdateService(sushy_update.UpdateService):
    """sushy's UpdateService, except that `Actions` is optional (sushy requires it; DMTF's schema does not)."""

    _actions = sushy_update.ActionsField('Actions')


def enum_value(v):
    return v.value if hasattr(v, 'value') else v


def err(e):
    return '%s: %s' % (type(e).__name__, e)


def links(doc, *path):
    """The `@odata.id`s at `path` in a raw document: a list for a link array, one string (or None) for a single link."""
    node = doc
    for p in path:
        node = node.get(p) if isinstance(node, dict) else None
    if node is None or isinstance(node, dict):
        return node and node.get('@odata.id')
    return [x.get('@odata.id') for x in node]


def main():
    base_url, username, password, ca_file = sys.argv[1:5]
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    auth = sushy_auth.SessionAuth(username=username, password=password)
    root = sushy.Sushy(base_url, auth=auth, verify=ca_file)
    out = {'sushy_version': getattr(sushy, '__version__', None), 'strict_errors': {}}
    strict_errors = out['strict_errors']

    def read(path, strict, lenient):
        try:
            return strict(path)
        except exceptions.MissingAttributeError as e:
            strict_errors[path] = err(e)
            return lenient(path)

    def lenient_system(path):
        return LenientSystem(root._conn, path, redfish_version=root.redfish_version, root=root)

    # Systems.
    collection = root.get_system_collection()
    out['system_paths'] = list(collection.members_identities)
    systems = []
    for path in collection.members_identities:
        s = read(path, root.get_system, lenient_system)
        procs = s.processors
        summary = procs.summary
        rec = {
            'path': s.path,
            'identity': s.identity,
            'name': s.name,
            'system_type': enum_value(s.system_type),
            'power_state': enum_value(s.power_state),
            'manufacturer': s.manufacturer,
            'model': s.json.get('Model'),  # sushy 4.x has no System.model
            'serial_number': s.serial_number,
            'uuid': s.uuid,
            'health': enum_value(s.status.health) if s.status else None,
            'boot': None if s.boot is None else {
                'enabled': enum_value(s.boot.enabled),
                'target': enum_value(s.boot.target),
                'allowed_targets': s.boot.allowed_values,
            },
            'memory_gib': s.memory_summary.size_gib if s.memory_summary else None,
            'processor_summary': {'count': summary.count, 'architecture': enum_value(summary.architecture)},
            'processors': [
                {
                    'identity': p.identity,
                    'type': enum_value(p.processor_type),
                    'architecture': enum_value(p.processor_architecture),
                    'model': p.model,
                    'total_cores': p.total_cores,
                    'total_threads': p.total_threads,
                }
                for p in procs.get_members()
            ],
            'chassis': [c.path for c in s.chassis],
            'managers': [m.identity for m in s.managers],
            'offloaded_functions': links(s.json, 'Links', 'OffloadedNetworkDeviceFunctions') or [],
        }
        if 'Storage' in s.json:
            rec['storage'] = [
                {'identity': st.identity, 'drives': [d.identity for d in st.drives], 'max_drive_bytes': st.drives_max_size_bytes}
                for st in s.storage.get_members()
            ]
        systems.append(rec)
    out['systems'] = systems

    # Chassis: sushy models the systems and managers a chassis links to; containment only through the raw JSON.
    chassis = []
    cc = root.get_chassis_collection()
    for c in cc.get_members():
        system_paths = links(c.json, 'Links', 'ComputerSystems') or []
        for p in system_paths:  # what chassis.systems builds, one member at a time so a refusal names its system
            read(p, lambda q: sushy_system.System(root._conn, q, redfish_version=root.redfish_version, root=root), lenient_system)
        chassis.append({
            'path': c.path,
            'identity': c.identity,
            'chassis_type': enum_value(c.chassis_type),
            'manufacturer': c.manufacturer,
            'model': c.model,
            'serial_number': c.serial_number,
            'part_number': c.part_number,
            'systems': system_paths,
            'managers': [m.identity for m in c.managers],
            'contained_by': links(c.json, 'Links', 'ContainedBy'),
            'contains': links(c.json, 'Links', 'Contains') or [],
        })
    out['chassis'] = chassis

    # Managers.
    managers = []
    for m in root.get_manager_collection().get_members():
        managers.append({
            'path': m.path,
            'identity': m.identity,
            'manager_type': enum_value(m.manager_type),
            'model': m.model,
            'firmware_version': m.firmware_version,
            'uuid': m.uuid,
            'servers': links(m.json, 'Links', 'ManagerForServers') or [],
            'chassis': [c.path for c in m.chassis] if 'ManagerForChassis' in m.json.get('Links', {}) else [],
        })
    out['managers'] = managers

    # Firmware inventory, through the UpdateService as sushy reaches it.
    us_path = root.json['UpdateService']['@odata.id']
    us = read(us_path, lambda _p: root.get_update_service(),
              lambda p: LenientUpdateService(root._conn, p, redfish_version=root.redfish_version, root=root))
    fw = us.firmware_inventory
    out['firmware'] = [
        {'identity': f.identity, 'name': f.name, 'version': f.version, 'manufacturer': f.manufacturer, 'updateable': f.updateable}
        for f in fw.get_members()
    ]
    out['software'] = list(us.software_inventory.members_identities)

    auth.close()
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
